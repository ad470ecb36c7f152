"""Subtitle readers (.srt, .vtt): blocks of cues, round trips, sharing, rewrap, bad input."""

from __future__ import annotations

import html
import itertools
import re
from pathlib import Path

import pytest

from translate_cli.errors import InputError
from translate_cli.markup import Block, Placed, Span
from translate_cli.readers.base import Parsed, Reader
from translate_cli.readers.subtitles import (
    MAX_LINE_CHARS,
    SRTReader,
    VTTReader,
    share,
    wrap_lines,
)

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
SRT = (FIXTURES / "interview.fr.srt").read_bytes()
VTT = (FIXTURES / "interview.fr.vtt").read_bytes()
READERS: list[tuple[type[Reader], bytes]] = [(SRTReader, SRT), (VTTReader, VTT)]
IDS = ["srt", "vtt"]

# The blocks of both fixtures, with each cue's (block, start, end).
TEXTS = [
    "♪",
    "Bonsoir et bienvenue dans Regards sur la région.",
    "Ce soir, nous recevons Hélène Marchal, maire de Saint-Aubin-des-Prés,"
    " qui vient d'inaugurer la nouvelle médiathèque.",
    "- Madame la maire, bonsoir. - Bonsoir.",
    "Le chantier a duré trois ans et coûté près de 4 millions d'euros.",
    "Pourquoi un tel investissement pour une commune de 6 000 habitants ?",
    "Parce que les habitants nous l'ont demandé, tout simplement, lors de la concertation de 2021.",
    "Une bibliothèque, c'est un lieu où l'on se retrouve.",
    "- Et les horaires ? - Ils sont élargis.",
    "La médiathèque ouvrira désormais le dimanche matin et jusqu'à 20 heures le mercredi.",
]
RANGES = [
    (0, 0, 1),
    (1, 0, 48),
    (2, 0, 69),
    (2, 70, 116),
    (3, 0, 38),
    (4, 0, 65),
    (5, 0, 68),
    (6, 0, 43),
    (6, 44, 93),
    (7, 0, 52),
    (8, 0, 39),
    (9, 0, 50),
    (9, 51, 84),
    (-1, 0, 0),  # the empty cue
    (10, 0, 0),  # end set per format below
    (11, 0, 13),
]
LAST_TEXTS = {
    "srt": "Merci, Hélène Marchal. Bonne soirée à tous.",
    "vtt": "Merci, Hélène Marchal & bonne soirée. À la semaine prochaine.",
}


def parse(reader: type[Reader], data: bytes) -> Parsed:
    return reader().read(data, "clip")


def cues(output: bytes) -> list[tuple[str, list[str]]]:
    """(timing line, text lines) of each cue of a subtitle file."""
    text = output.decode("utf-8").replace("\r\n", "\n")
    found = []
    for chunk in re.split(r"\n\n+", text.strip("\n")):
        lines = chunk.split("\n")
        arrows = [i for i, line in enumerate(lines) if "-->" in line]
        if arrows:
            found.append((lines[arrows[0]], lines[arrows[0] + 1 :]))
    return found


def identity(parsed: Parsed, split: bool) -> list[list[Placed]]:
    """The French handed back as its own translation, one Placed per sentence if ``split``."""
    out = []
    for block in parsed.blocks:
        bounds = [0]
        if split:
            bounds += [m.end() for m in re.finditer(r"[.?!] (?=\S)", block.text)]
        bounds.append(len(block.text) + 1)
        placed = []
        for start, after in itertools.pairwise(bounds):
            end = after - 1
            spans = tuple(
                Span(max(s.start, start) - start, min(s.end, end) - start, s.tag, s.protected)
                for s in block.spans
                if (s.start < end and s.end > start)
                or (s.start == s.end and start <= s.start <= end)
            )
            placed.append(Placed(start, end, block.text[start:end], spans))
        out.append(placed)
    return out


def with_targets(parsed: Parsed, targets: dict[int, list[Placed]]) -> list[list[Placed]]:
    return [targets.get(i, placed) for i, placed in enumerate(identity(parsed, False))]


# -- blocks ---------------------------------------------------------------------


