"""What causemap concludes about one incident: ``POST /analyze``, ``POST /lint``,
``POST /suggest`` and ``GET /incidents/{id}/analysis``.

The posted forms work on an incident in the body (JSON or YAML) and store nothing, so a
read token is enough; they are what the web editor calls while a facilitator edits.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool

from causemap import __version__
from causemap.analyses import Analysis, Finding, analyze
from causemap.analyses.findings import finding_pointer, in_file_order, not_repeated, reaches
from causemap.diagnostics import Diagnostic
from causemap.loader import Checked
from causemap.patterns.suggestions import SuggestionOut, SuggestReport, by_node
from causemap.service.answers import Answers
from causemap.service.bodies import INCIDENT_BODY, check_body, read_body
from causemap.service.catalog import ServiceCatalog, prepared_catalog
from causemap.service.deps import (
    API_PREFIX,
    ETAG,
    IfMatch,
    IfNoneMatch,
    IncidentId,
    StoreDep,
    reader,
)
from causemap.service.headers import not_modified, revalidated
from causemap.service.problems import responses

__all__ = ["LintFinding", "LintReport", "SuggestReport", "SuggestionOut", "router"]

router = APIRouter(prefix=API_PREFIX, tags=["analysis"])

_POSTED = responses(400, 401, 403, 406, 413, 415, 422, 503)


class LintFinding(Finding):
    """A finding of the method checks, placed in the posted document."""

    line: int | None = None
    """1-based line of the node or action it concerns, when known."""
    column: int | None = None
    """1-based column of the node or action it concerns, when known."""


class LintReport(BaseModel):
    """The method checks on one incident, as ``causemap lint`` runs them."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    findings: list[LintFinding]
    """Every finding, most severe first."""
    warnings: list[Diagnostic] = Field(default_factory=list)
    """The format's own warnings (an action closed but not done, say), as ``causemap
    lint`` prints them; one that a finding repeats at the same node is left out."""
    failed: bool
    """True when a finding or a format warning is at least as severe as ``fail_on``."""


async def _posted(request: Request) -> Checked:
    data, fmt = await read_body(request)
    return await run_in_threadpool(check_body, data, fmt)


@router.post(
    "/analyze",
    response_model=Analysis,
    dependencies=[reader],
    responses=_POSTED,
    openapi_extra=INCIDENT_BODY,
    summary="Analyse a posted incident",
)
async def analyze_posted(request: Request) -> Response:
    """Classes (proximate or systemic, with reasons), method-check findings, prevention
    coverage and leverage ranking, as ``causemap analyze --format json``."""
    data, fmt = await read_body(request)
    answers: Answers = request.app.state.answers

    def answer() -> bytes:
        checked = check_body(data, fmt)
        assert checked.graph is not None
        return analyze(checked.graph).model_dump_json(by_alias=True).encode()

    # Every viewer of a live review posts each new revision: one analysis serves them all.
    body = await run_in_threadpool(answers.get, "analyze", fmt, data, answer)
    return Response(body, media_type="application/json")


def lint_report(checked: Checked, fail_on: str) -> LintReport:
    """The analysis findings of a checked document, placed at their node or action."""
    assert checked.incident is not None
    assert checked.graph is not None
    nodes = {n.id: i for i, n in enumerate(checked.incident.nodes)}
    actions = {a.id: i for i, a in enumerate(checked.incident.actions)}
    found = [(f, finding_pointer(f, nodes, actions)) for f in analyze(checked.graph).findings]
    warnings = [
        w.model_copy(update={"file": None})
        for w in not_repeated(checked.diagnostics, [(ptr, f.code) for f, ptr in found])
    ]
    failed = any(reaches(w.severity, fail_on) for w in warnings)
    findings = []
    for finding, ptr in found:
        failed |= reaches(finding.severity, fail_on)
        where = checked.locate(ptr) if ptr else None
        findings.append(
            LintFinding(
                **finding.model_dump(),
                line=where[0] if where else None,
                column=where[1] if where else None,
            )
        )
    return LintReport(
        findings=in_file_order(findings), warnings=in_file_order(warnings), failed=failed
    )


@router.post(
    "/lint",
    response_model=LintReport,
    dependencies=[reader],
    responses=_POSTED,
    openapi_extra=INCIDENT_BODY,
    summary="Run the method checks on a posted incident",
)
async def lint_posted(
    request: Request,
    fail_on: Annotated[
        Literal["error", "warning", "info"],
        Query(description="failed is true when a finding is at least this severe."),
    ] = "error",
) -> LintReport:
    """The findings of ``causemap lint``, each with the line and column of the node or
    action it concerns in the posted document."""
    checked = await _posted(request)
    return await run_in_threadpool(lint_report, checked, fail_on)


def suggest_report(checked: Checked, top: int, catalog: ServiceCatalog) -> bytes:
    """Catalog suggestions for every non-impact node of a checked document, and a warning
    at each ``factor`` the catalog does not have, as the JSON of a :class:`SuggestReport`
    (written without a model per suggestion: see :mod:`causemap.patterns.suggestions`)."""
    from causemap.patterns.advise import suggest_nodes, unknown_factors

    incident = checked.incident
    assert incident is not None
    assert checked.graph is not None
    rows = suggest_nodes(incident, checked.graph, catalog.index, top)
    keys = catalog.catalog.keys()
    warnings = [
        checked.sourcemap.place(unknown)
        for unknown in unknown_factors(incident, keys, catalog.catalog.name)
    ]
    return to_json(by_node(incident.id, rows, warnings))


@router.post(
    "/suggest",
    response_model=SuggestReport,
    dependencies=[reader],
    responses=_POSTED,
    openapi_extra=INCIDENT_BODY,
    summary="Suggest catalog factors for the nodes of a posted incident",
)
async def suggest_posted(
    request: Request,
    top: Annotated[int, Query(ge=1, le=50, description="Suggestions per node.")] = 3,
) -> Response:
    """Ranked entries of the service's factor catalog (``causemap serve --catalog``, else
    the built-in one) for every node but the impacts, with their evidence, as
    ``causemap suggest``."""
    checked = await _posted(request)
    catalog = await prepared_catalog(request.app)
    body = await run_in_threadpool(suggest_report, checked, top, catalog)
    return Response(body, media_type="application/json")


@router.get(
    "/incidents/{incident_id}/analysis",
    response_model=Analysis,
    dependencies=[reader],
    responses=responses(
        401,
        403,
        404,
        406,
        410,
        412,
        422,
        503,
        extra={
            200: {"headers": ETAG},
            304: {"description": "Not modified (If-None-Match)", "headers": ETAG},
        },
    ),
    summary="Analyse a stored incident",
)
async def stored_analysis(
    incident_id: IncidentId,
    request: Request,
    response: Response,
    store: StoreDep,
    if_none_match: IfNoneMatch = None,
    if_match: IfMatch = None,
) -> Analysis | Response:
    """The analysis of the latest revision; its ``ETag`` is the revision number and the
    causemap version (``"12-0.9.0"``): another causemap may analyse the same revision
    differently, so a browser's copy must not outlive an upgrade. ``If-Match`` without
    that tag (or ``*``) is 412."""
    record = await run_in_threadpool(store.get, incident_id)
    tag = f"{record.number}-{__version__}"
    headers = revalidated(f'"{tag}"')
    if not_modified(if_match, if_none_match, tag):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    incident = record.to_incident()
    return await run_in_threadpool(analyze, incident)
