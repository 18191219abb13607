"""Diagnostics: what is wrong with a document, where, and what was expected.

A diagnostic is located twice over: by a JSON pointer (``/nodes/3/kind``), which works
for YAML, JSON and HTTP bodies alike, and by file, line and column where the source
text is known. Formatting follows compilers (``file:line:col: error: message [code]``)
so that editors and CI annotate the right line.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from causemap.counts import counted
from causemap.plain import shown

__all__ = [
    "HINT_BUDGET",
    "Diagnostic",
    "Hints",
    "Severity",
    "error_at",
    "format_github",
    "from_validation_error",
    "in_document_order",
    "pointer",
    "pointer_parts",
    "type_name",
    "warning_at",
]

Severity = Literal["error", "warning", "info"]


class Diagnostic(BaseModel):
    """One problem found in a document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    severity: Severity
    """error (the document is invalid), warning or info."""
    code: str
    """Stable kebab-case identifier, e.g. ``duplicate-node-id``."""
    message: str
    """What is wrong, in words, including what was expected."""
    pointer: str = ""
    """JSON pointer to the offending value, e.g. ``/nodes/3/kind``; empty for the whole document."""
    file: str | None = None
    """File name, when the document came from a file."""
    line: int | None = None
    """1-based line, when known."""
    column: int | None = None
    """1-based column, when known."""

    def format(self) -> str:
        """Return ``file:line:col: severity: /pointer: message [code]``, on one line: a
        control character or bidirectional mark in the file name, pointer or message (an
        unknown key quotes the document's own text) is written as its escape."""
        where = shown(self.file or "<input>")
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        at = f"{shown(self.pointer)}: " if self.pointer else ""
        return f"{where}: {self.severity}: {at}{shown(self.message)} [{self.code}]"


def in_document_order(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """``diagnostics`` by line and column, those without a place first; equal places
    keep their order (a stable sort)."""
    return sorted(diagnostics, key=lambda d: (d.line or 0, d.column or 0))


def pointer(parts: Iterable[str | int]) -> str:
    """Return the JSON pointer (RFC 6901) for a path.

    Examples
    --------
    >>> pointer(["nodes", 3, "kind"])
    '/nodes/3/kind'
    >>> pointer(["tags", "a/b~c"])
    '/tags/a~1b~0c'
    """
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def pointer_parts(ptr: str) -> list[str]:
    """Split a JSON pointer into its unescaped parts.

    Examples
    --------
    >>> pointer_parts('/tags/a~1b~0c')
    ['tags', 'a/b~c']
    """
    if not ptr:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in ptr.split("/")[1:]]


def format_github(diagnostic: Diagnostic) -> str:
    """Return a GitHub Actions workflow command that annotates the file and line."""
    level = {"error": "error", "warning": "warning", "info": "notice"}[diagnostic.severity]
    props = []
    if diagnostic.file:
        props.append(f"file={_gh_prop(diagnostic.file)}")
    if diagnostic.line is not None:
        props.append(f"line={diagnostic.line}")
        if diagnostic.column is not None:
            props.append(f"col={diagnostic.column}")
    props.append(f"title={_gh_prop(diagnostic.code)}")
    at = f"{shown(diagnostic.pointer)}: " if diagnostic.pointer else ""
    return f"::{level} {','.join(props)}::{_gh_data(at + shown(diagnostic.message))}"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


# --- pydantic errors -> diagnostics -----------------------------------------------------


def _allowed_keys(loc: Sequence[str | int]) -> Sequence[str]:
    """The keys allowed in the object that holds ``loc``'s last part."""
    from causemap.model import Action, Edge, Incident, Node

    parent = [p for p in loc[:-1] if isinstance(p, str)]
    models: dict[tuple[str, ...], type[BaseModel]] = {
        (): Incident,
        ("nodes",): Node,
        ("edges",): Edge,
        ("actions",): Action,
    }
    model = models.get(tuple(parent), Incident)
    return [f.alias or name for name, f in model.model_fields.items()]


