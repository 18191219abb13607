"""Positions in a document's text: character offsets and JSON pointers → (line, column).

Every diagnostic names a line and a column, counted the same way whatever found the
problem. This stands apart from reading values (:mod:`causemap.yamlbuilder`) because
positions are wanted only on the error path: the node tree is composed lazily, once a
diagnostic needs a place.

JSON text is not composed as YAML: YAML allows an implicit key of at most 1,024
characters, so one longer JSON key would leave every diagnostic of the file unplaced.
A :class:`JsonIndex` finds the members of only the objects and arrays a pointer passes
through, each once.
"""

from __future__ import annotations

import contextlib
import json
import json.decoder
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import yaml

from causemap.collector import paused_gc
from causemap.diagnostics import Diagnostic, in_document_order

__all__ = ["YAML_LOADER", "JsonIndex", "Lines", "SourceMap"]

YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The safe YAML loader (libyaml's when present): the values are built, and the positions
composed, from the same reading of the text."""

_BREAK = re.compile(r"\r\n?|\n")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")


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


class JsonIndex:
    """Where the keys and values of a JSON text's objects and arrays start.

    The text must be valid JSON (it is indexed only after it was read). An object or array
    is scanned once, when a pointer first passes through it: its keys are read and each
    value skipped by the C decoder, so placing every error of a wide object is linear.

    Examples
    --------
    >>> index = JsonIndex('{"a": [1, {"b": 2}], "a": 0}')
    >>> index.find(["a", 1, "b"]), index.find(["a", 1, "b"], key=True), index.find(["c"])
    (16, 11, 0)
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._decoder = json.JSONDecoder()
        self._members: dict[int, dict[str, tuple[int, int]] | list[int]] = {}
        self._repeats: dict[int, list[tuple[str, int]]] = {}
        """Each scanned object's repeated keys, with where each repeat starts."""

    def _space(self, index: int) -> int:
        match = _JSON_SPACE.match(self._text, index)
        assert match is not None  # "*" matches the empty string
        return match.end()

    def _after(self, value: int) -> int:
        """Where the next member, or the end, of the container holding the value at
        ``value`` starts: past the value, white space and a comma."""
        _, end = self._decoder.raw_decode(self._text, value)
        end = self._space(end)
        return self._space(end + 1) if self._text[end] == "," else end

    def members(self, start: int) -> dict[str, tuple[int, int]] | list[int] | None:
        """The members of the object (each key's and value's start, the first of
        duplicates, as the reader keeps it) or array (each item's start) at ``start``."""
        found = self._members.get(start)
        if found is not None:
            return found
        text, opened = self._text, self._text[start : start + 1]
        if opened == "{":
            entries: dict[str, tuple[int, int]] = {}
            at = self._space(start + 1)
            while text[at] == '"':
                name, end = json.decoder.scanstring(text, at + 1)  # type: ignore[attr-defined]
                value = self._space(self._space(end) + 1)  # past the ":"
                if name in entries:
                    self._repeats.setdefault(start, []).append((name, at))
                else:
                    entries[name] = (at, value)
                at = self._after(value)
            found = entries
        elif opened == "[":
            items: list[int] = []
            at = self._space(start + 1)
            while text[at] != "]":
                items.append(at)
                at = self._after(at)
            found = items
        else:
            return None
        self._members[start] = found
        return found

    def duplicates(self) -> list[tuple[list[str | int], int, int]]:
        """Every repeated key in the text: its path, where it starts and where its first
        occurrence starts, in the order of the text. Only the values the reader keeps
        (the first of duplicates) are searched."""
        found: list[tuple[list[str | int], int, int]] = []
        stack: list[tuple[int, list[str | int]]] = [(self._space(0), [])]
        while stack:
            start, path = stack.pop()
            members = self.members(start)
            if isinstance(members, dict):
                for name, at in self._repeats.get(start, []):
                    found.append(([*path, name], at, members[name][0]))
                stack += [(value, [*path, k]) for k, (_, value) in members.items()]
            elif isinstance(members, list):
                stack += [(value, [*path, i]) for i, value in enumerate(members)]
        return sorted(found, key=lambda item: item[1])

    def find(self, parts: Sequence[str | int], *, key: bool = False) -> int:
        """Where the value at ``parts`` starts (or its key, with ``key=True``); a path
        that goes further than the text resolves to its deepest existing part."""
        node = place = self._space(0)
        for i, part in enumerate(parts):
            members = self.members(node)
            if isinstance(members, dict):
                entry = members.get(str(part))
                if entry is None:
                    break
                node = entry[1]
                place = entry[0] if (key and i == len(parts) - 1) else node
            elif isinstance(members, list):
                try:
                    node = place = members[int(part)]
                except (ValueError, IndexError):
                    break
            else:
                break
        return place


class SourceMap:
    """Resolves JSON pointers to 1-based (line, column) in the source text, read as YAML
    or, with ``syntax="json"``, as JSON."""

    def __init__(self, text: str | None = None, syntax: Literal["yaml", "json"] = "yaml") -> None:
        self._root: yaml.Node | None = None
        self._text = text
        self._json = JsonIndex(text) if text is not None and syntax == "json" else None
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
        if self._json is not None:
            if self._lines is None:
                assert self._text is not None
                self._lines = Lines(self._text)
            try:
                return self._lines.position(self._json.find(parts, key=key))
            except (ValueError, IndexError, RecursionError):  # not JSON after all
                return None
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

    def duplicate_keys(self) -> list[tuple[list[str | int], tuple[int, int], int]]:
        """A JSON text's repeated keys: each one's path, (line, column) and the line of its
        first occurrence, in the order of the text; none for YAML or text not JSON."""
        if self._json is None:
            return []
        assert self._text is not None
        lines = self._lines = self._lines or Lines(self._text)
        try:
            found = self._json.duplicates()
        except (ValueError, IndexError, RecursionError):
            return []
        return [(path, lines.position(at), lines.position(first)[0]) for path, at, first in found]

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
