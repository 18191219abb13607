"""``/incidents``: list, create, read, update (If-Match), delete, restore, history, diffs.

An incident's ``ETag`` is its revision number (``"3"``; its YAML is ``"3-yaml"``). A
``PUT`` must send the ETag it read as ``If-Match``: a stale one gets 412 with the current
revision, a missing one 428. ``DELETE`` and ``POST .../restore`` take it too, optionally,
with the same 412. A ``GET`` of a document evaluates ``If-Match`` as RFC 9110 has it for
every method: 412 unless it is ``*`` or lists the ETag of the representation answered.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, NoReturn

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from causemap.diagnostics import Diagnostic
from causemap.diff import IncidentDiff, default_analyzer, diff
from causemap.errors import (
    InvalidQuery,
    NotAcceptable,
    PreconditionRequired,
    RevisionConflict,
    RevisionNotFound,
)
from causemap.loader import dump
from causemap.model import Date, Incident
from causemap.service.bodies import INCIDENT_BODY, YAML_TYPES, check_body, read_body
from causemap.service.deps import (
    API_PREFIX,
    IfMatch,
    IfNoneMatch,
    IncidentId,
    StoreDep,
    reader,
    writer,
)
from causemap.service.headers import (
    YAML_TAG,
    accept_quality,
    etag_matches,
    if_match_holds,
    parse_if_match,
    path_segment,
)
from causemap.service.problems import bad_parameter, header, responses
from causemap.source import Format
from causemap.store import Page, Record, RevisionInfo, Store
from causemap.store import Query as StoreQuery
from causemap.store.records import MAX_LIMIT, MAX_REVISION, check_filter, decode_cursor

__all__ = ["DOCUMENT_TYPES", "Diff", "RevisionPage", "Saved", "document_format", "router"]

router = APIRouter(prefix=f"{API_PREFIX}/incidents", tags=["incidents"])

Number = Annotated[int, Path(ge=1, le=MAX_REVISION, description="A revision number.")]

_REVISION_TAG = {
    "ETag": header('The revision number, "3" ("3-yaml" for YAML): send it back as If-Match.')
}
_DOCUMENT = {
    "model": Incident,
    "description": "The incident document (JSON, or YAML when asked for by Accept).",
    "content": {"application/yaml": {"schema": {"type": "string"}}},
    "headers": _REVISION_TAG,
}
_DOCUMENT_RESPONSES: dict[int, dict[str, Any]] = {
    200: _DOCUMENT,
    304: {"description": "Not modified (If-None-Match)", "headers": _REVISION_TAG},
}
_SAVED: dict[int, dict[str, Any]] = {200: {"headers": _REVISION_TAG}}
_CREATED: dict[int, dict[str, Any]] = {
    201: {
        "headers": {
            **_REVISION_TAG,
            "Location": header("The new incident's path, /api/v1/incidents/ID."),
        }
    }
}


MAX_FILTERS = 50
"""Most values of one repeatable filter: each is a condition the database must nest (over
about a thousand, SQLite refuses the query)."""


class Saved(RevisionInfo):
    """The revision a write appended, with the warnings the document raised."""

    deleted: bool = False
    """True when the incident is deleted after this write."""
    warnings: list[Diagnostic] = Field(default_factory=list)
    """Warnings (never errors) about the saved document."""


class RevisionPage(BaseModel):
    """A page of an incident's revisions, oldest first."""

    model_config = ConfigDict(extra="forbid")

    items: list[RevisionInfo]
    next_after: int | None = None
    """Pass as ``after`` for the next page; null on the last page."""


class Diff(IncidentDiff):
    """What changed from revision ``from`` to revision ``to``."""

    from_revision: int
    to_revision: int


def _saved(record: Record, warnings: list[Diagnostic] | None = None) -> Saved:
    info = record.model_dump(exclude={"document"})
    clean = [w.model_copy(update={"file": None}) for w in warnings or []]
    return Saved(**info, warnings=clean)


def _etag(number: int, fmt: Format = "json") -> str:
    """The strong ETag of a revision's JSON (``"3"``, as every write answers) or YAML."""
    return f'"{number}{YAML_TAG if fmt == "yaml" else ""}"'


DOCUMENT_TYPES = ["application/json", "application/yaml"]
"""The media types an incident document is answered in."""


