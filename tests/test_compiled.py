"""The release build (mypyc-compiled modules, ``make compiled``) and plain Python agree.

The whole suite runs on the editable install, plain Python; ``make test`` then runs the
compiled modules' tests again on the release build, with ``CAUSEMAP_EXPECT_COMPILED=1``.
These tests hold in both runs: each checks that the modules are what that run expects
(a compiled module left beside the sources would shadow them in the editable install),
and compares this process's output with the other build's, run as a subprocess.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT
from tests.corpus import CORPUS

COMPILED = ROOT / "build" / "compiled"
EXPECT_COMPILED = os.environ.get("CAUSEMAP_EXPECT_COMPILED") == "1"


def compiled_modules() -> list[str]:
    """The modules the release wheel compiles, as pyproject.toml lists them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    paths = config["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]["include"]
    return [p.removeprefix("src/").removesuffix(".py").replace("/", ".") for p in paths]


def is_extension(name: str) -> bool:
    loader = importlib.import_module(name).__loader__
    return isinstance(loader, importlib.machinery.ExtensionFileLoader)


def test_the_compiled_modules_are_the_hot_path() -> None:
    # The list names real modules, among them those that score and match every node.
    names = compiled_modules()
    hot = {"causemap.patterns.index", "causemap.patterns.text", "causemap.patterns.matching"}
    assert hot <= set(names)
    for name in names:
        assert (ROOT / "src" / (name.replace(".", "/") + ".py")).is_file(), name


def test_each_module_is_what_this_run_expects() -> None:
    kinds = {name: is_extension(name) for name in compiled_modules()}
    assert kinds == dict.fromkeys(kinds, EXPECT_COMPILED)
    # Never a stale compiled module beside the sources, whichever run this is.
    assert not list((ROOT / "src").rglob("*.so"))


def other_build() -> dict[str, str]:
    """The environment that runs the other build in a subprocess."""
    if EXPECT_COMPILED:
        return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "CAUSEMAP_EXPECT_COMPILED": "0"}
    if not (COMPILED / ".built").is_file():
        pytest.fail(f"no compiled build in {COMPILED}: run `make compiled` (make test does)")
    return {**os.environ, "PYTHONPATH": str(COMPILED), "CAUSEMAP_EXPECT_COMPILED": "1"}


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> bytes:
    done = subprocess.run(
        [sys.executable, "-m", "causemap", *args],
        capture_output=True,
        env={**env, "CAUSEMAP_CACHE_DIR": str(tmp_path / "cache")},
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "html"])
def test_both_builds_write_the_same_patterns_report(fmt: str, tmp_path: Path) -> None:
    # The corpus exercises every compiled module: reduction, scoring, matching, report.
    args = ["patterns", *map(str, EXAMPLES), str(CORPUS), "--format", fmt]
    here = run(args, dict(os.environ), tmp_path)
    there = run(args, other_build(), tmp_path)
    assert len(here) > 10_000
    assert here == there


@pytest.mark.slow
def test_both_builds_give_the_same_suggestions(tmp_path: Path) -> None:
    for example in EXAMPLES:
        args = ["suggest", str(example), "--format", "json", "--no-cache"]
        here = run(args, dict(os.environ), tmp_path)
        assert here == run(args, other_build(), tmp_path)
        assert b'"confidence"' in here
