"""The wheel ships the package and its data, and none of the test or benchmark tooling.

The wheel is built the way a user's ``pip install .`` builds it, but offline
(``--no-build-isolation --no-index``: the setuptools of the running
interpreter is the backend) and from a copy of the checkout, so the build's
``build/`` and ``*.egg-info`` folders never land in the working tree.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "translate_cli"
# What a checkout holds beside the sources: never part of a build's input.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "out"
)


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Every file of a freshly built wheel, by its path inside the wheel."""
    for module in ("pip", "setuptools"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed: cannot build the wheel offline")
    tmp = tmp_path_factory.mktemp("wheel")
    source, out = tmp / "src", tmp / "dist"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    command += ["--no-index", "--quiet", "--wheel-dir", str(out), str(source)]
    built = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = out.glob("translate_cli-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_wheel_ships_no_test_or_benchmark_tooling(wheel_files: dict[str, bytes]) -> None:
    tooling = [
        name
        for name in wheel_files
        if name.startswith(("tests/", "benchmarks/"))
        or "offline_models" in name
        or "segment_eval" in name
    ]
    assert tooling == []
    top_level = {name.split("/")[0] for name in wheel_files}
    assert {name for name in top_level if not name.endswith(".dist-info")} == {"translate_cli"}


def test_wheel_ships_every_module_of_the_package(wheel_files: dict[str, bytes]) -> None:
    modules = {p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*.py")}
    assert modules == {name for name in wheel_files if name.endswith(".py")}


PACKAGE_DATA = [
    "translate_cli/py.typed",
    "translate_cli/writers/assets/review.css",
    "translate_cli/writers/assets/review.js",
]


@pytest.mark.parametrize("data", PACKAGE_DATA)
def test_wheel_ships_package_data(wheel_files: dict[str, bytes], data: str) -> None:
    assert data in wheel_files
    assert wheel_files[data] == (ROOT / data).read_bytes()
