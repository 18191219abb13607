"""Reading document text safely: bytes → plain Python values, plus a map back to lines.

Bytes are decoded as UTF-8 (binary content, other encodings and oversized input are
refused); YAML is built by :mod:`causemap.yamlbuilder`, with the safe composer only and
the YAML 1.2 core schema, and JSON is parsed with the standard library, reporting
duplicate keys alike. Positions are kept as the composed YAML node tree
(:mod:`causemap.sourcemap`) and resolved to a line only when a diagnostic needs one; JSON
positions come from reading the same text as JSON (a ``JsonIndex``), lazily, on the error
path only.
"""

from __future__ import annotations

import contextlib
import json
import json.decoder
import json.scanner
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import yaml

from causemap.collector import paused_gc
from causemap.diagnostics import Diagnostic, pointer
from causemap.sourcemap import Lines, SourceMap
from causemap.yamlbuilder import FLOAT, MAX_VALUES, Builder, Rejected, top_level_keys

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

Format = Literal["yaml", "json"]

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


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


def _parse_json(text: str, file: str) -> Parsed:
    sourcemap = SourceMap(text=text, syntax="json")

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
    if duplicates:
        dupes = [
            _error(
                "duplicate-key",
                f"duplicate key '{path[-1]}' (first defined on line {first})",
                file,
                line,
                column,
                pointer(path),
            )
            for path, (line, column), first in sourcemap.duplicate_keys()
        ] or [_error("duplicate-key", f"duplicate key '{k}'", file) for k in duplicates]
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


_LONG_KEY = (
    "a key longer than 1,024 characters, more than YAML allows a key without '? ': "
    "write it as '? key' and its value on the next line as ': value'"
)
# What may stand before a block mapping's first key on its line: indentation, "- " items.
_KEY_LEAD = re.compile(r"[ \t]*(?:-[ \t]+)*")


def _long_key_start(text: str, exc: yaml.MarkedYAMLError) -> int | None:
    """Where the key starts, if ``exc`` is YAML's refusal of a key over 1,024 characters
    (an implicit key must end within 1,024 characters on its line): libyaml says it could
    not find the ":" or, for a mapping's first key in a sequence item, that a ":" is not
    allowed there."""
    end = exc.problem_mark
    if end is None:
        return None
    if exc.context == "while scanning a simple key" and exc.context_mark is not None:
        start: int = exc.context_mark.index
    elif str(exc.problem).startswith("mapping values are not allowed") and not exc.context:
        line_start = text.rfind("\n", 0, end.index) + 1
        lead = _KEY_LEAD.match(text, line_start)
        assert lead is not None  # "*" matches the empty string
        start = lead.end()
        if ": " in text[start : end.index]:  # a key on a value's line, however short
            return None
    else:
        return None
    same_line = "\n" not in text[start : end.index]
    return start if same_line and end.index - start > 1024 else None


def _parse_yaml(text: str, file: str) -> Parsed:
    """Build the document; every duplicate key found before any other problem is
    reported with it."""
    sourcemap = SourceMap(text=text)
    builder = Builder(text)

    def rejected(exc: Rejected) -> Diagnostic:
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
        key = _long_key_start(text, exc)
        if key is not None:
            line, column = builder.lines.position(key)
            problem = _LONG_KEY
        code = "too-deep" if "nesting depth" in problem else "yaml-syntax"
        last = _error(code, problem or "invalid YAML", file, line, column)
    except yaml.YAMLError as exc:
        last = _error("yaml-syntax", str(exc).splitlines()[0], file)
    except Rejected as exc:
        last = rejected(exc)
    else:
        dupes = [rejected(d) for d in builder.duplicates]
        return Parsed(value=value, sourcemap=sourcemap, diagnostics=dupes, built=True)
    return Parsed(sourcemap=sourcemap, diagnostics=[*map(rejected, builder.duplicates), last])
