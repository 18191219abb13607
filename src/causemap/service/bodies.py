"""Reading an incident from a request body: JSON, or YAML by ``Content-Type``.

Bodies go through the same parser and checks as files, so a bad body gets the same
located diagnostics (line, column, JSON pointer) as ``causemap validate`` prints.
"""

from __future__ import annotations

from fastapi import Request

from causemap.errors import InvalidIncident, MalformedDocument, UnsupportedMediaType
from causemap.loader import Checked, check_data
from causemap.source import Format, parse

__all__ = ["BODY_NAME", "JSON_TYPES", "YAML_TYPES", "body_format", "check_body", "read_body"]

BODY_NAME = "<body>"
JSON_TYPES = frozenset({"application/json"})
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})


def body_format(content_type: str | None) -> Format:
    """``json`` or ``yaml`` for a ``Content-Type`` header (missing means JSON).

    Raises
    ------
    UnsupportedMediaType
        For any other type, e.g. curl's default form encoding.
    """
    media = (content_type or "application/json").split(";")[0].strip().lower()
    if media in JSON_TYPES or media.endswith("+json"):
        return "json"
    if media in YAML_TYPES:
        return "yaml"
    raise UnsupportedMediaType(
        f"cannot read a {media!r} body: send application/json or application/yaml"
    )


async def read_body(request: Request) -> tuple[bytes, Format]:
    """The raw body and its format (checks the type before reading)."""
    fmt = body_format(request.headers.get("content-type"))
    return await request.body(), fmt


def check_body(data: bytes, fmt: Format) -> Checked:
    """Parse and validate a body; raise with diagnostics unless it is a valid incident.

    Raises
    ------
    MalformedDocument
        Not parseable as ``fmt`` (HTTP 400).
    InvalidIncident
        Parseable but not a valid incident (HTTP 422).
    """
    parsed = parse(data, BODY_NAME, fmt)
    if parsed.diagnostics:
        raise MalformedDocument(parsed.diagnostics, BODY_NAME)
    checked = check_data(parsed.value, name=BODY_NAME, sourcemap=parsed.sourcemap)
    if checked.incident is None:
        raise InvalidIncident(checked.diagnostics, BODY_NAME)
    return checked
