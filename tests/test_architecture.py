"""The package's structure: imports point one way, vocabularies keep their words.

The layer order below is the architecture (see the README's "Development"
section): a module may import only from layers below its own, or from its own
subpackage. Lazy imports inside functions count too, since they are the same
dependency paid later.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from translate_cli import vocabulary
from translate_cli.config import Settings
from translate_cli.errors import UsageError

PACKAGE = Path(__file__).resolve().parents[1] / "translate_cli"

# Lowest first. Each name is a module or subpackage directly under translate_cli.
LAYERS: list[set[str]] = [
    {"_version", "vocabulary", "errors", "fsutil", "markup"},
    {"config", "dehyphenate", "storage"},
    {"document", "segment", "batching", "models", "protect", "glossary"},
    {"engines", "memory", "qa", "readers", "project", "terms"},
    {"translator", "provenance"},
    {"align", "writers"},
    {"outputs", "review", "inputs", "progress"},
    {"remote_outputs"},
    {"runner"},
    {"ray_runner"},
    {"cli"},
    {"__main__", "__init__"},
]
RANK = {name: rank for rank, layer in enumerate(LAYERS) for name in layer}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _component(path: Path) -> str:
    """The top-level part of the package a file belongs to (``engines`` for engines/x.py)."""
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imported_components(path: Path) -> list[tuple[int, str]]:
    """(line, component) for every translate_cli import in the file, lazy ones included."""
    rel = path.relative_to(PACKAGE)
    package_parts = list(rel.parts[:-1])  # the file's own package below translate_cli
    if rel.name == "__init__.py":
        package_parts = list(rel.parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - (node.level - 1)]
                target = [*base, *(node.module.split(".") if node.module else [])]
                if target:
                    found.append((node.lineno, target[0]))
                else:  # "from . import x": x is a module of translate_cli itself
                    found += [(node.lineno, alias.name) for alias in node.names]
            elif node.module and node.module.split(".")[0] == "translate_cli":
                parts = node.module.split(".")
                found.append((node.lineno, parts[1] if len(parts) > 1 else "__init__"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "translate_cli":
                    found.append((node.lineno, parts[1] if len(parts) > 1 else "__init__"))
    return found


def test_every_module_has_a_layer():
    components = {_component(p) for p in _modules()}
    assert components - set(RANK) == set(), "add new modules to LAYERS"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_layers(path: Path):
    own = _component(path)
    wrong = [
        f"{path.relative_to(PACKAGE)}:{line} imports {target} (layer {RANK[target]}) "
        f"from layer {RANK[own]}"
        for line, target in _imported_components(path)
        if target != own and RANK[target] >= RANK[own]
    ]
    assert wrong == []


def test_layer_check_sees_lazy_and_relative_imports(tmp_path: Path, monkeypatch):
    """The checker itself must catch an upward import hidden inside a function."""
    fake = PACKAGE / "engines" / "base.py"
    source = "def f():\n    from ..runner import Runner\n    from . import base\n"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source)
    assert (2, "runner") in _imported_components(fake)


# The words written into files: changing one breaks files already written
# (TSV flags, XLIFF states, memory origins) and readers' scripts.
@pytest.mark.parametrize(
    ("enum", "words"),
    [
        (
            vocabulary.Flag,
            "empty truncated untranslated repetition numbers term length low-confidence split "
            "symbols "
            "markup reviewed",
        ),
        (vocabulary.TermStatus, "present restored missing"),
        (vocabulary.Status, "translated skipped failed"),
        (vocabulary.Origin, "engine memory reviewed copied"),
        (vocabulary.EntryOrigin, "machine reviewed"),
    ],
)
def test_vocabulary_words_do_not_change(enum, words):
    assert [m.value for m in enum] == words.split()


def test_writer_registry_matches_the_format_vocabulary():
    from translate_cli.writers import FORMATS as REGISTRY

    assert set(REGISTRY) == set(vocabulary.FORMATS)


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("formats", ("tsv", "docx2"), "format"),
        ("engine", "fast", "engine"),
        ("device", "tpu", "device"),
        ("compute_type", "int4", "compute type"),
    ],
)
def test_settings_reject_unknown_choices_when_built(field, value, kind):
    with pytest.raises(UsageError, match=f"unknown {kind} '[^']+'; expected one of: ") as info:
        Settings(**{field: value})
    choices = {
        "formats": vocabulary.FORMATS,
        "engine": vocabulary.ENGINES,
        "device": vocabulary.DEVICES,
        "compute_type": vocabulary.COMPUTE_TYPES,
    }[field]
    assert all(c in str(info.value) for c in choices)
