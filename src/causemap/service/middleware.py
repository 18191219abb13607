"""Plain ASGI middleware: security headers, the body-size cap, request metrics, HEAD and
the 500 of an unexpected failure.

Plain ASGI rather than ``BaseHTTPMiddleware``, so that streamed answers (Server-Sent
Events) pass through untouched and nothing buffers a body.
"""

from __future__ import annotations

import time
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from causemap.errors import LimitExceeded
from causemap.metrics import HTTP_DISCONNECTS, HTTP_LATENCY, HTTP_REQUESTS
from causemap.service.problems import error_response, internal_error

__all__ = [
    "APP_CSP",
    "DOCS_CSP",
    "BodyLimit",
    "Cors",
    "HeadAsGet",
    "RequestMetrics",
    "SecurityHeaders",
    "Unexpected",
    "security_headers",
]

APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""The page policy: only this origin's own files; no inline script, no framing."""

DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
"""FastAPI's /docs page loads Swagger UI from a CDN with an inline bootstrap script."""

_DOCS = ("/docs", "/redoc")


def security_headers(csp: str = APP_CSP) -> tuple[tuple[bytes, bytes], ...]:
    """The headers every answer carries: nosniff, ``csp``, no framing, no referrer."""
    return (
        (b"x-content-type-options", b"nosniff"),
        (b"content-security-policy", csp.encode()),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cross-origin-resource-policy", b"same-origin"),
    )


class SecurityHeaders:
    """Add nosniff, a strict CSP, no framing and no referrer to every answer.

    A route that sets its own ``Content-Security-Policy`` (an SVG render) keeps it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = DOCS_CSP if path.startswith(_DOCS) else APP_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in security_headers(csp):
                    if name not in present:
                        headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuse request bodies over ``max_body`` bytes with 413, without reading them whole.

    A ``Content-Length`` over the cap is refused before the app runs; a chunked body is
    counted as it arrives, and the app's read fails with :class:`LimitExceeded` until
    the answer starts. After that the app keeps no body (an event stream reads only to
    notice the client leaving) and an error could no longer be sent, so the rest is
    passed on uncounted.
    """

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    def _too_large(self) -> LimitExceeded:
        return LimitExceeded(f"request body is larger than the {self.max_body}-byte limit")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.max_body or declared < 0:
                    exc = self._too_large()
                    status, code = (413, exc.code) if declared > 0 else (400, "bad-request")
                    message = str(exc) if declared > 0 else "malformed Content-Length"
                    await error_response(status, code, message)(scope, receive, send)
                    return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body and not started:
                    raise self._too_large()
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counting_receive, watched_send)


def _route_label(scope: Scope) -> str:
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    if path is None:
        return "<unmatched>"
    return path or "static"


class RequestMetrics:
    """Count requests and time them, labelled by route template (``/incidents/{id}``).

    Each answer also says how long the server took to start it, as
    ``Server-Timing: total;dur=<ms>`` (browsers' developer tools show it; the benchmark
    reads it). A request whose client went away before an answer started (mid-body, say)
    was not answered: it is counted in ``HTTP_DISCONNECTS`` instead, without a latency.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope.get("method", "GET")
        status = 500
        elapsed: float | None = None
        gone = False

        async def watched_receive() -> Message:
            nonlocal gone
            message = await receive()
            if message["type"] == "http.disconnect" and elapsed is None:
                gone = True
            return message

        async def timed_send(message: Message) -> None:
            nonlocal status, elapsed
            if message["type"] == "http.response.start":
                status = message["status"]
                elapsed = time.perf_counter() - started
                timing = (b"server-timing", f"total;dur={elapsed * 1000:.2f}".encode())
                message = {**message, "headers": [*message.get("headers", []), timing]}
            await send(message)

        try:
            await self.app(scope, watched_receive, timed_send)
        finally:
            route = _route_label(scope)
            if gone:
                HTTP_DISCONNECTS.inc(method=method, route=route)
            else:
                HTTP_REQUESTS.inc(method=method, route=route, status=str(status))
                took = elapsed if elapsed is not None else time.perf_counter() - started
                HTTP_LATENCY.observe(took, method=method, route=route)


class HeadAsGet:
    """Answer ``HEAD`` wherever ``GET`` is answered: the status and headers of the GET,
    without its body.

    FastAPI's routes take only the methods they declare, so HEAD was 404 or 405 on every
    API route. The GET runs as usual on a copy of the scope (the server still knows the
    request as HEAD and sends no body); once its headers are out, the rest is cut off,
    so an endless event stream ends too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        inner = {**scope, "method": "GET"}
        with anyio.CancelScope() as headers_sent:

            async def head_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    await send(message)
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                    headers_sent.cancel()

            await self.app(inner, receive, head_send)
        if "route" in inner:  # what the router matched, for the metrics label
            scope["route"] = inner["route"]


class Unexpected:
    """Answer an unexpected failure with the bare JSON 500, inside the other middleware.

    Starlette answers an exception no handler takes from outside every middleware, so
    that 500 had no security headers, no CORS header (a page could not read it) and no
    ``Server-Timing``. This sits innermost and answers it here instead; a failure after
    the answer started is left to the server, which can only cut the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception as exc:
            if started:
                raise
            answer = internal_error(scope.get("method", "GET"), scope.get("path", ""), exc)
            await answer(scope, receive, send)


class Cors(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered as a JSON error like every
    other error (Starlette's is ``text/plain`` "Disallowed CORS origin")."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        refused = bytes(response.body).decode().removeprefix("Disallowed CORS ")
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("content-type", "content-length")
        }
        message = f"cross-origin request refused (not allowed here: {refused})"
        return error_response(response.status_code, "cors-refused", message, headers=headers)
