"""Contributing factors shared across incidents: ``POST /patterns`` (a posted list) and
``GET /patterns`` (every live incident in the store).

Both answer the report of ``causemap patterns`` as JSON (``schemas/patterns.schema.json``),
a self-contained HTML page or Markdown. ``GET /patterns`` is keyed by the ids and
revisions of the live incidents: that fingerprint is its ``ETag``, and the last few
reports are kept in memory, so asking again after nothing changed costs one query.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from causemap import __version__
from causemap.graph import CausalGraph
from causemap.model import Date, Incident
from causemap.patterns import render as render_report
from causemap.patterns.result import PatternsReport
from causemap.service.bodies import INCIDENTS_BODY, check_incidents, read_body
from causemap.service.catalog import ServiceCatalog, cache_warning, prepared_catalog
from causemap.service.deps import API_PREFIX, ETAG, IfMatch, IfNoneMatch, StoreDep, reader
from causemap.service.headers import check_if_match, not_modified, revalidated
from causemap.service.problems import responses
from causemap.store import Record

__all__ = ["REPORT_CSP", "REPORT_FORMATS", "ReportMemo", "report", "router"]

router = APIRouter(prefix=API_PREFIX, tags=["patterns"])

REPORT_FORMATS = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
}
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'; sandbox"
)
"""The HTML report is one file with inline CSS and SVG charts, and no script."""

_RESPONSES: dict[int, dict[str, Any]] = {
    200: {
        "model": PatternsReport,
        "description": "The report: JSON (the schema below), HTML or Markdown by `format`.",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "text/markdown": {"schema": {"type": "string"}},
        },
    }
}

Format = Annotated[
    str,
    Query(
        description="json (schemas/patterns.schema.json), html (one self-contained page) "
        "or markdown.",
        json_schema_extra={"enum": list(REPORT_FORMATS)},
    ),
]
Since = Annotated[
    Date | None, Query(description="Only incidents on or after this date (YYYY-MM-DD).")
]


def _format(name: str) -> str:
    from causemap.errors import UnknownFormat

    if name not in REPORT_FORMATS:
        raise UnknownFormat(
            f"unknown format {name[:40]!r}; choose from: {', '.join(REPORT_FORMATS)}",
            list(REPORT_FORMATS),
        )
    return name


def report(
    incidents: Iterable[tuple[Incident, CausalGraph]],
    since: dt.date | None,
    catalog: ServiceCatalog,
) -> PatternsReport:
    """The patterns report over valid incidents, with the service's catalog."""
    from causemap.patterns.facts import extract_all
    from causemap.patterns.report import build_report

    return build_report(extract_all(incidents, catalog.index), catalog.catalog, since=since)


def _stored_report(
    records: list[Record], since: dt.date | None, catalog: ServiceCatalog
) -> PatternsReport:
    """The report over stored revisions, through the facts cache (``CAUSEMAP_CACHE_DIR``,
    as for ``causemap patterns``): after one save, only that revision is reduced again."""
    from causemap.patterns.cache import FactsCache, default_folder
    from causemap.patterns.collect import collect_stored
    from causemap.patterns.report import build_report

    with FactsCache(default_folder(), catalog.digest, warn=cache_warning) as cache:
        facts = collect_stored([r.document for r in records], lambda: catalog.index, cache)
    return build_report(facts, catalog.catalog, since=since)


def _headers(fmt: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    """``headers``, plus the sandbox policy for HTML: on the 304 as on the 200, since a
    cache merges a 304's headers into the stored page."""
    extra = dict(headers or {})
    if fmt == "html":
        extra["Content-Security-Policy"] = REPORT_CSP
    return extra


def _answer(text: str, fmt: str, headers: dict[str, str] | None = None) -> Response:
    return Response(text, media_type=REPORT_FORMATS[fmt], headers=_headers(fmt, headers))


@router.post(
    "/patterns",
    dependencies=[reader],
    response_class=Response,
    responses=responses(400, 401, 403, 413, 415, 422, 503, extra=_RESPONSES),
    openapi_extra=INCIDENTS_BODY,
    summary="Shared factors across a posted list of incidents",
)
async def patterns_posted(
    request: Request, format: Format = "json", since: Since = None
) -> Response:
    """The cross-incident report of ``causemap patterns`` over the posted incidents
    (ids must be distinct; an invalid one is 422 with diagnostics that point into the
    list, e.g. ``/2/nodes/0/kind``)."""
    fmt = _format(format)
    data, body_format = await read_body(request)
    catalog = await prepared_catalog(request.app)

    def work() -> str:
        checked = check_incidents(data, body_format)
        pairs = [(c.incident, c.graph) for c in checked if c.incident and c.graph]
        return render_report(report(pairs, since, catalog), fmt)

    return _answer(await run_in_threadpool(work), fmt, {"Cache-Control": "no-store"})


class ReportMemo:
    """The last few reports over the store, by fingerprint. Thread-safe."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._items: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            text = self._items.get(key)
            if text is not None:
                self._items.move_to_end(key)
            return text

    def put(self, key: str, text: str) -> None:
        with self._lock:
            self._items[key] = text
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _fingerprint(
    heads: list[tuple[str, int]], since: dt.date | None, fmt: str, catalog: str
) -> str:
    """The report's identity: the incidents' revisions, the options, the causemap
    version and the catalog's digest (a restart with another ``--catalog`` gives
    another report)."""
    material = json.dumps([heads, str(since), fmt, __version__, catalog], separators=(",", ":"))
    return hashlib.sha256(material.encode()).hexdigest()


def _memo(request: Request) -> ReportMemo:
    state = request.app.state
    memo: ReportMemo | None = getattr(state, "patterns_memo", None)
    if memo is None:
        memo = state.patterns_memo = ReportMemo()
    return memo


@router.get(
    "/patterns",
    dependencies=[reader],
    response_class=Response,
    responses=responses(
        400,
        401,
        403,
        412,
        422,
        503,
        extra={
            200: {**_RESPONSES[200], "headers": ETAG},
            304: {"description": "Not modified (If-None-Match)", "headers": ETAG},
        },
    ),
    summary="Shared factors across every live incident in the store",
)
async def patterns_stored(
    request: Request,
    store: StoreDep,
    format: Format = "json",
    since: Since = None,
    if_none_match: IfNoneMatch = None,
    if_match: IfMatch = None,
) -> Response:
    """The cross-incident report over the latest revision of every live incident. The
    ``ETag`` fingerprints their ids and revisions: it changes with any save. ``If-Match``
    without that tag (or ``*``) is 412."""
    fmt = _format(format)
    memo = _memo(request)
    catalog = await prepared_catalog(request.app)
    heads = await run_in_threadpool(store.heads)
    key = _fingerprint(heads, since, fmt, catalog.digest)
    headers = revalidated(f'"{key}"')
    if not_modified(if_match, if_none_match, key):
        return Response(status_code=304, headers=_headers(fmt, headers))
    text = memo.get(key)
    if text is None:

        def work() -> tuple[str, str]:
            records: list[Record] = store.documents()
            used = _fingerprint(
                [(r.incident_id, r.number) for r in records], since, fmt, catalog.digest
            )
            return used, render_report(_stored_report(records, since, catalog), fmt)

        key, made = await run_in_threadpool(work)
        memo.put(key, made)
        check_if_match(if_match, key)  # a save between the two reads changed the report
        headers["ETag"] = f'"{key}"'
        text = made
    return _answer(text, fmt, headers)
