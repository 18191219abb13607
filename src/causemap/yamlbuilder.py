"""The YAML builder: libyaml's event stream → plain Python values, refusing what the
format does not allow.

The builder

* resolves scalars by the YAML 1.2 core schema, so ``no``, ``on`` and ``2017-02-28`` stay
  strings and only ``true``/``false`` are booleans (no "Norway problem");
* rejects non-string keys, merge keys, custom tags, multi-document streams, undefined
  aliases and recursive ones (a node that contains an alias of itself);
* reports every duplicate key, keeping its first value, and still builds the document,
  so that a validator can report its other problems in the same run;
* bounds alias expansion by computing each node's expanded size once, so a "billion
  laughs" file fails in milliseconds instead of being expanded.

It stands apart from :mod:`causemap.source`, which decodes bytes, reads JSON and turns
what the builder refuses into diagnostics.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Container
from types import SimpleNamespace
from typing import Any

import yaml

from causemap.sourcemap import YAML_LOADER, Lines

__all__ = ["FLOAT", "MAX_VALUES", "Builder", "Rejected", "top_level_keys"]

MAX_VALUES = 1_000_000
"""Largest number of values a document may expand to (aliases counted as expanded)."""

_TAG = "tag:yaml.org,2002:"
_IMPLICIT = {_TAG + t for t in ("str", "bool", "int", "float", "null", "timestamp")}
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
"""A YAML 1.2 core schema float (plain scalars matching it are numbers, not text)."""


class Rejected(Exception):
    """A part of the document the format refuses: a diagnostic's code and message, the
    YAML mark where it starts and the path to it, for :mod:`causemap.source` to report."""

    def __init__(self, code: str, message: str, mark: Any, path: list[str | int]) -> None:
        super().__init__(message)
        self.code, self.message, self.mark, self.path = code, message, mark, path


def top_level_keys(text: str, enough: Container[str] = ()) -> list[str] | None:
    """The keys of a YAML document's top-level mapping, read from libyaml's events
    without building any value: no memory beyond the text, two thirds of the time
    :func:`~causemap.source.parse` takes.

    Reading stops at the first key in ``enough``. None when the text is not readable
    YAML or not one document that is a mapping with plain keys:
    :func:`~causemap.source.parse` says why.
    """
    keys: list[str] = []
    events = yaml.parse(text, Loader=YAML_LOADER)
    try:
        head = [type(next(events)) for _ in range(3)]
        if head != [yaml.StreamStartEvent, yaml.DocumentStartEvent, yaml.MappingStartEvent]:
            return None
        depth, key = 1, True
        for event in events:
            if depth == 1 and key:
                if isinstance(event, yaml.MappingEndEvent):
                    rest = [type(e) for e in events]
                    return keys if rest == [yaml.DocumentEndEvent, yaml.StreamEndEvent] else None
                if not isinstance(event, yaml.ScalarEvent):
                    return None
                keys.append(event.value)
                if event.value in enough:
                    return keys
                key = False
                continue
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            key = depth == 1
    except (yaml.YAMLError, StopIteration):
        return None
    return None


class Builder:
    """Builds plain values straight from libyaml's event stream.

    Composing a node tree first costs ten times as much as the events themselves, so the
    tree is only composed later, on the error path, to locate diagnostics. Aliases reuse
    the anchored value; their expanded size is added to a running total so that a
    document that would expand past MAX_VALUES is refused before anything is expanded.

    An anchor names its node from where it appears, so an alias inside the collection it
    anchors (``&a [*a]``) would make the document contain itself: that is refused, and
    so is an alias with no anchor before it.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.events = yaml.parse(text, Loader=YAML_LOADER)
        self.anchors: dict[str, tuple[Any, int] | None] = {}
        """Value and expanded size by anchor; None while the anchored collection is open."""
        self.defined: dict[str, int] = {}
        """Which definition of each anchor is the latest (anchors may be redefined)."""
        self.definitions = 0
        self.total = 0
        self.duplicates: list[Rejected] = []
        """Each key met again in its mapping, in document order."""
        self._lines: Lines | None = None

    @property
    def lines(self) -> Lines:
        """Lines of the text, made once, when a diagnostic needs one."""
        if self._lines is None:
            self._lines = Lines(self.text)
        return self._lines

    def build(self) -> Any:
        documents = 0
        value: Any = None
        for event in self.events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise Rejected(
                        "multiple-documents",
                        "expected one YAML document, found several (one per file)",
                        event.start_mark,
                        [],
                    )
                value, _ = self._value(next(self.events), [], 0)
        if documents == 0:
            raise Rejected(
                "empty",
                "document is empty",
                SimpleNamespace(index=0),
                [],
            )
        return value

    def _count(self, size: int, event: yaml.Event, path: list[str | int]) -> None:
        self.total += size
        if self.total > MAX_VALUES:
            raise Rejected(
                "too-large",
                f"document expands to more than {MAX_VALUES:,} values "
                "(aliases that multiply, as in a 'billion laughs' file)",
                event.start_mark,
                path,
            )

    def _value(self, event: yaml.Event, path: list[str | int], depth: int) -> tuple[Any, int]:
        """Return (value, expanded size) of the node that starts with ``event``."""
        if isinstance(event, yaml.AliasEvent):
            return self._alias(event, path)
        if depth > 64:
            raise Rejected(
                "too-deep", "document is nested more than 64 levels deep", event.start_mark, path
            )
        assert isinstance(event, yaml.NodeEvent)
        anchor = event.anchor
        definition = 0 if anchor is None else self._define(anchor)
        if isinstance(event, yaml.ScalarEvent):
            value, size = _scalar(event, path), 1
            self._count(1, event, path)
        elif isinstance(event, yaml.SequenceStartEvent):
            _check_tag(event, "seq", path)
            value, size = [], 1
            self._count(1, event, path)
            for child in self.events:
                if isinstance(child, yaml.SequenceEndEvent):
                    break
                item, item_size = self._value(child, [*path, len(value)], depth + 1)
                value.append(item)
                size += item_size
        else:
            assert isinstance(event, yaml.MappingStartEvent)
            value, size = self._mapping(event, path, depth)
        if anchor is not None and self.defined[anchor] == definition:
            self.anchors[anchor] = (value, size)
        return value, size

    def _define(self, anchor: str) -> int:
        """Open a definition of ``anchor``; return its number."""
        self.definitions += 1
        self.defined[anchor] = self.definitions
        self.anchors[anchor] = None
        return self.definitions

    def _alias(self, event: yaml.AliasEvent, path: list[str | int]) -> tuple[Any, int]:
        """The value an alias stands for, counted as expanded."""
        assert event.anchor is not None
        if event.anchor not in self.anchors:
            raise Rejected(
                "undefined-alias",
                f"alias *{event.anchor} has no anchor &{event.anchor} before it",
                event.start_mark,
                path,
            )
        found = self.anchors[event.anchor]
        if found is None:
            raise Rejected(
                "recursive-alias",
                f"alias *{event.anchor} is inside the node anchored &{event.anchor}, so the "
                "document would contain itself; recursive structures are not supported",
                event.start_mark,
                path,
            )
        value, size = found
        self._count(size, event, path)
        return value, size

    def _mapping(
        self, event: yaml.MappingStartEvent, path: list[str | int], depth: int
    ) -> tuple[dict[str, Any], int]:
        _check_tag(event, "map", path)
        out: dict[str, Any] = {}
        starts: dict[str, Any] = {}
        size = 1
        self._count(1, event, path)
        for key_event in self.events:
            if isinstance(key_event, yaml.MappingEndEvent):
                break
            if not isinstance(key_event, yaml.ScalarEvent):
                raise Rejected(
                    "invalid-key", "mapping keys must be plain strings", key_event.start_mark, path
                )
            key = key_event.value
            if key == "<<" and not key_event.style:
                raise Rejected(
                    "merge-key",
                    "merge keys ('<<') are not supported; write the keys out",
                    key_event.start_mark,
                    path,
                )
            if key in out:
                first = self.lines.mark(starts[key])[0]
                message = f"duplicate key '{key}' (first defined on line {first})"
                self.duplicates.append(
                    Rejected("duplicate-key", message, key_event.start_mark, [*path, key])
                )
                # Its value is read, and refused as any other would be, then dropped.
                self._value(next(self.events), [*path, key], depth + 1)
                continue
            starts[key] = key_event.start_mark
            out[key], item_size = self._value(next(self.events), [*path, key], depth + 1)
            size += item_size + 1
        return out, size