def document_format(accept: str | None) -> Format:
    """The representation of an incident an ``Accept`` header asks for: YAML when it
    names a YAML type at least as high as JSON, else JSON when JSON is acceptable, else
    YAML when a wildcard takes it (``application/json;q=0, */*``).

    Raises
    ------
    NotAcceptable
        When the header refuses both (``*/*;q=0``, ``image/png``): HTTP 406.

    Examples
    --------
    >>> document_format(None), document_format("application/json, text/yaml")
    ('json', 'yaml')
    >>> document_format("application/json;q=0, */*")
    'yaml'
    """
    if accept is None or not accept.strip():
        return "json"
    yaml = max(accept_quality(accept, media, exact=True) for media in YAML_TYPES)
    json_ = accept_quality(accept, "application/json")
    if yaml > 0 and yaml >= json_:
        return "yaml"
    if json_ > 0:
        return "json"
    if accept_quality(accept, "application/yaml") > 0:
        return "yaml"
    raise NotAcceptable(
        f"cannot answer with any of: {accept[:200]}; ask for {' or '.join(DOCUMENT_TYPES)}",
        DOCUMENT_TYPES,
    )


def _document(
    record: Record,
    request: Request,
    matches: str | None,
    required: str | None,
    *,
    immutable: bool = False,
) -> Response:
    """A revision's document, or 304 when ``matches`` (If-None-Match) holds its tag.

    Raises
    ------
    RevisionConflict
        When ``required`` (If-Match) does not hold the tag answered (HTTP 412); it is
        evaluated first (RFC 9110 13.2.2).
    """
    fmt = document_format(request.headers.get("accept"))
    tag = _etag(record.number, fmt)
    if not if_match_holds(required, tag[1:-1]):
        what = f"revision {record.number}" if immutable else "the incident's current revision"
        raise RevisionConflict(
            f"If-Match {required[:40] if required else ''} does not match {what}, whose "
            f"{fmt.upper()} has the ETag {tag}",
            current=None if immutable else record.number,
            etag=tag,
        )
    headers = {
        "ETag": tag,
        "Cache-Control": "private, max-age=31536000, immutable" if immutable else "no-cache",
        "Vary": "Accept, Authorization",
    }
    if etag_matches(matches, tag[1:-1]):
        return Response(status_code=304, headers=headers)
    if fmt == "yaml":
        text = dump(record.to_incident(), "yaml", schema=None)
        return Response(text, media_type="application/yaml", headers=headers)
    return Response(record.document, media_type="application/json", headers=headers)


