"""``GET /catalog``: the factor catalog the service matches with (``--catalog`` or the
built-in one), so that an editor can offer its keys and catch a mistyped one before the
patterns report counts it as a factor of its own.

The answer is a catalog file's JSON (``schemas/catalog.schema.json``): saved, it is a
``--catalog`` file for the CLI. Its ``ETag`` is the catalog's digest, the one that goes
into the patterns report's, so it changes only when the server starts with another
catalog.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from causemap.catalog.model import Catalog
from causemap.service.catalog import prepared_catalog
from causemap.service.deps import API_PREFIX, ETAG, IfMatch, IfNoneMatch, reader
from causemap.service.headers import not_modified, revalidated
from causemap.service.problems import responses

__all__ = ["router"]

router = APIRouter(prefix=API_PREFIX, tags=["catalog"])

_RESPONSES: dict[int, dict[str, Any]] = {
    200: {
        "model": Catalog,
        "description": "The catalog, as a catalog file (schemas/catalog.schema.json).",
        "headers": ETAG,
    },
    304: {"description": "Not modified (If-None-Match)", "headers": ETAG},
}


@router.get(
    "/catalog",
    dependencies=[reader],
    responses=responses(401, 403, 406, 412, extra=_RESPONSES),
    summary="The factor catalog the server matches with",
)
async def catalog(
    request: Request, if_none_match: IfNoneMatch = None, if_match: IfMatch = None
) -> Response:
    """The catalog of ``causemap serve --catalog`` (merged with the built-in one when it
    extends it), else the built-in one: the keys ``/suggest`` offers and ``/patterns``
    groups by. The ``ETag`` is the catalog's digest; ``If-Match`` without it (or ``*``)
    is 412."""
    found = await prepared_catalog(request.app)
    headers = revalidated(f'"{found.digest}"')
    if not_modified(if_match, if_none_match, found.digest):
        return Response(status_code=304, headers=headers)
    return Response(found.document, media_type="application/json", headers=headers)
