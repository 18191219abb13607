"""One router module per area; :data:`ROUTERS` lists those under ``/api/v1``.

Each module has ``APIRouter(prefix=f"{API_PREFIX}...")`` so route templates (and the
metrics labels made from them) are full paths.
"""

from __future__ import annotations

from fastapi import APIRouter

from causemap.service.routes import (
    analysis,
    catalog,
    events,
    incidents,
    layout,
    patterns,
    render,
    whoami,
)

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [
    incidents.router,
    events.router,
    layout.router,
    render.router,
    analysis.router,
    patterns.router,
    catalog.router,
    whoami.router,
]
