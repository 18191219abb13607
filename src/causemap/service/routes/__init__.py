"""One router module per area; :data:`ROUTERS` lists those under ``/api/v1``.

The render, analysis, lint, suggest and patterns endpoints slot in as one module each
(``render.py`` …) added to :data:`ROUTERS`, each with
``APIRouter(prefix=f"{API_PREFIX}/...")`` so route templates (and metrics labels) are full.
"""

from __future__ import annotations

from fastapi import APIRouter

from causemap.service.routes import events, incidents

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [incidents.router, events.router]
