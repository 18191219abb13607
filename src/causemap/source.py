"""Reading document text safely: bytes → plain Python values, plus a map back to lines.

YAML is parsed with the safe composer only (libyaml when present) and converted to
plain values by our own walker, which

* resolves scalars by the YAML 1.2 core schema, so ``no``, ``on`` and ``2017-02-28`` stay
  strings and only ``true``/``false`` are booleans (no "Norway problem");
* rejects non-string keys, merge keys, custom tags, multi-document streams, undefined
  aliases and recursive ones (a node that contains an alias of itself);
* reports every duplicate key, keeping its first value, and still builds the document,
  so that a validator can report its other problems in the same run;
* bounds alias expansion by computing each node's expanded size once, so a "billion
  laughs" file fails in milliseconds instead of being expanded.

JSON is parsed with the standard library, reporting duplicate keys alike. Positions are kept as
the composed YAML node tree and resolved to a line only when a diagnostic needs one; JSON
positions come from composing the same text as YAML, lazily, on the error path only.
"""

from __future__ import annotations

import contextlib
import json
import json.decoder
import json.scanner
import os
import re
import sys
from bisect import bisect_right
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any, Literal

import yaml

from causemap.collector import paused_gc
from causemap.diagnostics import Diagnostic, in_document_order, pointer

__all__ = [
    "FLOAT",
    "MAX_BYTES",
    "MAX_VALUES",
    "Lines",
    "Parsed",
    "SourceMap",
    "detect_format",
    "parse",
    "read_document",
    "read_stream",
    "top_level_keys",
]

MAX_BYTES = 16 * 1024 * 1024
"""Largest document accepted, in bytes."""
MAX_VALUES = 1_000_000
"""Largest number of values a document may expand to (aliases counted as expanded)."""

Format = Literal["yaml", "json"]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
_IMPLICIT = {_TAG + t for t in ("str", "bool", "int", "float", "null", "timestamp")}
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
"""A YAML 1.2 core schema float (plain scalars matching it are numbers, not text)."""
_BREAK = re.compile(r"\r\n?|\n")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


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
                self._root = yaml.compose(self._text, Loader=_Loader)
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


@dataclass
class Parsed:
    """The outcome of parsing one document."""

    value: Any = None
    """Plain Python data (dicts, lists, str, int, float, bool, None), or None on error."""
    sourcemap: SourceMap = field(default_factory=SourceMap)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    format: Format = "yaml"
    built: bool = False
    """Whether ``value`` is the document. It may be despite ``diagnostics`` when they are
    duplicate keys only (each keeps its first value): validate it to report the
    document's other problems in the same run, but never accept it."""


class _Reject(Exception):
    def __init__(self, code: str, message: str, mark: Any, path: list[str | int]) -> None:
        super().__init__(message)
        self.code, self.message, self.mark, self.path = code, message, mark, path


def detect_format(name: str, text: str) -> Format:
    """Pick ``json`` for ``.json`` files or text starting with ``{``, else ``yaml``."""
    lowered = name.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith((".yaml", ".yml")):
        return "yaml"
    return "json" if text.lstrip()[:1] == "{" else "yaml"


def _error(
    code: str,
    message: str,
    file: str,
    line: int | None = None,
    column: int | None = None,
    ptr: str = "",
) -> Diagnostic:
    return Diagnostic(
        severity="error",
        code=code,
        message=message,
        file=file,
        line=line,
        column=column,
        pointer=ptr,
    )


def read_stream(stream: IO[bytes]) -> bytes:
    """Read a document from ``stream``, stopping one byte past :data:`MAX_BYTES`.

    That is enough for :func:`parse` to refuse it as too large, without holding a huge
    file, or a device or pipe that never ends (``/dev/zero``), in memory.
    """
    chunks: list[bytes] = []
    left = MAX_BYTES + 1
    while left > 0 and (chunk := stream.read(min(left, 1 << 20))):
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_document(path: str | os.PathLike[str]) -> bytes:
    """Read the document file at ``path`` as :func:`read_stream` does.

    Raises
    ------
    OSError
        If the file cannot be opened or read.
    """
    with Path(path).open("rb") as stream:
        return read_stream(stream)


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32, told by the byte order mark or, without one, by the NUL bytes
    around the first two characters (a document starts with ASCII: a key, '#' or '{')."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    zeros = tuple(byte == 0 for byte in data[:4])
    if zeros in ((False, True, True, True), (True, True, True, False)):
        return "UTF-32"
    if zeros in ((False, True, False, True), (True, False, True, False)):
        return "UTF-16"
    return None