@pytest.mark.parametrize(("reader", "data"), READERS, ids=IDS)
def test_blocks_are_runs_of_cues_up_to_a_sentence_end(reader: type[Reader], data: bytes) -> None:
    parsed = parse(reader, data)
    texts = [b.text for b in parsed.blocks]
    assert texts[: len(TEXTS)] == TEXTS
    assert texts[len(TEXTS) :] == [LAST_TEXTS[reader.name], "♪ Générique ♪"]
    ranges = list(RANGES)
    ranges[14] = (10, 0, len(LAST_TEXTS[reader.name]))
    assert parsed.layout.cue_ranges() == tuple(ranges)  # type: ignore[attr-defined]
    assert parsed.layout.format == reader.name
    assert parsed.warnings == ()


@pytest.mark.parametrize(("reader", "data"), READERS, ids=IDS)
def test_dashes_are_protected_line_starts_and_italics_spans(
    reader: type[Reader], data: bytes
) -> None:
    blocks = parse(reader, data).blocks
    dashes = blocks[3].spans
    assert [(s.start, s.end, s.protected) for s in dashes] == [(0, 1, True), (28, 29, True)]
    assert {blocks[3].text[s.start : s.end] for s in dashes} == {"-"}
    (italic,) = blocks[7].spans
    assert (italic.start, italic.end, italic.protected) == (0, 52, False)
    assert blocks[8].spans[0].start == 0 and blocks[8].spans[1].start == 20


def test_vtt_voice_stays_on_the_cue_and_classes_are_spans() -> None:
    blocks = parse(VTTReader, VTT).blocks
    assert blocks[1].spans == ()  # <v Présentateur> is kept by the layout, not translated
    (jaune,) = blocks[9].spans
    assert blocks[9].text[jaune.start : jaune.end] == "matin"


@pytest.mark.parametrize(
    ("cue_texts", "times", "expected"),
    [
        # A sentence over two cues is one block; a full stop ends it.
        (["Il pleut", "sur la ville.", "Demain aussi."], [(0, 1), (1, 2), (2, 3)], 2),
        # A long silence ends a run even without punctuation.
        (["Il pleut", "sur la ville."], [(0, 1), (5, 6)], 2),
        # A dash opens a new speaker, hence a new block.
        (["- Tu viens", "- Non."], [(0, 1), (1, 2)], 2),
        # A suspended sentence goes on when the next cue does.
        (["Je pense que...", "... c'est fini."], [(0, 1), (1, 2)], 1),
        (["Je pense que...", "Non."], [(0, 1), (1, 2)], 2),
        # Letterless cues stand alone.
        (["♪", "la la la", "♪"], [(0, 1), (1, 2), (2, 3)], 3),
        # Closing quotes after the full stop.
        (["« On y va. »", "Ensuite."], [(0, 1), (1, 2)], 2),
    ],
)
def test_block_boundaries(
    cue_texts: list[str], times: list[tuple[int, int]], expected: int
) -> None:
    chunks = [
        f"{i + 1}\n00:00:{a:02d},000 --> 00:00:{b:02d},500\n{text}\n"
        for i, (text, (a, b)) in enumerate(zip(cue_texts, times, strict=True))
    ]
    parsed = parse(SRTReader, "\n".join(chunks).encode())
    assert len(parsed.blocks) == expected


# -- identity round trip --------------------------------------------------------


@pytest.mark.parametrize("split", [False, True], ids=["whole", "sentences"])
@pytest.mark.parametrize(("reader", "data"), READERS, ids=IDS)
def test_identity_round_trip_is_byte_identical(
    reader: type[Reader], data: bytes, split: bool
) -> None:
    parsed = parse(reader, data)
    placed = identity(parsed, split)
    output = parsed.layout.render(placed)
    assert output == data
    assert parsed.layout.render(placed) == output  # render twice, same bytes


def test_identity_keeps_crlf_bom_and_odd_spacing() -> None:
    data = b"\xef\xbb\xbf" + SRT.replace(b"\n", b"\r\n")
    parsed = parse(SRTReader, data)
    assert parsed.layout.render(identity(parsed, False)) == data
    vtt = b"\xef\xbb\xbf" + VTT.replace(b"\n", b"\r\n")
    parsed = parse(VTTReader, vtt)
    assert parsed.layout.render(identity(parsed, True)) == vtt