def _check_tag(event: yaml.CollectionStartEvent, kind: str, path: list[str | int]) -> None:
    if event.tag not in (None, "!", _TAG + kind):
        raise Rejected("yaml-tag", f"unsupported YAML tag '{event.tag}'", event.start_mark, path)


def _scalar(event: yaml.ScalarEvent, path: list[str | int]) -> Any:
    tag, text = event.tag, event.value
    if tag in (None, "!"):
        if event.style or tag == "!":  # quoted or block ('' or None means plain)
            return text
        return _plain(event, path)
    if tag in (_TAG + "str", _TAG + "timestamp"):
        return text
    if tag in _IMPLICIT:
        resolved = _plain(event, path)
        wanted = {"bool": bool, "int": int, "float": float, "null": type(None)}.get(
            tag.removeprefix(_TAG)
        )
        if wanted is not None and type(resolved) is wanted:
            return resolved
        if tag == _TAG + "float" and type(resolved) is int:
            return float(resolved)
    raise Rejected("yaml-tag", f"unsupported YAML tag '{tag}'", event.start_mark, path)


def _plain(event: yaml.ScalarEvent, path: list[str | int]) -> Any:
    """:func:`_resolve_plain`, refusing an integer too long for ``int()`` at its place."""
    try:
        return _resolve_plain(event.value)
    except ValueError:
        digits = len(event.value.lstrip("+-"))
        limit = sys.get_int_max_str_digits()
        message = f"a number of {digits:,} digits; causemap reads numbers of up to {limit:,}"
        raise Rejected("number-too-large", message, event.start_mark, path) from None


def _resolve_plain(text: str) -> Any:
    """YAML 1.2 core schema for plain scalars: null, true/false, numbers, else text."""
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        return int(text)
    if FLOAT.match(text):
        return float(text)
    return text