def decode(data: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    """Decode UTF-8 text, rejecting binary content, bad encodings and oversized input."""
    if len(data) > MAX_BYTES:  # perhaps read only this far: its size is unknown
        return None, [
            _error("too-large", f"document is larger than {MAX_BYTES:,} bytes, the limit", file)
        ]
    if wide := _wide_encoding(data):
        return None, [_error("encoding", f"document is {wide}; save it as UTF-8", file, 1, 1)]
    if b"\x00" in data:
        before = data[: data.index(b"\x00")].decode("utf-8", "replace")
        line, _ = Lines(before).position(len(before))
        return None, [_error("binary", "not a text document (contains NUL bytes)", file, line)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        before = data[:start].decode("utf-8-sig")
        line, column = Lines(before).position(len(before))
        return None, [
            _error(
                "encoding",
                f"invalid UTF-8: byte 0x{data[start]:02x} at offset "
                f"{start} cannot be decoded; save the file as UTF-8",
                file,
                line,
                column,
            )
        ]
    return text, []


def parse(data: bytes | str, file: str = "<input>", fmt: Format | None = None) -> Parsed:
    """Parse document bytes or text into plain values, never raising for bad input."""
    if isinstance(data, bytes):
        text, problems = decode(data, file)
        if text is None:
            return Parsed(diagnostics=problems)
    else:
        text = data
        if len(text) > MAX_BYTES:
            return Parsed(
                diagnostics=[
                    _error(
                        "too-large",
                        f"document is {len(text):,} characters; the limit is {MAX_BYTES:,}",
                        file,
                    )
                ]
            )
    fmt = fmt or detect_format(file, text)
    with paused_gc():
        return _parse_json(text, file) if fmt == "json" else _parse_yaml(text, file)


def top_level_keys(text: str, enough: Container[str] = ()) -> list[str] | None:
    """The keys of a YAML document's top-level mapping, read from libyaml's events
    without building any value: no memory beyond the text, two thirds of the time
    :func:`parse` takes.

    Reading stops at the first key in ``enough``. None when the text is not readable
    YAML or not one document that is a mapping with plain keys: :func:`parse` says why.
    """
    keys: list[str] = []
    events = yaml.parse(text, Loader=_Loader)
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


def _parse_json(text: str, file: str) -> Parsed:
    sourcemap = SourceMap(text=text)

    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                duplicates.append(k)  # the first value stays, as in YAML
            else:
                out[k] = v
        return out

    try:
        value = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        line, column = Lines(text).position(exc.pos)
        message = exc.msg[:1].lower() + exc.msg[1:]
        return Parsed(
            format="json", diagnostics=[_error("json-syntax", message, file, line, column)]
        )
    except RecursionError:
        # The YAML walker stops at the same nesting, where it starts (line and pointer).
        located = _parse_yaml(text, file)
        deep = [d for d in located.diagnostics if d.code == "too-deep"]
        message = "document is nested too deeply"
        return Parsed(format="json", diagnostics=deep or [_error("too-deep", message, file)])
    except ValueError:
        # int() refuses a number longer than sys.get_int_max_str_digits(); the YAML
        # walker meets the same number and knows where it is.
        located = _parse_yaml(text, file)
        long = [d for d in located.diagnostics if d.code == "number-too-large"]
        message = "a number has more digits than causemap reads"
        return Parsed(
            format="json", diagnostics=long or [_error("number-too-large", message, file)]
        )
    if _SURROGATE_ESCAPE.search(text) and _holds_surrogate(value):
        lone = _lone_surrogate(text)
        where = Lines(text).position(lone) if lone is not None else (None, None)
        message = "a string holds half of a UTF-16 surrogate pair (a lone \\ud800-\\udfff escape)"
        return Parsed(format="json", diagnostics=[_error("json-syntax", message, file, *where)])
    dupes: list[Diagnostic] = []
    if duplicates:  # the YAML walker finds the same duplicates and knows where they are
        walked = _parse_yaml(text, file).diagnostics
        dupes = [d for d in walked if d.code == "duplicate-key"] or [
            _error("duplicate-key", f"duplicate key '{k}'", file) for k in duplicates
        ]
    return Parsed(value=value, sourcemap=sourcemap, diagnostics=dupes, format="json", built=True)


def _holds_surrogate(value: Any) -> bool:
    """Whether a key or string in ``value`` holds a lone surrogate (``"\\ud83d"`` without
    its pair, as a cut emoji leaves): Python's JSON reader lets it through as text that
    nothing can encode."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _lone_surrogate(text: str) -> int | None:
    """Where the first string value with a lone surrogate starts, or None (a key).

    The C scanner tells no position, so the text is read again with the Python one,
    which checks every string as it goes.
    """
    found: list[int] = []

    def string(s: str, end: int, strict: bool = True) -> tuple[str, int]:
        value, after = json.decoder.scanstring(s, end, strict)  # type: ignore[attr-defined]
        if not found and _SURROGATE.search(value):
            found.append(end - 1)
        return value, after

    decoder = json.JSONDecoder()
    decoder.parse_string = string  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    with contextlib.suppress(ValueError, RecursionError):
        decoder.decode(text)
    return found[0] if found else None


def _parse_yaml(text: str, file: str) -> Parsed:
    """Build the document; every duplicate key found before any other problem is
    reported with it."""
    sourcemap = SourceMap(text=text)
    builder = _Builder(text)

    def rejected(exc: _Reject) -> Diagnostic:
        line, column = builder.lines.mark(exc.mark) if exc.mark else (None, None)
        return _error(exc.code, exc.message, file, line, column, pointer(exc.path))

    try:
        value = builder.build()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = builder.lines.mark(mark) if mark else (None, None)
        context = exc.context
        if context and exc.context_mark and exc.problem_mark:
            # An unclosed quote or bracket is found where the text ends, maybe far below.
            start = builder.lines.mark(exc.context_mark)
            if start[0] != line:
                context = f"{context} (from line {start[0]}, column {start[1]})"
        problem = " ".join(str(p) for p in (context, exc.problem) if p)
        code = "too-deep" if "nesting depth" in problem else "yaml-syntax"
        last = _error(code, problem or "invalid YAML", file, line, column)
    except yaml.YAMLError as exc:
        last = _error("yaml-syntax", str(exc).splitlines()[0], file)
    except _Reject as exc:
        last = rejected(exc)
    else:
        dupes = [rejected(d) for d in builder.duplicates]
        return Parsed(value=value, sourcemap=sourcemap, diagnostics=dupes, built=True)
    return Parsed(sourcemap=sourcemap, diagnostics=[*map(rejected, builder.duplicates), last])


class _Builder:
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
        self.events = yaml.parse(text, Loader=_Loader)
        self.anchors: dict[str, tuple[Any, int] | None] = {}
        """Value and expanded size by anchor; None while the anchored collection is open."""
        self.defined: dict[str, int] = {}
        """Which definition of each anchor is the latest (anchors may be redefined)."""
        self.definitions = 0
        self.total = 0
        self.duplicates: list[_Reject] = []
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
                    raise _Reject(
                        "multiple-documents",
                        "expected one YAML document, found several (one per file)",
                        event.start_mark,
                        [],
                    )
                value, _ = self._value(next(self.events), [], 0)
        if documents == 0:
            raise _Reject(
                "empty",
                "document is empty",
                SimpleNamespace(index=0),
                [],
            )
        return value

    def _count(self, size: int, event: yaml.Event, path: list[str | int]) -> None:
        self.total += size
        if self.total > MAX_VALUES:
            raise _Reject(
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
            raise _Reject(
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
            raise _Reject(
                "undefined-alias",
                f"alias *{event.anchor} has no anchor &{event.anchor} before it",
                event.start_mark,
                path,
            )
        found = self.anchors[event.anchor]
        if found is None:
            raise _Reject(
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
                raise _Reject(
                    "invalid-key", "mapping keys must be plain strings", key_event.start_mark, path
                )
            key = key_event.value
            if key == "<<" and not key_event.style:
                raise _Reject(
                    "merge-key",
                    "merge keys ('<<') are not supported; write the keys out",
                    key_event.start_mark,
                    path,
                )
            if key in out:
                first = self.lines.mark(starts[key])[0]
                message = f"duplicate key '{key}' (first defined on line {first})"
                self.duplicates.append(
                    _Reject("duplicate-key", message, key_event.start_mark, [*path, key])
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
        raise _Reject("yaml-tag", f"unsupported YAML tag '{event.tag}'", event.start_mark, path)


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
    raise _Reject("yaml-tag", f"unsupported YAML tag '{tag}'", event.start_mark, path)


def _plain(event: yaml.ScalarEvent, path: list[str | int]) -> Any:
    """:func:`_resolve_plain`, refusing an integer too long for ``int()`` at its place."""
    try:
        return _resolve_plain(event.value)
    except ValueError:
        digits = len(event.value.lstrip("+-"))
        limit = sys.get_int_max_str_digits()
        message = f"a number of {digits:,} digits; causemap reads numbers of up to {limit:,}"
        raise _Reject("number-too-large", message, event.start_mark, path) from None


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