@router.get(
    "",
    response_model=Page,
    dependencies=[reader],
    responses=responses(401, 403, 406, 422, 503),
    summary="List incidents",
)
def list_incidents(
    store: StoreDep,
    tag: Annotated[
        list[str], Query(max_length=MAX_FILTERS, description="Has this tag (repeat: all of them).")
    ] = [],  # noqa: B006
    service: Annotated[
        list[str], Query(max_length=MAX_FILTERS, description="Involves this service.")
    ] = [],  # noqa: B006
    factor: Annotated[
        list[str], Query(max_length=MAX_FILTERS, description="A node has this factor key.")
    ] = [],  # noqa: B006
    severity: Annotated[str | None, Query(max_length=200)] = None,
    date_from: Annotated[
        Date | None, Query(description="On or after this date (YYYY-MM-DD).")
    ] = None,
    date_to: Annotated[
        Date | None, Query(description="On or before this date (YYYY-MM-DD).")
    ] = None,
    deleted: Annotated[bool, Query(description="List deleted incidents instead.")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor: Annotated[str | None, Query(max_length=400, description="next_cursor")] = None,
) -> Page:
    """Incidents, newest first (by date, then id), filtered and paginated by cursor."""
    if cursor is not None:
        try:
            decode_cursor(cursor)
        except InvalidQuery as exc:
            raise bad_parameter("query", "cursor", "invalid_cursor", str(exc)) from None
    filters = [("tag", v) for v in tag] + [("service", v) for v in service]
    filters += [("factor", v) for v in factor]
    filters += [("severity", severity)] if severity is not None else []
    for name, value in filters:
        if not value.strip():
            # No incident has a blank one: the filter would silently match nothing.
            message = f"{name} cannot be empty; leave it out to list every incident"
            raise bad_parameter("query", name, "empty", message)
        try:
            check_filter(name, value)
        except InvalidQuery as exc:
            raise bad_parameter("query", name, "control_character", str(exc)) from None
    query = StoreQuery(
        tags=tuple(tag),
        services=tuple(service),
        factors=tuple(factor),
        severity=severity,
        date_from=date_from,
        date_to=date_to,
        deleted=deleted,
        limit=limit,
        cursor=cursor,
    )
    return store.find(query)


@router.post(
    "",
    status_code=201,
    response_model=Saved,
    dependencies=[writer],
    responses=responses(400, 401, 403, 406, 409, 413, 415, 422, 503, extra=_CREATED),
    openapi_extra=INCIDENT_BODY,
    summary="Create an incident",
)
async def create_incident(request: Request, response: Response, store: StoreDep) -> Saved:
    """Save a new incident as revision 1; 409 if the id is taken (even by a deleted one)."""
    data, fmt = await read_body(request)

    def work() -> Saved:
        checked = check_body(data, fmt)
        assert checked.incident is not None
        return _saved(store.create(checked.incident), checked.diagnostics)

    saved = await run_in_threadpool(work)
    response.headers["ETag"] = _etag(saved.number)
    response.headers["Location"] = f"{router.prefix}/{path_segment(saved.incident_id)}"
    return saved


@router.get(
    "/{incident_id}",
    dependencies=[reader],
    responses=responses(401, 403, 404, 406, 410, 412, 422, 503, extra=_DOCUMENT_RESPONSES),
    summary="Get an incident",
)
def get_incident(
    incident_id: IncidentId,
    request: Request,
    store: StoreDep,
    if_none_match: IfNoneMatch = None,
    if_match: IfMatch = None,
) -> Response:
    """The latest revision's document; its ``ETag`` is the revision number (``"3"``), and
    ``"3-yaml"`` for the YAML. ``If-Match`` without that tag (or ``*``) is 412."""
    return _document(store.get(incident_id), request, if_none_match, if_match)


@router.put(
    "/{incident_id}",
    response_model=Saved,
    dependencies=[writer],
    responses=responses(400, 401, 403, 404, 406, 410, 412, 413, 415, 422, 428, 503, extra=_SAVED),
    openapi_extra=INCIDENT_BODY,
    summary="Update an incident",
)
async def update_incident(
    incident_id: IncidentId,
    request: Request,
    response: Response,
    store: StoreDep,
    if_match: Annotated[
        str | None, Header(description='The ETag you read, e.g. "3" (required).')
    ] = None,
) -> Saved:
    """Save a new revision; ``If-Match`` must name the latest (412 if stale, 428 if absent)."""
    try:
        expected = parse_if_match(if_match)
        if expected is None:
            raise PreconditionRequired(
                f"saving incident {incident_id!r} needs the revision it replaces (If-Match)"
            )
    except (PreconditionRequired, RevisionConflict) as exc:
        await run_in_threadpool(_refuse, store, incident_id, exc)
    data, fmt = await read_body(request)

    def work() -> Saved:
        checked = check_body(data, fmt)
        assert checked.incident is not None
        record = store.update(incident_id, checked.incident, expected=expected)
        return _saved(record, checked.diagnostics)

    saved = await run_in_threadpool(work)
    response.headers["ETag"] = _etag(saved.number)
    return saved


@router.delete(
    "/{incident_id}",
    response_model=Saved,
    dependencies=[writer],
    responses=responses(401, 403, 404, 406, 410, 412, 422, 428, 503, extra=_SAVED),
    summary="Delete an incident (recoverable)",
)
def delete_incident(
    incident_id: IncidentId,
    response: Response,
    store: StoreDep,
    if_match: Annotated[str | None, Header(description="Optional: the ETag you read.")] = None,
) -> Saved:
    """Soft-delete: appends a ``delete`` revision; ``POST .../restore`` brings it back.
    The ``ETag`` is that revision's, as after any other write."""
    saved = _saved(store.delete(incident_id, expected=_expected(store, incident_id, if_match)))
    response.headers["ETag"] = _etag(saved.number)
    return saved


@router.post(
    "/{incident_id}/restore",
    response_model=Saved,
    dependencies=[writer],
    responses=responses(401, 403, 404, 406, 412, 422, 428, 503, extra=_SAVED),
    summary="Restore a deleted incident",
)
def restore_incident(
    incident_id: IncidentId,
    response: Response,
    store: StoreDep,
    if_match: Annotated[str | None, Header(description="Optional: the ETag you read.")] = None,
) -> Saved:
    """Appends a ``restore`` revision; restoring a live incident changes nothing.
    With ``If-Match``, refused (412) unless it names the latest revision, as for ``DELETE``."""
    expected = _expected(store, incident_id, if_match, deleted=True)
    saved = _saved(store.restore(incident_id, expected=expected))
    response.headers["ETag"] = _etag(saved.number)
    return saved


def _expected(
    store: Store, incident_id: str, if_match: str | None, *, deleted: bool = False
) -> int | None:
    """The revision a write's ``If-Match`` names (None when absent)."""
    try:
        return parse_if_match(if_match)
    except (PreconditionRequired, RevisionConflict) as exc:
        _refuse(store, incident_id, exc, deleted=deleted)


def _refuse(
    store: Store,
    incident_id: str,
    exc: PreconditionRequired | RevisionConflict,
    *,
    deleted: bool = False,
) -> NoReturn:
    """Raise ``exc``, a precondition that can name no revision, once the incident is
    known to exist: RFC 9110 13.2.1 evaluates preconditions only for a request that
    would otherwise succeed, so a missing incident is 404 and a deleted one 410 (unless
    ``deleted``, for a restore) whatever the header. A 412 carries the current ETag."""
    current = store.get(incident_id, include_deleted=deleted).number
    if isinstance(exc, RevisionConflict):
        exc.current = current
    raise exc


@router.get(
    "/{incident_id}/revisions",
    response_model=RevisionPage,
    dependencies=[reader],
    responses=responses(401, 403, 404, 406, 422, 503),
    summary="List an incident's revisions",
)
def list_revisions(
    incident_id: IncidentId,
    store: StoreDep,
    after: Annotated[int, Query(ge=0, le=MAX_REVISION, description="Revisions after this.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> RevisionPage:
    """Every save of the incident, oldest first, including deletes and restores."""
    items = store.revisions(incident_id, after=after, limit=limit)
    # Asking the store for limit + 1 fails at limit = MAX_LIMIT (the store caps pages).
    full = len(items) == limit
    more = full and bool(store.revisions(incident_id, after=items[-1].number, limit=1))
    return RevisionPage(items=items, next_after=items[-1].number if more else None)


@router.get(
    "/{incident_id}/revisions/{number}",
    dependencies=[reader],
    responses=responses(401, 403, 404, 406, 412, 422, 503, extra=_DOCUMENT_RESPONSES),
    summary="Get one revision of an incident",
)
def get_revision(
    incident_id: IncidentId,
    number: Number,
    request: Request,
    store: StoreDep,
    if_none_match: IfNoneMatch = None,
    if_match: IfMatch = None,
) -> Response:
    """The document as saved in revision ``number`` (immutable, so cached long)."""
    record = store.revision(incident_id, number)
    return _document(record, request, if_none_match, if_match, immutable=True)


def _queried(store: Store, incident_id: str, number: int, name: str) -> Record:
    """Revision ``number``, named by the query parameter ``name``: a missing incident is
    404 (the path names it), a missing revision of one 422 at ``/query/<name>``."""
    try:
        return store.revision(incident_id, number)
    except RevisionNotFound as exc:
        raise bad_parameter("query", name, "unknown_revision", str(exc)) from None


@router.get(
    "/{incident_id}/diff",
    response_model=Diff,
    dependencies=[reader],
    responses=responses(401, 403, 404, 406, 422, 503),  # a deleted incident keeps its history
    summary="Diff two revisions",
)
def diff_revisions(
    incident_id: IncidentId,
    store: StoreDep,
    from_: Annotated[
        int | None, Query(alias="from", ge=1, le=MAX_REVISION, description="Default: to - 1.")
    ] = None,
    to: Annotated[int | None, Query(ge=1, le=MAX_REVISION, description="Default: latest.")] = None,
) -> Diff:
    """Nodes, edges, actions and fields added, removed or changed; and the analysis.
    A ``from`` or ``to`` the incident has no revision of is a bad parameter (422)."""
    if to is None:
        to = store.get(incident_id, include_deleted=True).number
    after = _queried(store, incident_id, to, "to").to_incident()  # first: name a missing `to`
    start = from_ if from_ is not None else max(1, to - 1)
    before = _queried(store, incident_id, start, "from").to_incident()
    result = diff(before, after, analyze=default_analyzer())
    values: dict[str, Any] = json.loads(result.model_dump_json())
    return Diff.model_validate({**values, "from_revision": start, "to_revision": to})