def _show(value: Any) -> str:
    """``value`` as the document writes it: 'abc', 3, true; null, a list and a mapping by
    name (Python would write None, ['x'] and {'a': 1})."""
    if value is None or isinstance(value, list | dict):
        return type_name(value)
    text = ("true" if value else "false") if isinstance(value, bool) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def type_name(value: Any) -> str:
    """What a parsed YAML or JSON value is, in a user's words ("null", "a list", "a mapping").

    Examples
    --------
    >>> type_name(None), type_name({}), type_name(3.5)
    ('null', 'a mapping', 'a number')
    """
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
        type(None): "null",
    }.get(type(value), type(value).__name__)


AllowedKeys = Callable[[Sequence[str | int]], Sequence[str]]

_OTHER_NAMES = {
    "type": "kind",
    "text": "label",
    "name": "label",
    "statement": "label",
    "description": "detail",
    "source": "from",
    "src": "from",
    "target": "to",
    "dst": "to",
    "cause": "causes",
    "parents": "causes",
    "caused_by": "causes",
    "time": "at",
    "timestamp": "at",
    "start": "at",
    "end": "until",
    "assignee": "owner",
    "due_date": "due",
    "deadline": "due",
}
"""Keys other tools (and first drafts) use, and causemap's name for each: a hint where
spelling alone would not find it ('type' is nothing like 'kind')."""


