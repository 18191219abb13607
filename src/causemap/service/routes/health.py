"""``/healthz`` (is this process and its database up?) and ``/metrics`` (Prometheus)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from causemap import __version__
from causemap.errors import StoreUnavailable
from causemap.metrics import REGISTRY
from causemap.service.deps import StoreDep, reader
from causemap.service.problems import error_response, responses

__all__ = ["Health", "router"]

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    """The service is up and its database answers."""

    status: str = "ok"
    version: str = __version__


@router.get(
    "/healthz",
    response_model=Health,
    responses=responses(406, 503),
    summary="Health check (no token needed)",
)
async def healthz(store: StoreDep) -> Health | Response:
    """200 when the database answers a query, 503 otherwise."""
    try:
        await run_in_threadpool(store.ping)
    except StoreUnavailable:
        headers = {"Retry-After": "5"}  # as every other 503
        return error_response(503, StoreUnavailable.code, "database unavailable", headers=headers)
    return Health()


@router.get(
    "/metrics",
    dependencies=[reader],
    response_class=Response,
    responses=responses(
        401, 403, extra={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}}
    ),
    summary="Prometheus metrics (a read token when tokens are set)",
)
def metrics() -> Response:
    """Request counts and latencies by route, render cache hits and misses, dot timeouts."""
    return Response(REGISTRY.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
