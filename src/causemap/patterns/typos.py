"""The typo rule for factor keys, now :mod:`causemap.typos` (below the catalog, which uses
it too); re-exported here so that imports of this module's old path still work."""

from __future__ import annotations

from causemap.typos import Typos, allowed_edits, edits, same_words, spelling, typo_of

__all__ = ["Typos", "allowed_edits", "edits", "same_words", "spelling", "typo_of"]