@pytest.mark.parametrize(("reader", "data"), READERS, ids=IDS)
def test_uppercase_keeps_structure_timings_and_markup(reader: type[Reader], data: bytes) -> None:
    parsed = parse(reader, data)
    upper = [
        [Placed(p.start, p.end, p.target.upper(), p.spans) for p in placed]
        for placed in identity(parsed, True)
    ]
    output = parsed.layout.render(upper)
    vtt = reader is VTTReader
    before, after = cues(data), cues(output)
    assert [t for t, _ in after] == [t for t, _ in before]  # timings, settings
    for (_, old), (_, new) in zip(before, after, strict=True):
        old_text, new_text = (
            html.unescape(re.sub(r"<[^>]*>", "", " ".join(x))) for x in (old, new)
        )
        assert new_text in (old_text, old_text.upper())
        assert all(len(re.sub(r"<[^>]*>|&amp;", "x", line)) <= MAX_LINE_CHARS for line in new)
        assert len(new) <= 2
    text = output.decode()
    assert re.search(r"\n<i>UNE BIBLIOTHÈQUE, C'EST UN\s+LIEU OÙ L'ON SE RETROUVE\.</i>\n", text)
    assert "- MADAME LA MAIRE, BONSOIR.\n- BONSOIR." in text
    assert "- ET LES HORAIRES ?\n- ILS SONT ÉLARGIS." in text
    if vtt:
        assert "\n<v Présentateur>BONSOIR ET BIENVENUE" in text
        assert "<c.jaune>MATIN</c>" in text
        assert "align:start line:90%\n- MADAME" in text
        assert text.startswith("WEBVTT - Regards sur la région, émission du 14 mars\n\nNOTE\n")
        assert "NOTE Réponse de la maire sur deux sous-titres\n" in text
        assert "&amp; BONNE" in text
    else:
        assert re.search(r"^15\n00:00:42,800 --> 00:00:45,500\n", text, re.M)


# -- sharing the English over the cues ------------------------------------------


def words_of(lines: list[str]) -> list[str]:
    return " ".join(lines).split()


@pytest.mark.parametrize(("reader", "data"), READERS, ids=IDS)
@pytest.mark.parametrize(
    "english",
    [
        # About as long as the French.
        "Tonight we welcome Hélène Marchal, mayor of Saint-Aubin-des-Prés,"
        " who has just opened the new media library.",
        # Twice as long.
        "Tonight, on our programme, we have the great pleasure of welcoming Hélène"
        " Marchal, the mayor of the small town of Saint-Aubin-des-Prés, who, only a few"
        " days ago, officially opened the brand new media library in the town centre.",
        # Much shorter.
        "Our guest: the mayor.",
    ],
    ids=["same", "twice", "short"],
)
def test_sentence_shared_over_its_cues(reader: type[Reader], data: bytes, english: str) -> None:
    parsed = parse(reader, data)
    block = parsed.blocks[2]
    output = parsed.layout.render(
        with_targets(parsed, {2: [Placed(0, len(block.text), english, ())]})
    )
    third, fourth = cues(output)[2:4]
    assert third[1] and fourth[1]  # every cue gets words
    assert words_of(third[1]) + words_of(fourth[1]) == english.split()  # none cut, in order
    for lines in (third[1], fourth[1]):
        assert all(len(line) <= MAX_LINE_CHARS for line in lines) or len(lines) > 2
    if english.startswith("Tonight we"):
        # 69 French characters in the first cue, 46 in the second: the cut is
        # at the space nearest 60 % of the English.
        assert (
            " ".join(third[1])
            == "Tonight we welcome Hélène Marchal, mayor of Saint-Aubin-des-Prés,"
        )