def _message(error: Any, allowed_keys: AllowedKeys = _allowed_keys) -> tuple[str, str]:
    """Return (code, message) for one pydantic error dict."""
    kind: str = error["type"]
    loc: Sequence[str | int] = error["loc"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    field = str(loc[-1]) if loc else "document"
    if kind == "missing" and list(loc) == ["causemap"]:
        return (
            "missing-key",
            "missing required key 'causemap': add 'causemap: 1' (the format version)",
        )
    if kind == "missing":
        return "missing-key", f"missing required key '{field}'"
    if kind == "extra_forbidden":
        allowed = allowed_keys(loc)
        other = _OTHER_NAMES.get(field.lower())
        near = [other] if other in allowed else difflib.get_close_matches(field, allowed, n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        return "unknown-key", f"unknown key '{field}'{hint}; expected one of: {', '.join(allowed)}"
    if kind == "literal_error" and field in ("causemap", "causemap-catalog"):
        if isinstance(value, str) and value.strip() == "1":
            return (
                "unsupported-version",
                f"the format version is the number 1, not the text {_show(value)}: write it "
                "without quotes",
            )
        return (
            "unsupported-version",
            f"unsupported format version {_show(value)}: this causemap reads format 1",
        )
    if kind in ("enum", "literal_error"):  # a literal: the catalog's 'extends: builtin'
        expected = ctx.get("expected", "")
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
        # Case is ignored: 'AND' and 'IMPACT' are as near as 'Done'.
        text = value.strip().lower() if isinstance(value, str) else None
        near = difflib.get_close_matches(text, options, n=1) if text is not None else []
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        wanted = options[0] if len(options) == 1 else f"one of {', '.join(options)}"
        return "invalid-value", f"expected {wanted}; got {_show(value)}{hint}"
    if kind == "string_pattern_mismatch":
        return (
            "invalid-id",
            f"{_show(value)} is not a valid id: use lowercase letters, digits, '.', '_' and '-', "
            "starting with a letter or digit, at most 80 characters",
        )
    if kind == "string_too_long" or (kind == "too_long" and isinstance(value, str)):
        # A constrained str inside a union (``Text | None``) fails as "too_long", the
        # error pydantic also uses for lists: it is still text, counted in characters.
        return (
            "too-long",
            f"text is {len(value)} characters long; the limit is {ctx.get('max_length')}",
        )
    if kind == "string_too_short":
        return "empty", "text must not be empty"
    if kind in ("too_long", "too_short"):
        bound = "at most" if kind == "too_long" else "at least"
        limit = ctx.get("max_length" if kind == "too_long" else "min_length")
        wanted = counted(limit, "item") if isinstance(limit, int) else f"{limit} items"
        actual = ctx.get("actual_length")
        got = f"{actual:,}" if isinstance(actual, int) else actual
        return "list-size", f"expected {bound} {wanted}, got {got}"
    if kind.endswith("_type") or kind == "dict_type" or kind == "model_type":
        wanted = {
            "string_type": "a string",
            "list_type": "a list",
            "bool_type": "true or false",
            "dict_type": "a mapping",
            "model_type": "a mapping",
        }.get(kind, kind.removesuffix("_type"))
        hint = " (quote it)" if kind == "string_type" and isinstance(value, int | float) else ""
        if kind == "list_type" and isinstance(value, str | int | float) and value != "":
            hint = f" (write {json.dumps([value], ensure_ascii=False)} for a list of one)"
        shown = "" if value is None or isinstance(value, dict | list) else f" {_show(value)}"
        return "wrong-type", f"expected {wanted}, got {type_name(value)}{shown}{hint}"
    if kind in ("bool_parsing", "bool_type"):
        return "wrong-type", f"expected true or false, got {_show(value)}"
    message: str = error["msg"]
    return kind.replace("_", "-"), message[:1].lower() + message[1:]


def from_validation_error(
    exc: ValidationError, *, file: str | None = None, allowed_keys: AllowedKeys | None = None
) -> list[Diagnostic]:
    """Turn a pydantic ``ValidationError`` into located diagnostics, one per error.

    ``allowed_keys(loc)`` lists the keys allowed beside an unknown key at ``loc``; the
    default knows the incident format. Other documents (the factor catalog) pass their own.
    """
    out = []
    for error in exc.errors(include_url=False):
        loc = [p for p in error["loc"] if isinstance(p, int) or not p.startswith("function-")]
        code, message = _message({**error, "loc": loc}, allowed_keys or _allowed_keys)
        out.append(
            Diagnostic(
                severity="error", code=code, message=message, pointer=pointer(loc), file=file
            )
        )
    return out


def error_at(code: str, message: str, *path: str | int) -> Diagnostic:
    """An error at the value that ``path`` leads to (``"nodes", 3, "kind"``).

    Examples
    --------
    >>> error_at("no-impact", "no impact node", "nodes").format()
    '<input>: error: /nodes: no impact node [no-impact]'
    """
    return Diagnostic(severity="error", code=code, message=message, pointer=pointer(path))


def warning_at(code: str, message: str, *path: str | int) -> Diagnostic:
    """A warning at the value that ``path`` leads to."""
    return Diagnostic(severity="warning", code=code, message=message, pointer=pointer(path))


HINT_BUDGET = 1_000_000
"""Names compared with unknown ones, in all, for one document's "did you mean" hints.

Each comparison is a few microseconds; a document whose every reference is wrong
(20,000 nodes renamed) would otherwise compare each with every known name, for hours."""


class Hints:
    """The closest known name to each unknown one (a node id for a reference), each
    distinct name looked up once, and the later ones without a hint once
    :data:`HINT_BUDGET` comparisons are spent. (A factor key that is not the catalog's
    has a stricter rule of its own: :class:`causemap.typos.Typos`.)

    Examples
    --------
    >>> hints = Hints(["config-push", "canary-skipped"])
    >>> hints.near("config-psuh"), hints.near("zzz")
    ('config-push', None)
    """

    def __init__(self, known: Iterable[str]) -> None:
        self.known = list(known)
        self.found: dict[str, str | None] = {}
        self.left = HINT_BUDGET

    def near(self, name: str) -> str | None:
        """The known name closest to ``name``, if one is close."""
        if name not in self.found:
            if self.left < len(self.known):
                return None
            self.left -= len(self.known)
            close = difflib.get_close_matches(name, self.known, n=1)
            self.found[name] = close[0] if close else None
        return self.found[name]
