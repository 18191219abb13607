"""``/incidents/{id}/layout``: where the web editor draws the incident's nodes, shared.

The facilitator of a review drags nodes into a picture; every viewer, and whoever opens
the incident later, sees that picture rather than one of their own. The layout lives in
the store beside the incident (:mod:`causemap.store.layouts`): no revision, no history,
a version of its own. Its ``ETag`` is ``"layout-<version>"``. ``PUT`` replaces it; with
``If-Match`` only over the version read (412 otherwise, with the current ``ETag``),
without it the last writer wins. Viewers hear of each change on the incident's event
stream (:mod:`causemap.service.routes.events`, ``?layout=``).
"""

from __future__ import annotations

from typing import Annotated, Any, NoReturn

from fastapi import APIRouter, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from causemap.errors import LayoutConflict, MalformedDocument
from causemap.service.bodies import BODY_NAME, read_body
from causemap.service.deps import (
    API_PREFIX,
    IfMatch,
    IfNoneMatch,
    IncidentId,
    StoreDep,
    reader,
    writer,
)
from causemap.service.headers import layout_tag, not_modified, parse_layout_match, revalidated
from causemap.service.problems import header, responses
from causemap.source import Format, parse
from causemap.store import Layout, LayoutUpdate, Store

__all__ = ["LAYOUT_BODY", "router"]

router = APIRouter(prefix=f"{API_PREFIX}/incidents", tags=["layout"])

_TAG = {"ETag": header('The layout\'s version, "layout-3": send it back as If-Match.')}
_ANSWERS: dict[int, dict[str, Any]] = {
    200: {"description": "The incident's shared layout.", "headers": _TAG},
    304: {"description": "Not modified (If-None-Match)", "headers": _TAG},
}


def _body_schema() -> dict[str, Any]:
    """The JSON Schema of a layout body, its ``Position`` referred to among the OpenAPI
    components (the answer's model puts it there)."""
    schema = LayoutUpdate.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return schema


LAYOUT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "Every node's position, replacing the layout (JSON, or YAML).",
        "content": {
            "application/json": {"schema": _body_schema()},
            "application/yaml": {"schema": _body_schema()},
        },
    }
}
"""OpenAPI ``openapi_extra`` of ``PUT .../layout``, whose body is read by hand (as an
incident's is) so that an unparseable one is 400 and another content type 415."""


def _answer(layout: Layout, headers: dict[str, str]) -> Response:
    return Response(layout.model_dump_json(), media_type="application/json", headers=headers)


@router.get(
    "/{incident_id}/layout",
    response_model=Layout,
    dependencies=[reader],
    responses=responses(401, 403, 404, 406, 410, 412, 422, 503, extra=_ANSWERS),
    summary="Get an incident's shared layout",
)
def get_layout(
    incident_id: IncidentId,
    store: StoreDep,
    if_none_match: IfNoneMatch = None,
    if_match: IfMatch = None,
) -> Response:
    """Where each node is drawn (node id → ``{x, y}``); version 0 and no nodes while none
    was saved. ``If-None-Match`` → 304; ``If-Match`` without the ``ETag`` (or ``*``) → 412."""
    layout = store.layout(incident_id)
    tag = layout_tag(layout.version)
    headers = revalidated(tag)
    if not_modified(if_match, if_none_match, tag[1:-1]):
        return Response(status_code=304, headers=headers)
    return _answer(layout, headers)


def _checked(data: bytes, fmt: Format) -> LayoutUpdate:
    """The body as a :class:`LayoutUpdate`.

    Raises
    ------
    MalformedDocument
        Not parseable (HTTP 400).
    RequestValidationError
        Not a layout: 422 ``invalid-parameters``, each problem at its pointer
        (``/body/nodes/push/x``).
    """
    parsed = parse(data, BODY_NAME, fmt)
    if parsed.diagnostics:
        raise MalformedDocument(parsed.diagnostics, BODY_NAME)
    try:
        return LayoutUpdate.model_validate(parsed.value)
    except ValidationError as exc:
        problems = [
            {
                "type": error["type"],
                "loc": ("body", *(p for p in error["loc"] if p != "[key]")),
                "msg": error["msg"],
            }
            for error in exc.errors(include_url=False)
        ]
        raise RequestValidationError(problems) from None


def _refuse(store: Store, incident_id: str, message: str) -> NoReturn:
    """Refuse a write whose ``If-Match`` names no layout version, once the incident is
    known to be there (else 404 or 410, as RFC 9110 13.2.1 orders it): 412 with the
    current ``ETag``."""
    raise LayoutConflict(message, current=store.layout(incident_id).version)


@router.put(
    "/{incident_id}/layout",
    response_model=Layout,
    dependencies=[writer],
    responses=responses(
        400, 401, 403, 404, 406, 410, 412, 415, 422, 503, extra={200: _ANSWERS[200]}
    ),
    openapi_extra=LAYOUT_BODY,
    summary="Replace an incident's shared layout",
)
async def put_layout(
    incident_id: IncidentId,
    request: Request,
    response: Response,
    store: StoreDep,
    if_match: Annotated[
        str | None,
        Header(
            description='Optional: the ETag you read, e.g. "layout-3"; without it the last '
            "writer wins."
        ),
    ] = None,
) -> Layout:
    """Save every node's position (``{"nodes": {"push": {"x": -120, "y": 40}}}``), which
    makes no revision. Ids follow the format's id rules; coordinates are whole numbers
    within ±1,000,000; at most as many nodes as an incident can have. A layout that
    changes nothing keeps its version."""
    try:
        expected = parse_layout_match(if_match)
    except ValueError as exc:
        await run_in_threadpool(_refuse, store, incident_id, str(exc))
    data, fmt = await read_body(request)

    def work() -> Layout:
        update = _checked(data, fmt)
        return store.put_layout(incident_id, update.nodes, expected=expected)

    layout = await run_in_threadpool(work)
    response.headers["ETag"] = layout_tag(layout.version)
    return layout