@pytest.mark.parametrize(
    ("text", "weights", "expected"),
    [
        ("one two three four", [1, 1], ["one two", "three four"]),
        ("one two three four", [3, 1], ["one two three", "four"]),
        ("one two three four", [1, 100], ["one", "two three four"]),
        ("one two", [1, 1, 1], ["one", "two", ""]),
        ("one two", [1, 1, 5], ["one", "", "two"]),
        ("one two", [1, 5, 1], ["one", "two", ""]),
        ("solo", [2, 1], ["solo", ""]),
        ("a b c", [1, 1, 1], ["a", "b", "c"]),
        ("anticonstitutionnellement, oui", [10, 1], ["anticonstitutionnellement,", "oui"]),
    ],
)
def test_share_cuts_at_spaces_in_proportion(
    text: str, weights: list[int], expected: list[str]
) -> None:
    assert [b.text for b in share(Block(text), weights)] == expected


def test_share_never_cuts_a_protected_span_and_clips_spans() -> None:
    text = "mayor of Saint Aubin des Prés since last spring"
    place = text.index("Saint")
    italic = text.index("last")
    sentence = Block(text, (Span(place, place + 20, -1, True), Span(italic, len(text), 3)))
    first, second = share(sentence, [1, 1])
    # The middle of the text falls inside the protected name: the cut goes after it.
    assert (first.text, second.text) == ("mayor of Saint Aubin des Prés", "since last spring")
    assert first.spans == (Span(9, 29, -1, True),)
    assert second.spans == (Span(6, 17, 3),)
    # Never right after a speaker dash either.
    parsed = parse(SRTReader, b"1\n00:00:01,000 --> 00:00:02,000\n- Oui.\n")
    dash = parsed.blocks[0].spans[0]
    elements = parsed.layout._elements  # type: ignore[attr-defined]
    pieces = share(Block("- Yes indeed", (Span(0, 1, dash.tag, True),)), [5, 1], elements)
    assert [p.text for p in pieces] == ["- Yes", "indeed"]


def test_italic_spans_follow_the_english_words() -> None:
    parsed = parse(SRTReader, SRT)
    # The whole-cue italic of the French covers the whole English even when
    # the projection only found one word of it.
    block = parsed.blocks[7]
    english = "A library is a place where people meet."
    targets = {7: [Placed(0, len(block.text), english, (Span(2, 9, block.spans[0].tag),))]}
    # Partial italics stay on their words: "Bonne soirée à tous." is italic.
    last = parsed.blocks[10]
    tag = last.spans[0].tag
    targets[10] = [
        Placed(0, 22, "Thank you, Hélène Marchal.", ()),
        Placed(23, len(last.text), "Good night, everyone.", (Span(0, 21, tag),)),
    ]
    text = parsed.layout.render(with_targets(parsed, targets)).decode()
    assert "\n<i>A library is a place where people meet.</i>\n" in text
    assert "\nThank you, Hélène Marchal.\n<i>Good night, everyone.</i>\n" in text


def test_vtt_class_span_written_around_its_word_in_its_cue() -> None:
    parsed = parse(VTTReader, VTT)
    block = parsed.blocks[9]
    tag = block.spans[0].tag
    english = "The media library will now open on Sunday mornings and until 8 pm on Wednesdays."
    start = english.index("Sunday")
    targets = {9: [Placed(0, len(block.text), english, (Span(start, start + 6, tag),))]}
    text = parsed.layout.render(with_targets(parsed, targets)).decode()
    assert "<c.jaune>Sunday</c>" in text
    twelfth, thirteenth = cues(text.encode())[11:13]
    assert (
        words_of(twelfth[1]) + words_of(thirteenth[1])
        == re.sub("Sunday", "<c.jaune>Sunday</c>", english).split()
    )


def test_one_changed_word_rewrites_only_its_cue() -> None:
    parsed = parse(VTTReader, VTT)
    block = parsed.blocks[9]
    english = block.text.replace("matin", "soir")
    tag = block.spans[0].tag
    start = english.index("soir")
    targets = {9: [Placed(0, len(block.text), english, (Span(start, start + 4, tag),))]}
    output = parsed.layout.render(with_targets(parsed, targets))
    expected = VTT.replace(
        "ouvrira désormais\nle dimanche <c.jaune>matin</c>".encode(),
        "ouvrira\ndésormais le dimanche <c.jaune>soir</c>".encode(),
    )
    assert output == expected


