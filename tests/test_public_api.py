"""The library façade: a curated, sorted ``__all__`` whose names all resolve."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType

import causemap


def test_all_is_sorted_and_resolves() -> None:
    assert causemap.__all__ == sorted(causemap.__all__, key=str.casefold)
    for name in causemap.__all__:
        assert getattr(causemap, name) is not None


def test_public_names_are_all_exported() -> None:
    public = {
        n
        for n in dir(causemap)
        if not n.startswith("_") and not isinstance(getattr(causemap, n), ModuleType)
    }
    assert public == set(causemap.__all__) - {"__version__"}


def test_import_is_light() -> None:
    code = "import sys, causemap; print('networkx' in sys.modules, 'pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
