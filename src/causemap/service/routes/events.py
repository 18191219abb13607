"""``/incidents/{id}/events``: every new revision as a Server-Sent Event, for live viewers.

The stream follows the revisions table, so it is correct whichever server process
(worker or replica) a viewer reaches and whichever one took the write: nothing in one
process's memory is needed. Revision numbers of an incident are gap-free and commit in
order, so "revisions after the last one sent" never skips one. Each event's ``id`` is
the revision number: a reconnecting ``EventSource`` sends it back as ``Last-Event-ID``
and resumes exactly there. Without one, or with one above the latest revision (from
another history: a store restored from a backup), the stream starts with the current
revision.

A client that draws the incident asks for its shared layout too, with ``?layout=N``, the
layout version it holds (0 for none): the stream then also sends ``event: layout``, the
whole layout as JSON data, whenever its version is another than the one last sent (at
once, if it changed before the stream started). It follows the layouts table the same
way. Layout events carry no ``id``, so ``Last-Event-ID`` still counts revisions only, and
a stream without ``?layout`` is exactly what it always was: revision events, each with
an ``id``, which clients written before layouts rely on.

An idle stream carries a keep-alive comment every ``sse_ping`` seconds, announced in the
``Causemap-Ping`` header: a client that hears nothing for much longer knows the connection
died silently (a network that dropped without closing it) and reconnects.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Header, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from causemap.errors import IncidentNotFound, StoreUnavailable
from causemap.service.deps import API_PREFIX, IncidentId, StoreDep, reader
from causemap.service.headers import parse_revision
from causemap.service.problems import bad_parameter, responses
from causemap.store import Layout, Record, Store
from causemap.store.records import MAX_REVISION

__all__ = ["event", "follow", "follow_all", "layout_event", "router"]

log = logging.getLogger("causemap.service")

router = APIRouter(prefix=f"{API_PREFIX}/incidents", tags=["live"])

_STREAM: dict[int, dict[str, Any]] = {
    200: {
        "description": "A stream of `revision` events (text/event-stream), one per save, "
        "and with `?layout` a `layout` event per change of the shared layout.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


def event(record: Record) -> ServerSentEvent:
    """The SSE event for one revision: ``event: revision``, ``id: N``, JSON data."""
    data = record.model_dump(mode="json", exclude={"document"})
    data["document"] = json.loads(record.document)
    return ServerSentEvent(
        data=json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        event="revision",
        id=str(record.number),
    )


def layout_event(layout: Layout) -> ServerSentEvent:
    """The SSE event for a layout: ``event: layout`` and the layout as JSON data, with no
    ``id`` (which would move a reconnecting client's ``Last-Event-ID`` off revisions)."""
    return ServerSentEvent(data=layout.model_dump_json(), event="layout")


async def follow(store: Store, incident_id: str, after: int, poll: float) -> AsyncIterator[Record]:
    """Yield revisions of ``incident_id`` numbered above ``after``, forever, in order."""
    while True:
        records = await run_in_threadpool(store.changes, incident_id, after)
        for record in records:
            after = record.number
            yield record
        if not records:
            await anyio.sleep(poll)


async def follow_all(
    store: Store, incident_id: str, after: int, seen: int, poll: float
) -> AsyncIterator[Record | Layout]:
    """:func:`follow`, and the layout of ``incident_id`` whenever its version is not the
    last one yielded (``seen`` at first): both read from the database at each poll, so
    a change made through any server process reaches every follower."""
    while True:
        records = await run_in_threadpool(store.changes, incident_id, after)
        for record in records:
            after = record.number
            yield record
        layout = await run_in_threadpool(store.layout_since, incident_id, seen)
        if layout is not None:
            seen = layout.version
            yield layout
        if not records and layout is None:
            await anyio.sleep(poll)


def _resume(last_event_id: str | None, after: int | None, latest: int) -> int:
    """The revision to follow from: ``Last-Event-ID``, else ``after``, else the one before
    the latest (so the stream starts with the current revision).

    A resume point above the latest revision is from another history (the store was
    restored from a backup, or the incident re-created elsewhere): following from it
    would wait silently and skip every revision up to it, so the stream starts with the
    current revision, as it does without one; its ``id`` below the client's tells the
    client to reload.

    Raises
    ------
    RequestValidationError
        ``Last-Event-ID`` is not a revision number (HTTP 422, before any stream starts).
    """
    start = latest - 1
    if last_event_id is not None and last_event_id.strip():
        number = parse_revision(last_event_id.strip(), minimum=0)
        if number is None:
            raise bad_parameter(
                "header",
                "last-event-id",
                "revision_number",
                f"Last-Event-ID must be a revision number from 0 to {MAX_REVISION}",
            )
        start = number
    elif after is not None:
        start = after
    return start if start <= latest else latest - 1


@router.get(
    "/{incident_id}/events",
    dependencies=[reader],
    response_class=EventSourceResponse,
    responses=responses(401, 403, 404, 422, 503, extra=_STREAM),
    summary="Follow an incident's revisions live (Server-Sent Events)",
)
async def incident_events(
    incident_id: IncidentId,
    request: Request,
    store: StoreDep,
    last_event_id: Annotated[
        str | None, Header(max_length=20, description="Resume after this revision.")
    ] = None,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_REVISION, description="Start after this revision.")
    ] = None,
    layout: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_REVISION,
            description="Also follow the shared layout; the version you hold (0: none).",
        ),
    ] = None,
) -> EventSourceResponse:
    """Each event is ``event: revision``, ``id: <number>`` and the revision with its
    document as JSON data; deletes and restores are revisions too (see ``action``).
    With ``?layout=N``, also ``event: layout`` (no ``id``) with the shared layout, as
    ``GET .../layout`` answers it, whenever its version is not the last one sent (N
    at first)."""
    latest = await run_in_threadpool(store.latest, incident_id)
    if latest is None:
        raise IncidentNotFound(f"no incident {incident_id!r}")
    start = _resume(last_event_id, after, latest)
    settings = request.app.state.settings

    async def stream() -> AsyncIterator[ServerSentEvent]:
        poll = settings.sse_poll
        try:
            if layout is None:
                async for record in follow(store, incident_id, start, poll):
                    yield event(record)
                return
            async for item in follow_all(store, incident_id, start, layout, poll):
                yield event(item) if isinstance(item, Record) else layout_event(item)
        except StoreUnavailable as exc:
            # The answer has started, so no error can be sent: end the stream, and the
            # client's reconnection meets 503 until the database is back.
            log.warning("GET %s: event stream ended: %s", request.url.path, exc)

    headers = {"Cache-Control": "no-store", "Causemap-Ping": f"{settings.sse_ping:g}"}
    return EventSourceResponse(stream(), ping=settings.sse_ping, headers=headers)
