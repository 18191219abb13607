"""Diagrams: ``POST /render``, ``GET /render/{format}/{encoded}`` (embeddable, as Kroki)
and ``GET /incidents/{id}/render.{format}``.

Every answer carries the render's content key as a strong ``ETag`` (see
:mod:`causemap.service.rendering`) and is served so that nothing in it can run: SVG and
the text formats get ``Content-Security-Policy: default-src 'none'; style-src
'unsafe-inline'; sandbox`` with ``nosniff``. The two GET forms are meant for ``<img>``
tags on other sites (wikis, docs), so they say ``Cross-Origin-Resource-Policy:
cross-origin``; ``?download=1`` makes any of them a download. A Mermaid diagram past
what GitHub and GitLab draw comes whole with a ``Causemap-Warning`` header saying so (the
warning ``causemap render -f mermaid`` prints), so that a client can tell its user.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from causemap.errors import NotAcceptable, UnknownFormat
from causemap.fields import Slug
from causemap.render import ALIASES, FORMATS, OutputFormat, RenderOptions
from causemap.render.mermaid import viewer_problem
from causemap.service.bodies import INCIDENT_BODY, read_body
from causemap.service.deps import (
    API_PREFIX,
    ETAG,
    IfMatch,
    IfNoneMatch,
    IncidentId,
    RendererDep,
    StoreDep,
    reader,
    render_reader,
)
from causemap.service.headers import accept_match, attachment, not_modified
from causemap.service.problems import FormatNotFound, bad_parameter, header, responses
from causemap.service.rendering import (
    Rendered,
    Subject,
    subject_from_body,
    subject_from_encoded,
    subject_from_record,
)

__all__ = [
    "DIAGRAM_CSP",
    "IMMUTABLE",
    "WARNING",
    "negotiate",
    "path_format",
    "query_format",
    "router",
    "view_options",
]

router = APIRouter(prefix=API_PREFIX, tags=["render"])

DIAGRAM_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
"""For every diagram but PDF (browsers' PDF viewers do not run in a sandbox)."""

IMMUTABLE = "public, max-age=604800, immutable"
"""A week: the URL holds the incident, so the answer can only change when causemap or
Graphviz is upgraded (which changes the ETag; revalidation then gets the new bytes)."""

WARNING = "Causemap-Warning"
"""The header of a diagram that is drawn but will not show where it is meant to: a
Mermaid text past GitHub's and GitLab's limits (:func:`viewer_problem`)."""

_FIELDS = RenderOptions.model_fields
_NAMES = list(FORMATS)
_ACCEPTED = _NAMES + sorted(ALIASES)
"""What ``format`` may be, exactly (the contract's enum): a name or a suffix alias."""
_LISTED = f"{', '.join(_NAMES)} (or a suffix: {', '.join(sorted(ALIASES))})"
_PREFERENCE = ["svg", "png", "pdf", "dot", "mermaid", "markdown", "json"]
_MEDIA = {spec.media_type.split(";")[0]: spec.name for spec in FORMATS.values()} | {
    "text/x-mermaid": "mermaid",
    "text/vnd.mermaid": "mermaid",
    "text/x-markdown": "markdown",
}


def _known(name: str, error: type[UnknownFormat]) -> OutputFormat:
    """The format named ``name`` (a name or a suffix alias such as ``md``, exactly as the
    contract lists them), else ``error`` listing the names there are."""
    spec = FORMATS.get(ALIASES.get(name, name))
    if spec is None:
        raise error(f"unknown format {name[:40]!r}; choose from: {_LISTED}", _NAMES)
    return spec


def query_format(name: str) -> OutputFormat:
    """The format named by a ``format`` query parameter.

    Raises
    ------
    UnknownFormat
        No such format (HTTP 400).
    """
    return _known(name, UnknownFormat)


def path_format(name: str) -> OutputFormat:
    """The format named in a path: a name (``svg``) or a file suffix (``md``, ``mmd``).

    Raises
    ------
    FormatNotFound
        No such format (HTTP 404).
    """
    return _known(name, FormatNotFound)


def negotiate(accept: str | None) -> tuple[OutputFormat, str]:
    """The format an ``Accept`` header prefers (SVG for ``*/*``, ``image/*`` or none), and
    the media type to answer with: the one the header named when it named one
    (``text/vnd.mermaid`` is answered as such, not as the format's usual ``text/plain``),
    else the format's own.

    Raises
    ------
    NotAcceptable
        When no format matches (HTTP 406).

    Examples
    --------
    >>> negotiate("image/png, image/svg+xml;q=0.9")[0].name
    'png'
    >>> negotiate("text/html, */*;q=0.1")[0].name
    'svg'
    >>> negotiate(None)[0].name
    'svg'
    >>> negotiate("text/vnd.mermaid")[1]
    'text/vnd.mermaid; charset=utf-8'
    >>> negotiate("text/*")[1]
    'text/vnd.graphviz; charset=utf-8'
    """
    if accept is None or not accept.strip():
        return FORMATS["svg"], FORMATS["svg"].media_type
    # Each media type takes the quality of the most specific range that matches it
    # (RFC 9110 12.5.1), so "image/svg+xml;q=0, */*" refuses SVG. Ties go to the range
    # written first, then to a type named outright, then to the order of _PREFERENCE.
    best: tuple[float, int, int, int] | None = None
    chosen = ""
    for media, name in _MEDIA.items():
        found = accept_match(accept, media)
        if found is None or found[0] <= 0:
            continue
        named = accept_match(accept, media, exact=True) is not None
        key = (-found[0], found[1], 0 if named else 1, _PREFERENCE.index(name))
        if best is None or key < best:
            best, chosen = key, media
    if best is not None:
        spec = FORMATS[_MEDIA[chosen]]
        if best[2]:  # reached through a wildcard: answered in the format's own type
            return spec, spec.media_type
        _, charset, rest = spec.media_type.partition(";")
        return spec, chosen + (f";{rest}" if charset else "")
    raise NotAcceptable(
        f"cannot answer with any of: {accept[:200]}; ask for one of " + ", ".join(sorted(_MEDIA)),
        sorted(_MEDIA),
    )


async def view_options(
    direction: Annotated[
        Literal["LR", "TB"] | None, Query(description=_FIELDS["direction"].description)
    ] = None,
    lanes: Annotated[
        Literal["none", "level"], Query(description=_FIELDS["lanes"].description)
    ] = "none",
    actions: Annotated[bool, Query(description=_FIELDS["actions"].description)] = False,
    highlight: Annotated[
        Literal["none", "uncovered"], Query(description=_FIELDS["highlight"].description)
    ] = "none",
    focus: Annotated[
        Slug | None, Query(max_length=80, description=_FIELDS["focus"].description)
    ] = None,
    legend: Annotated[bool, Query(description=_FIELDS["legend"].description)] = True,
    edge_labels: Annotated[bool, Query(description=_FIELDS["edge_labels"].description)] = True,
) -> RenderOptions:
    """The view options of ``causemap render``, as query parameters (``async`` so that
    FastAPI builds them on the event loop, not in a thread: see ``service.deps``)."""
    return RenderOptions(
        direction=direction,
        lanes=lanes,
        actions=actions,
        highlight=highlight,
        focus=focus,
        legend=legend,
        edge_labels=edge_labels,
    )


Options = Annotated[RenderOptions, Depends(view_options)]
Download = Annotated[
    bool, Query(description="Answer as a download (Content-Disposition: attachment).")
]
_FORMAT_SCHEMA: dict[str, Any] = {"enum": _ACCEPTED}
PathFormat = Annotated[
    str,
    Path(
        description=f"Output format: {_LISTED}.",
        json_schema_extra=_FORMAT_SCHEMA,
    ),
]


def _check_focus(subject: Subject, options: RenderOptions) -> None:
    """A focus on a node the incident lacks is a bad parameter (422), not a missing page."""
    if options.focus is not None and options.focus not in subject.graph:
        message = f"no node '{options.focus}' in incident '{subject.incident.id}'"
        raise bad_parameter("query", "focus", "unknown_node", message)


def _headers(
    key: str, spec: OutputFormat, cache: str, *, embeddable: bool, vary: str | None
) -> dict[str, str]:
    """The headers a diagram and its 304 share: a cache merges a 304's headers into the
    stored answer, so a 304 without the sandbox policy would take it off the diagram."""
    headers = {"ETag": f'"{key}"', "Cache-Control": cache}
    if spec.name != "pdf":
        headers["Content-Security-Policy"] = DIAGRAM_CSP
    if embeddable:
        headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    if vary:
        headers["Vary"] = vary
    return headers


def _answer(
    rendered: Rendered,
    *,
    download: bool,
    cache: str,
    embeddable: bool,
    vary: str | None = None,
    media_type: str | None = None,
) -> Response:
    spec = rendered.format
    headers = _headers(rendered.key, spec, cache, embeddable=embeddable, vary=vary)
    if download:
        headers["Content-Disposition"] = attachment(rendered.incident, spec.suffix)
    timing = "cache;desc=hit" if rendered.cached else f"render;dur={rendered.seconds * 1000:.1f}"
    headers["Server-Timing"] = timing
    if spec.name == "mermaid":  # still answered whole: other viewers may allow more
        problem = viewer_problem(rendered.data.decode("utf-8"))
        if problem:
            headers[WARNING] = problem  # ASCII: its own words and figures
    return Response(rendered.data, media_type=media_type or spec.media_type, headers=headers)


def _not_modified(
    key: str, spec: OutputFormat, cache: str, *, embeddable: bool, vary: str | None = None
) -> Response:
    headers = _headers(key, spec, cache, embeddable=embeddable, vary=vary)
    return Response(status_code=304, headers=headers)


_DIAGRAM_CONTENT: dict[str, Any] = {
    spec.media_type.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
    for spec in FORMATS.values()
} | {"application/json": {"schema": {"$ref": "#/components/schemas/Incident"}}}
"""Every format's media type; ``json`` is the canonical incident document itself."""
_DIAGRAM_HEADERS: dict[str, Any] = ETAG | {
    WARNING: header(
        "Only on a Mermaid diagram past what GitHub and GitLab draw (50,000 characters or "
        "500 links, Mermaid's defaults): why they would show an error box in its place, "
        "as `causemap render -f mermaid` warns. The diagram is answered whole all the same."
    )
}
_DIAGRAM: dict[int, dict[str, Any]] = {
    200: {
        "description": "The diagram, with its content hash as a strong ETag.",
        "content": _DIAGRAM_CONTENT,
        "headers": _DIAGRAM_HEADERS,
    }
}
_NEGOTIATED: dict[int, dict[str, Any]] = {
    200: {
        "description": "The diagram, in the media type Accept asked for (or `format`'s), "
        "with its content hash as a strong ETag.",
        "content": _DIAGRAM_CONTENT
        | {
            media: {"schema": {"type": "string"}}
            for media in _MEDIA
            if media not in _DIAGRAM_CONTENT
        },
        "headers": _DIAGRAM_HEADERS,
    }
}
_CACHED: dict[int, dict[str, Any]] = {
    **_DIAGRAM,
    304: {"description": "Not modified (If-None-Match matched the ETag)", "headers": ETAG},
}


@router.post(
    "/render",
    dependencies=[reader],
    response_class=Response,
    responses=responses(400, 401, 403, 406, 413, 415, 422, 503, extra=_NEGOTIATED),
    openapi_extra=INCIDENT_BODY,
    summary="Draw a posted incident",
)
async def render_posted(
    request: Request,
    renderer: RendererDep,
    options: Options,
    download: Download = False,
    format: Annotated[
        str | None,
        Query(
            description=f"Output format: {_LISTED}; "
            "without it, the Accept header decides (default svg).",
            json_schema_extra=_FORMAT_SCHEMA,
        ),
    ] = None,
) -> Response:
    """The incident drawn in ``format`` with the view options of ``causemap render``.

    ``dot`` runs at most a few at a time: when every slot stays busy for a moment the
    answer is 503 with ``Retry-After``. A diagram ``dot`` cannot lay out within its CPU
    or memory limit is 422 (``render-timeout``); one it could not finish in time while
    the machine was busy is 503.
    """
    if format is not None:
        spec, media_type, vary = query_format(format), None, None
    else:
        spec, media_type = negotiate(request.headers.get("accept"))
        vary = "Accept"
    data, body_format = await read_body(request)
    subject = await run_in_threadpool(subject_from_body, data, body_format)
    _check_focus(subject, options)
    rendered = await renderer.render(subject, spec, options)
    return _answer(
        rendered,
        download=download,
        cache="no-store",
        embeddable=False,
        vary=vary,
        media_type=media_type,
    )


@router.get(
    "/render/{format}/{encoded}",
    dependencies=[render_reader],
    response_class=Response,
    responses=responses(400, 401, 403, 404, 412, 413, 422, 503, extra=_CACHED),
    summary="Draw an incident carried in the URL (for <img> embeds)",
)
async def render_encoded(
    format: PathFormat,
    encoded: Annotated[
        str,
        Path(
            description="The incident JSON, zlib-compressed, then base64url "
            "(`base64.urlsafe_b64encode(zlib.compress(json, 9))`); padding optional."
        ),
    ],
    request: Request,
    renderer: RendererDep,
    options: Options,
    download: Download = False,
    if_none_match: IfNoneMatch = None,
    if_match: IfMatch = None,
) -> Response:
    """As Kroki's GET API: a Markdown page or wiki can embed a live diagram as an image
    URL. The answer is content-addressed: a strong ``ETag`` (the content hash of the
    canonical incident, the options and the causemap and Graphviz versions),
    ``If-None-Match`` → 304 (``If-Match`` without it → 412), and ``Cache-Control:
    public, max-age=604800, immutable``.
    The decoded incident is capped like a request body (413 beyond)."""
    spec = path_format(format)
    matches = if_none_match
    requested = hashlib.sha256(
        f"{spec.name}\0{encoded}\0{options.model_dump_json()}".encode()
    ).digest()
    key = renderer.memo.get(requested)
    if key is not None:
        if not_modified(if_match, matches, key):
            return _not_modified(key, spec, IMMUTABLE, embeddable=True)
        found = renderer.lookup(key, spec)
        if found is not None:
            return _answer(found, download=download, cache=IMMUTABLE, embeddable=True)
    limit = request.app.state.settings.max_body
    subject = await run_in_threadpool(subject_from_encoded, encoded, limit)
    _check_focus(subject, options)
    key = renderer.key(subject.digest, spec.name, options)
    renderer.memo.put(requested, key)
    if not_modified(if_match, matches, key):
        return _not_modified(key, spec, IMMUTABLE, embeddable=True)
    rendered = await renderer.render(subject, spec, options, key)
    return _answer(rendered, download=download, cache=IMMUTABLE, embeddable=True)


@router.get(
    "/incidents/{incident_id}/render.{format}",
    dependencies=[reader],
    response_class=Response,
    responses=responses(401, 403, 404, 410, 412, 413, 422, 503, extra=_CACHED),
    summary="Draw a stored incident",
)
async def render_stored(
    incident_id: IncidentId,
    format: PathFormat,
    request: Request,
    store: StoreDep,
    renderer: RendererDep,
    options: Options,
    download: Download = False,
    if_none_match: IfNoneMatch = None,
    if_match: IfMatch = None,
) -> Response:
    """The latest revision drawn in ``format`` (a name, or a suffix such as ``md``).
    ``ETag`` is the render's content hash; revalidate with ``If-None-Match``;
    ``If-Match`` without it (or ``*``) is 412."""
    spec = path_format(format)
    record = await run_in_threadpool(store.get, incident_id)
    key = renderer.key(record.digest, spec.name, options)
    cache, vary = "no-cache", "Authorization"
    if not_modified(if_match, if_none_match, key):
        return _not_modified(key, spec, cache, embeddable=True, vary=vary)
    rendered = renderer.lookup(key, spec)
    if rendered is None:
        subject = await run_in_threadpool(subject_from_record, record)
        _check_focus(subject, options)
        rendered = await renderer.render(subject, spec, options, key)
    return _answer(rendered, download=download, cache=cache, embeddable=True, vary=vary)
