"""Output writers, looked up by format name, and how output files are named.

Outputs are named from the input's stem: ``deconfliction.fr.txt`` gives
``deconfliction.en.txt``, ``deconfliction.fr-en.tsv`` and so on. A trailing
``.fr`` language tag is dropped from the stem so it is not repeated.
"""

from __future__ import annotations

from pathlib import Path, PurePath

from . import html, text, tmx, xliff, xlsx  # noqa: F401  (registers the writers)
from .base import FORMATS, Writer, get_writer, meta_record, xml_safe

META_SUFFIX = ".meta.json"


def output_stem(name: str | PurePath) -> tuple[str, str]:
    """Split an input file name into the stem outputs share and its extension.

    >>> output_stem("deconfliction.fr.txt")
    ('deconfliction', '.txt')
    """
    path = PurePath(name)
    stem, ext = path.stem, path.suffix or ".txt"
    if stem.lower().endswith(".fr"):
        stem = stem[:-3]
    return stem, ext


def output_paths(base_dir: Path, relative: PurePath, writer: Writer) -> list[Path]:
    """Where ``writer`` puts its files for the input at ``relative``.

    The input's relative folder is mirrored under ``base_dir``, so two
    ``article.txt`` files in different folders never collide.
    """
    stem, ext = output_stem(relative.name)
    folder = base_dir / relative.parent
    return [folder / (stem + suffix.format(ext=ext)) for suffix in writer.suffixes]


def meta_path(base_dir: Path, relative: PurePath) -> Path:
    """The per-input metadata file, written beside the outputs."""
    stem, _ = output_stem(relative.name)
    return base_dir / relative.parent / (stem + META_SUFFIX)


__all__ = [
    "FORMATS",
    "META_SUFFIX",
    "Writer",
    "get_writer",
    "meta_path",
    "meta_record",
    "output_paths",
    "output_stem",
    "xml_safe",
]
