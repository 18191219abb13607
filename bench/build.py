"""Which build of causemap the benchmarks run: the release build or plain Python.

``make bench`` runs them on the release build, whose cross-incident hot path is compiled
with mypyc (``make compiled``, ``PYTHONPATH=build/compiled``), as users get it from a
release wheel. The patterns rows also time the plain-Python sources, which an editable
install or a plain wheel runs.
"""

from __future__ import annotations

import importlib.machinery
import os
from pathlib import Path

import causemap.patterns.index

ROOT = Path(__file__).resolve().parents[1]


def is_compiled() -> bool:
    """Whether this process runs the compiled modules."""
    loader = causemap.patterns.index.__loader__
    return isinstance(loader, importlib.machinery.ExtensionFileLoader)


def describe() -> str:
    """The build, in words, with where it was imported from."""
    where = Path(causemap.patterns.index.__file__ or "").parents[2]
    kind = "release build, hot path compiled with mypyc" if is_compiled() else "plain Python"
    return f"{kind} ({os.path.relpath(where, ROOT)})"


def plain_python() -> dict[str, str]:
    """Environment variables that make a subprocess run the plain-Python sources."""
    return {"PYTHONPATH": str(ROOT / "src")}