MARKUP_SRT = """1
00:00:01,000 --> 00:00:03,000
{\\an8}<i>Il était une fois
un roi qui

2
00:00:03,100 --> 00:00:05,000
<i>vivait seul.</i>
""".encode()
MARKUP_VTT = b"""WEBVTT

00:01.000 --> 00:03.000
<v.loud Anne>Tu viens ?</v>
<v Marc>Non, je <00:00:02.000>reste.

00:03.100 --> 00:05.000 line:0
<v Anne>Dommage &lt;3
"""


@pytest.mark.parametrize(
    ("reader", "data", "texts", "expected"),
    [
        (
            SRTReader,
            MARKUP_SRT,
            ["Il était une fois un roi qui vivait seul."],
            "{\\an8}<i>ONCE UPON A TIME THERE WAS A KING\n\n"
            "2\n00:00:03,100 --> 00:00:05,000\n<i>WHO LIVED ALONE.</i>\n",
        ),
        (
            VTTReader,
            MARKUP_VTT,
            ["Tu viens ? Non, je reste.", "Dommage <3"],
            "<v.loud Anne>ARE YOU COMING?</v>\n<v Marc>NO, I AM <00:00:02.000>STAYING.\n\n"
            "00:03.100 --> 00:05.000 line:0\n<v Anne>PITY &lt;3\n",
        ),
    ],
    ids=IDS,
)
def test_cue_markup_kept_on_each_cue(
    reader: type[Reader], data: bytes, texts: list[str], expected: str
) -> None:
    parsed = parse(reader, data)
    assert [b.text for b in parsed.blocks] == texts
    assert parsed.layout.render(identity(parsed, True)) == data
    english = {
        "Il était une fois un roi qui vivait seul.": [
            "ONCE UPON A TIME THERE WAS A KING WHO LIVED ALONE."
        ],
        "Tu viens ?": ["ARE YOU COMING?"],
        "Non, je reste.": ["NO, I AM STAYING."],
        "Dommage <3": ["PITY <3"],
    }
    placed = []
    for sentences in identity(parsed, True):
        row = []
        for p in sentences:
            (target,) = english[p.target]
            spans = []
            for s in p.spans:  # whole-sentence elements; the time stamp before "STAYING"
                if s.start == s.end:
                    at = target.index("STAYING")
                    spans.append(Span(at, at, s.tag, True))
                else:
                    spans.append(Span(0, len(target), s.tag))
            row.append(Placed(p.start, p.end, target, tuple(spans)))
        placed.append(row)
    assert parsed.layout.render(placed).decode().endswith(expected)


def test_dash_misplaced_by_projection_goes_back_to_the_line_start() -> None:
    parsed = parse(SRTReader, SRT)
    block = parsed.blocks[3]
    first, second = (s.tag for s in block.spans)
    targets = {
        3: [
            Placed(0, 27, "Good evening, - Madam Mayor.", (Span(14, 15, first, True),)),
            Placed(28, len(block.text), "Good - evening.", (Span(5, 6, second, True),)),
        ]
    }
    text = parsed.layout.render(with_targets(parsed, targets)).decode()
    assert "\n- Good evening, Madam Mayor.\n- Good evening.\n" in text


def test_two_speaker_cue_breaks_before_each_dash_even_when_short() -> None:
    data = b"1\n00:00:01,000 --> 00:00:02,000\n- Tu viens ?\n- Non.\n"
    parsed = parse(SRTReader, data)
    (block,) = parsed.blocks
    a, b = (s.tag for s in block.spans)
    placed = [
        Placed(0, 12, "- Coming?", (Span(0, 1, a, True),)),
        Placed(13, 19, "- No.", (Span(0, 1, b, True),)),
    ]
    assert parsed.layout.render([placed]).decode().endswith("\n- Coming?\n- No.\n")


