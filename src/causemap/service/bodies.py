"""Reading incidents from a request body: JSON, or YAML by ``Content-Type``.

Bodies go through the same parser and checks as files, so a bad body gets the same
located diagnostics (line, column, JSON pointer) as ``causemap validate`` prints.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from causemap.diagnostics import Diagnostic, type_name
from causemap.errors import (
    InvalidIncident,
    MalformedDocument,
    UnsupportedContentCoding,
    UnsupportedMediaType,
)
from causemap.loader import Checked, check_data
from causemap.model import Incident
from causemap.source import Format, parse

__all__ = [
    "BODY_NAME",
    "INCIDENTS_BODY",
    "INCIDENT_BODY",
    "JSON_TYPES",
    "YAML_TYPES",
    "body_format",
    "check_body",
    "check_coding",
    "check_incidents",
    "read_body",
]

BODY_NAME = "<body>"
JSON_TYPES = frozenset({"application/json"})
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})

_INCIDENT = {"$ref": "#/components/schemas/Incident"}
INCIDENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "An incident, as JSON or as YAML (Content-Type: application/yaml).",
        "content": {
            "application/json": {"schema": _INCIDENT},
            "application/yaml": {"schema": _INCIDENT},
        },
    }
}
"""OpenAPI ``openapi_extra`` for routes that read one incident with :func:`read_body`."""

_LIST = {"type": "array", "items": _INCIDENT}
INCIDENTS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A list of incidents, as JSON or as YAML (Content-Type: application/yaml).",
        "content": {"application/json": {"schema": _LIST}, "application/yaml": {"schema": _LIST}},
    }
}
"""OpenAPI ``openapi_extra`` for routes that read a list with :func:`check_incidents`."""


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


def check_coding(content_encoding: str | None) -> None:
    """Refuse a body in a content coding: only ``identity`` (or none) is read.

    Raises
    ------
    UnsupportedContentCoding
        For ``gzip``, ``br`` and the rest (HTTP 415 with ``Accept-Encoding: identity``):
        their bytes would be parsed as the document itself.
    """
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    refused = [c for c in codings if c and c != "identity"]
    if refused:
        raise UnsupportedContentCoding(
            f"cannot read a body in content coding {', '.join(refused)[:60]!r}: "
            "send it uncompressed, without Content-Encoding"
        )


async def read_body(request: Request) -> tuple[bytes, Format]:
    """The raw body and its format (checks the type and coding before reading)."""
    fmt = body_format(request.headers.get("content-type"))
    check_coding(request.headers.get("content-encoding"))
    return await request.body(), fmt


def check_body(data: bytes, fmt: Format, name: str = BODY_NAME) -> Checked:
    """Parse and validate a body; raise with diagnostics unless it is a valid incident.

    Raises
    ------
    MalformedDocument
        Not parseable as ``fmt`` (HTTP 400).
    InvalidIncident
        Parseable but not a valid incident (HTTP 422).
    """
    parsed = parse(data, name, fmt)
    if parsed.diagnostics:
        raise MalformedDocument(parsed.diagnostics, name)
    checked = check_data(parsed.value, name=name, sourcemap=parsed.sourcemap)
    if checked.incident is None:
        raise InvalidIncident(checked.diagnostics, name)
    return checked


def check_incidents(data: bytes, fmt: Format) -> list[Checked]:
    """Parse and validate a body holding a list of incidents with distinct ids.

    Diagnostics point into the list (``/2/nodes/0/kind``), with lines and columns.

    Raises
    ------
    MalformedDocument
        Not parseable as ``fmt`` (HTTP 400).
    InvalidIncident
        Not a list, or an item is not a valid incident, or two share an id (HTTP 422).
    """
    parsed = parse(data, BODY_NAME, fmt)
    if parsed.diagnostics:
        raise MalformedDocument(parsed.diagnostics, BODY_NAME)
    if not isinstance(parsed.value, list):
        found = type_name(parsed.value) if parsed.value is not None else "nothing"
        wrong = Diagnostic(
            severity="error",
            code="wrong-type",
            message=f"expected a list of incidents, got {found}",
            line=1,
            column=1,
        )
        raise InvalidIncident([wrong], BODY_NAME)
    problems: list[Diagnostic] = []
    results: list[Checked] = []
    first: dict[str, int] = {}
    for i, item in enumerate(parsed.value):
        checked = check_data(item, name=BODY_NAME)
        for d in checked.errors:
            moved = d.model_copy(
                update={"pointer": f"/{i}{d.pointer}", "line": None, "column": None}
            )
            problems.append(parsed.sourcemap.place(moved))
        incident: Incident | None = checked.incident
        if incident is None:
            continue
        if incident.id in first:
            duplicate = Diagnostic(
                severity="error",
                code="duplicate-incident-id",
                message=f"incident id '{incident.id}' is already used by item {first[incident.id]}",
                pointer=f"/{i}/id",
            )
            problems.append(parsed.sourcemap.place(duplicate))
            continue
        first[incident.id] = i
        results.append(checked)
    if problems:
        raise InvalidIncident(problems, BODY_NAME)
    return results
