"""Positions in a document's text: character offsets and JSON pointers → (line, column).

Every diagnostic names a line and a column, counted the same way whatever found the
problem. This stands apart from reading values (:mod:`causemap.yamlbuilder`) because
positions are wanted only on the error path: the node tree is composed lazily, once a
diagnostic needs a place.
"""

from __future__ import annotations

import contextlib
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Any

import yaml

from causemap.collector import paused_gc
from causemap.diagnostics import Diagnostic, in_document_order

__all__ = ["YAML_LOADER", "Lines", "SourceMap"]

YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The safe YAML loader (libyaml's when present): the values are built, and the positions
composed, from the same reading of the text."""

_BREAK = re.compile(r"\r\n?|\n")


class Lines:
    """Turns a character offset into a 1-based (line, column), for every diagnostic alike.

    Lines end at LF, CRLF or a lone CR, as editors and YAML 1.2 count them; libyaml's own
    marks also end lines at NEL, U+2028 and U+2029, and JSON's at LF only, so neither is
    used for lines directly.

    Examples
    --------
    >>> Lines("a\\rb\\r\\nc\\u2028d").position(7)
    (3, 3)
    """

    def __init__(self, text: str) -> None:
        self._starts = [0, *(m.end() for m in _BREAK.finditer(text))]

    def position(self, index: int) -> tuple[int, int]:
        """The line and column of the character at ``index``."""
        line = bisect_right(self._starts, index)
        return line, index - self._starts[line - 1] + 1

    def mark(self, mark: Any) -> tuple[int, int]:
        """The line and column of a YAML mark."""
        return self.position(mark.index)


class SourceMap:
    """Resolves JSON pointers to 1-based (line, column) in the source text."""

    def __init__(self, text: str | None = None) -> None:
        self._root: yaml.Node | None = None
        self._text = text
        self._lines: Lines | None = None
        self._keys: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}
        """Each searched mapping's entries by key (the first of duplicates), so that
        placing every error of a wide mapping is linear, not quadratic."""

    def _tree(self) -> yaml.Node | None:
        if self._root is None and self._text is not None:
            with contextlib.suppress(yaml.YAMLError, RecursionError), paused_gc():
                self._root = yaml.compose(self._text, Loader=YAML_LOADER)
            self._lines = Lines(self._text)
            self._text = None
        return self._root

    def locate(self, parts: Sequence[str | int], *, key: bool = False) -> tuple[int, int] | None:
        """Return where the value at ``parts`` starts (or its key, with ``key=True``).

        A path that goes further than the document resolves to its deepest existing part.
        """
        node = self._tree()
        if node is None:
            return None
        mark = node.start_mark
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, yaml.MappingNode):
                found = self._entries(node).get(str(part))
                if found is None:
                    break
                mark = found[0].start_mark if (last and key) else found[1].start_mark
                node = found[1]
            elif isinstance(node, yaml.SequenceNode):
                try:
                    node = node.value[int(part)]
                except (ValueError, IndexError):
                    break
                mark = node.start_mark
            else:
                break
        assert self._lines is not None
        return self._lines.mark(mark)

    def _entries(self, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        entries = self._keys.get(id(node))
        if entries is None:
            entries = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    entries.setdefault(k.value, (k, v))
            self._keys[id(node)] = entries
        return entries

    def place(self, diagnostic: Diagnostic, *, key: bool = False) -> Diagnostic:
        """Return ``diagnostic`` with its line and column filled in from its pointer."""
        if diagnostic.line is not None:
            return diagnostic
        from causemap.diagnostics import pointer_parts

        where = self.locate(pointer_parts(diagnostic.pointer), key=key)
        if where is None:
            return diagnostic
        return diagnostic.model_copy(update={"line": where[0], "column": where[1]})

    def place_all(self, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
        """Every diagnostic placed (an unknown key at the key itself, not its value), in
        the order of the document."""
        placed = [self.place(d, key=d.code == "unknown-key") for d in diagnostics]
        return in_document_order(placed)