# -- rewrap ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Short line.", ["Short line."]),
        ("x" * 42, ["x" * 42]),
        # Balanced two lines when it does not fit one.
        (
            "Good evening and welcome to Focus on the Region tonight.",
            ["Good evening and welcome", "to Focus on the Region tonight."],
        ),
        # Not after an article when a break as balanced exists.
        (
            "Then the mayor thanked all the volunteers of the association",
            ["Then the mayor thanked all", "the volunteers of the association"],
        ),
        # A sentence end is a better break, even a little less balanced.
        (
            "Thank you, Hélène Marchal. Good night, everyone.",
            ["Thank you, Hélène Marchal.", "Good night, everyone."],
        ),
        # Too long for two lines of 42: the fewest lines of 42, nothing lost.
        (
            "This evening we have the great pleasure of welcoming the mayor of a small"
            " town who has just opened a brand new media library.",
            [
                "This evening we have the great pleasure of",
                "welcoming the mayor of a small town who",
                "has just opened a brand new media library.",
            ],
        ),
        # A word longer than a line gets a line of its own.
        ("a " + "y" * 50 + " b", ["a", "y" * 50, "b"]),
    ],
)
def test_wrap_lines(text: str, expected: list[str]) -> None:
    lines = wrap_lines(text)
    assert lines == expected
    assert " ".join(lines) == text


def test_long_english_for_one_cue_is_rewrapped() -> None:
    data = b"1\n00:00:01,000 --> 00:00:04,000\nOui.\n"
    parsed = parse(SRTReader, data)
    english = "Yes, of course, and I would like to thank everybody who came along tonight."
    output = parsed.layout.render([[Placed(0, 4, english, ())]]).decode()
    lines = output.split("\n")[2:-1]
    assert len(lines) == 2 and all(len(line) <= MAX_LINE_CHARS for line in lines)
    assert " ".join(lines) == english


# -- bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "data", "message"),
    [
        (
            SRTReader,
            SRT.replace(b"00:00:22,600 --> 00:00:25,400", b"00:00:xx,600 --> 00:00:25,400"),
            "line 36: broken subtitle timing '00:00:xx,600 --> 00:00:25,400'",
        ),
        (SRTReader, "Bonjour à tous,\nceci n'est pas un sous-titre.\n".encode(), "not an SRT"),
        (SRTReader, b"", "not an SRT subtitle file (no cue)"),
        (SRTReader, b"\x00\x01\x02binary\x00" * 20, "binary"),
        (
            SRTReader,
            SRT.replace(b"\n\n8\n", b"\n\nhuit\n"),
            "line 35: expected a cue index and a blank line before the timing of line 36,"
            " found 'huit'",
        ),
        (
            VTTReader,
            VTT.replace(b"00:00:22.600 --> 00:00:25.400", b"00:00:xx.600 --> 00:00:25.400"),
            "broken subtitle timing '00:00:xx.600 --> 00:00:25.400'",
        ),
        (VTTReader, SRT, "not a WebVTT file"),
        (VTTReader, b"\xff\xfe\x00\xd8" * 50, "clip"),
        (
            VTTReader,
            b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nUn\n00:00:02.000 --> 00:00:03.000\nDeux\n",
            "line 5: cue timing with no blank line before it",
        ),
    ],
    ids=[
        "srt-timing",
        "srt-prose",
        "srt-empty",
        "srt-binary",
        "srt-garbage",
        "vtt-timing",
        "vtt-not-vtt",
        "vtt-undecodable",
        "vtt-no-blank",
    ],
)
def test_bad_input_is_one_line_input_error(reader: type[Reader], data: bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(reader, data)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_vtt_broken_timing_names_its_line() -> None:
    broken = VTT.replace(b"00:00:22.600 --> 00:00:25.400", b"00:00:xx.600 --> 00:00:25.400")
    line = broken.decode().split("\n").index("00:00:xx.600 --> 00:00:25.400") + 1
    with pytest.raises(InputError, match=f"line {line}: broken subtitle timing"):
        parse(VTTReader, broken)


@pytest.mark.parametrize(
    ("reader", "data"),
    [
        (SRTReader, b"1\n00:00:05,000 --> 00:00:04,000\nTrop tard.\n"),
        (VTTReader, b"WEBVTT\n\n00:00:05.000 --> 00:00:04.000\nTrop tard.\n"),
    ],
    ids=IDS,
)
def test_cue_ending_before_it_starts_is_kept_with_a_warning(
    reader: type[Reader], data: bytes
) -> None:
    parsed = parse(reader, data)
    assert len(parsed.warnings) == 1
    assert parsed.warnings[0].startswith(f"line {2 if reader is SRTReader else 3}: cue ends")
    assert parsed.layout.render(identity(parsed, False)) == data
