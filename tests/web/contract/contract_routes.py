"""TEMPORARY test scaffolding (see sitecustomize.py): the contract's endpoints, built
directly on the library, for the browser tests until branch 'service' lands."""

from __future__ import annotations

import base64
import zlib
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response

from causemap.analyses import analyze
from causemap.render import RenderOptions, get_format, render
from causemap.service.bodies import check_body, read_body
from causemap.service.deps import API_PREFIX, StoreDep, reader
from causemap.store import Query

SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
OPTIONS = ["direction", "lanes", "actions", "highlight", "focus", "legend", "edge_labels"]


def _picture(incident: Any, fmt: str, query: Any) -> Response:
    options = RenderOptions.model_validate({k: query[k] for k in OPTIONS if k in query})
    headers = {"Content-Security-Policy": SVG_CSP} if fmt == "svg" else {}
    data = render(incident, fmt, options)
    return Response(data, media_type=get_format(fmt).media_type, headers=headers)


def add(app: FastAPI) -> FastAPI:
    router = APIRouter(prefix=API_PREFIX, dependencies=[reader])

    @router.post("/analyze")
    async def post_analyze(request: Request) -> Response:
        incident = check_body(*(await read_body(request))).incident
        text = analyze(incident).model_dump_json(by_alias=True)  # type: ignore[arg-type]
        return Response(text, media_type="application/json")

    @router.post("/suggest")
    async def post_suggest(request: Request, top: int = 3) -> dict[str, Any]:
        from causemap.patterns.suggest import suggest

        incident = check_body(*(await read_body(request))).incident
        assert incident is not None
        nodes = {
            n.id: [
                {
                    "key": s.key,
                    "name": s.name,
                    "score": s.score,
                    "confidence": s.confidence,
                    "phrases": list(s.phrases),
                    "keywords": list(s.keywords),
                    "example": None,
                }
                for s in suggest(n.label, level=n.level, top=top)
            ]
            for n in incident.nodes
            if n.kind != "impact"
        }
        return {"incident": incident.id, "nodes": nodes}

    @router.post("/render")
    async def post_render(request: Request, format: str = "svg") -> Response:
        incident = check_body(*(await read_body(request))).incident
        return _picture(incident, format, request.query_params)

    @router.get("/render/{fmt}/{encoded}")
    def get_render(fmt: str, encoded: str, request: Request) -> Response:
        raw = zlib.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        return _picture(check_body(raw, "json").incident, fmt, request.query_params)

    @router.get("/patterns")
    def get_patterns(store: StoreDep, format: str = "json") -> Response:
        from causemap.patterns import patterns
        from causemap.patterns import render as render_patterns

        ids = [s.id for s in store.find(Query(limit=500)).items]
        report = patterns([store.get(i).to_incident() for i in ids])
        media = {"json": "application/json", "markdown": "text/markdown", "html": "text/html"}
        return Response(render_patterns(report, format), media_type=media[format])

    open_router = APIRouter(prefix=API_PREFIX)

    @open_router.get("/whoami")
    def whoami(request: Request) -> dict[str, Any]:
        tokens = request.app.state.settings.tokens
        if not tokens:
            return {"auth": False, "role": None}
        _, _, token = (request.headers.get("authorization") or "").partition(" ")
        role = tokens.role(token.strip()) if token.strip() else None
        return {"auth": True, "role": role.name.lower() if role else None}

    for router_ in (router, open_router):  # before the static files mounted at "/"
        before = list(app.router.routes)
        app.include_router(router_)
        added = [r for r in app.router.routes if r not in before]
        for route in added:
            app.router.routes.remove(route)
        app.router.routes[0:0] = added
    return app
