"""Every error the service answers, as ``{"error": {"code", "message", "details"}}``.

Library errors map to 4xx by class (:data:`STATUS`); invalid incidents carry the same
:class:`~causemap.diagnostics.Diagnostic` list as the CLI prints. Request-parameter
errors, unknown routes and wrong methods use the same shape. A client that goes away
mid-request is logged in one line, not as an error. Anything unexpected is logged with
its traceback and answered with a bare 500 that shows neither.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match, Mount

from causemap import errors
from causemap.diagnostics import Diagnostic, pointer
from causemap.service.headers import layout_tag

__all__ = [
    "CLIENT_CLOSED",
    "STATUS",
    "ErrorBody",
    "ErrorResponse",
    "FormatNotFound",
    "allowed_methods",
    "bad_parameter",
    "error_response",
    "header",
    "install",
    "internal_error",
    "responses",
    "status_of",
]

log = logging.getLogger("causemap.service")


class FormatNotFound(errors.UnknownFormat):
    """An unknown format in a URL path: there is no such resource (HTTP 404)."""


STATUS: list[tuple[type[errors.CausemapError], int]] = [
    (errors.MalformedDocument, 400),
    (errors.InvalidIncident, 422),
    (errors.InvalidQuery, 422),
    (FormatNotFound, 404),
    (errors.UnknownFormat, 400),
    (errors.LimitExceeded, 413),
    (errors.UnsupportedMediaType, 415),
    (errors.MissingToken, 401),
    (errors.InsufficientRole, 403),
    (errors.IncidentDeleted, 410),
    (errors.IncidentNotFound, 404),
    (errors.NodeNotFound, 404),
    (errors.IncidentExists, 409),
    (errors.RevisionConflict, 412),
    (errors.LayoutConflict, 412),
    (errors.PreconditionFailed, 412),
    (errors.PreconditionRequired, 428),
    (errors.StoreUnavailable, 503),
    (errors.NotAcceptable, 406),
    (errors.Overloaded, 503),
    (errors.GraphvizNotFound, 503),
    (errors.RenderTimeout, 422),
    (errors.RenderError, 422),
]
"""Status code of each library error, most specific class first.

Render failures: ``dot`` stopped at its CPU or memory limit, or failing, depends on the
incident alone, so it is 422 (a retry would meet the same limit); stopped at its
wall-clock limit while under its CPU limit means the machine was busy, so that is 503
with ``Retry-After`` (see :func:`status_of`), as are a missing Graphviz and a full
``dot`` pool."""


class ErrorBody(BaseModel):
    """What went wrong."""

    model_config = ConfigDict(extra="forbid")

    code: str
    """Stable kebab-case identifier, e.g. ``invalid-incident`` or ``revision-conflict``."""
    message: str
    """What is wrong, in words."""
    details: list[Diagnostic] | dict[str, Any] | None = None
    """Diagnostics for invalid documents and parameters; other facts for other errors."""


class ErrorResponse(BaseModel):
    """Every error answer of the API."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorBody


_TITLES = {
    400: "Bad request",
    401: "Missing or unknown token",
    403: "Token role too weak",
    404: "Not found",
    406: "No acceptable format (Accept)",
    409: "Already exists",
    410: "Deleted (restore it)",
    412: "Stale revision or entity tag (If-Match)",
    413: "Body, decoded incident or diagram too large",
    415: "Unsupported content type, or a compressed body (Content-Encoding)",
    422: "Invalid incident or parameters, or a diagram too hard to lay out",
    428: "If-Match required",
    503: "Unavailable: database down, Graphviz missing, or every renderer busy (see Retry-After)",
}


def header(description: str) -> dict[str, Any]:
    """An OpenAPI response header: a string, described."""
    return {"description": description, "schema": {"type": "string"}}


_ERROR_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": header('Bearer realm="causemap"')},
    412: {
        "ETag": header(
            'The current revision, e.g. "4", when the incident exists (for a GET, the ETag '
            "of the representation asked for: a diagram's content hash, say)."
        )
    },
    415: {"Accept-Encoding": header("identity, when the body was compressed.")},
    503: {"Retry-After": header("Seconds to wait before trying again.")},
}
"""The headers an error answer carries (see ``_library_error``)."""


def responses(
    *codes: int, extra: dict[int, dict[str, Any]] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses``: ``extra`` plus these error codes, all :class:`ErrorResponse`
    (with the headers each carries), and 413 on every operation: the body cap
    (``middleware.BodyLimit``) refuses an oversized body before any route runs, one that
    takes no body too."""
    found: dict[int | str, dict[str, Any]] = {}
    for status, response in (extra or {}).items():
        found[status] = response
    for code in sorted({*codes, 413}):
        found[code] = {"model": ErrorResponse, "description": _TITLES[code]}
        if code in _ERROR_HEADERS:
            found[code]["headers"] = _ERROR_HEADERS[code]
    return found


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[Diagnostic] | dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A JSON error answer."""
    body = ErrorResponse(error=ErrorBody(code=code, message=message, details=details))
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=False), status_code=status, headers=headers
    )


def status_of(exc: errors.CausemapError) -> int:
    """The HTTP status of a library error."""
    if isinstance(exc, errors.RenderTimeout) and exc.limit == "wall-clock":
        return 503
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 400


async def _library_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.CausemapError)
    status = status_of(exc)
    details: list[Diagnostic] | dict[str, Any] | None = None
    headers: dict[str, str] = {}
    message = str(exc)
    if isinstance(exc, errors.InvalidQuery):
        # A request parameter, like the ones FastAPI checks (see ``bad_parameter``).
        problem = Diagnostic(severity="error", code=exc.code, message=message)
        return error_response(422, "invalid-parameters", "invalid request parameters", [problem])
    if isinstance(exc, errors.InvalidIncident):
        details = [d.model_copy(update={"file": None}) for d in exc.diagnostics]
        errors_ = [d for d in exc.diagnostics if d.severity == "error"]
        what = "the body cannot be parsed" if status == 400 else "the incident is invalid"
        if status == 400 and exc.name == "<url>":
            what = "the encoded incident cannot be read"
        first = f"{errors_[0].pointer or 'document'}: {errors_[0].message}" if errors_ else ""
        more = f" (and {len(errors_) - 1} more; see details)" if len(errors_) > 1 else ""
        message = f"{what}: {first}{more}"
    elif isinstance(exc, errors.RevisionConflict):
        if exc.current is not None:
            details = {"current_revision": exc.current}
        if tag := exc.etag or (f'"{exc.current}"' if exc.current is not None else None):
            headers["ETag"] = tag
    elif isinstance(exc, errors.LayoutConflict):
        details = {"current_version": exc.current}
        headers["ETag"] = layout_tag(exc.current)
    elif isinstance(exc, errors.PreconditionFailed):
        headers["ETag"] = exc.etag
    elif isinstance(exc, errors.UnsupportedContentCoding):
        headers["Accept-Encoding"] = "identity"  # RFC 9110 12.5.3
    elif isinstance(exc, errors.MissingToken):
        headers["WWW-Authenticate"] = 'Bearer realm="causemap"'
    elif isinstance(exc, errors.NotAcceptable | errors.UnknownFormat) and exc.choices:
        details = {"formats": exc.choices}
    if isinstance(exc, errors.RenderError) and status != 503:
        # The message never holds Graphviz's own words (its stderr can echo input and
        # name files): the runner logs those and keeps them off the message.
        log.info("%s %s: %s", request.method, request.url.path, exc)
    if status == 503:
        retry = exc.retry_after if isinstance(exc, errors.Overloaded) else 5
        headers["Retry-After"] = str(retry)
        log.warning("%s %s: %s", request.method, request.url.path, exc)
    return error_response(status, exc.code, message, details, headers)


def bad_parameter(source: str, name: str, kind: str, message: str) -> RequestValidationError:
    """A request parameter FastAPI could not check itself (a header's syntax, a cursor, a
    node the incident lacks), answered like the ones it checks: 422 ``invalid-parameters``
    with the pointer ``/<source>/<name>``, e.g. ``/header/last-event-id``."""
    return RequestValidationError([{"type": kind, "loc": (source, name), "msg": message}])


async def _parameters(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = []
    for error in exc.errors():
        where = [str(p) for p in error.get("loc", ())]
        details.append(
            Diagnostic(
                severity="error",
                code=str(error.get("type", "invalid")).replace("_", "-"),
                message=str(error.get("msg", "invalid value")),
                pointer=pointer(where),
            )
        )
    return error_response(422, "invalid-parameters", "invalid request parameters", details or None)


_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def allowed_methods(request: Request) -> list[str]:
    """Every method some API route answers at the request's path, HEAD with GET.

    A route that refuses a method knows only its own methods, and one path often has
    several routes (``GET``, ``PUT`` and ``DELETE /incidents/{id}``), so ``Allow`` is
    found by asking every route about every method. Mounts (the web editor) are left out.
    """
    path: str = request.scope["path"]
    routes = [r for r in request.app.router.routes if not isinstance(r, Mount)]
    found = []
    for method in _METHODS:
        probe = {
            "type": "http",
            "method": method,
            "path": path,
            "root_path": request.scope.get("root_path", ""),
            "headers": [],
            "query_string": b"",
        }
        if any(route.matches(probe)[0] is Match.FULL for route in routes):
            found.append(method)
    return [m for method in found for m in ((method, "HEAD") if method == "GET" else (method,))]


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    message = exc.detail if isinstance(exc.detail, str) else "request refused"
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        message = f"no such resource: {request.url.path}"
    if exc.status_code == 405 and (allowed := allowed_methods(request)):
        headers["Allow"] = ", ".join(allowed)
        message = f"{request.method} is not allowed here; allowed: {headers['Allow']}"
    return error_response(exc.status_code, code, message, headers=headers)


CLIENT_CLOSED = 499
"""nginx's "client closed request": what a request whose client went away gets, for the
record; nobody receives it."""


async def _disconnected(request: Request, exc: Exception) -> Response:
    log.info(
        "%s %s: the client went away before sending its whole body",
        request.method,
        request.url.path,
    )
    return Response(status_code=CLIENT_CLOSED)


def internal_error(method: str, path: str, exc: BaseException) -> JSONResponse:
    """Log an unexpected failure with its traceback; answer a bare 500 that shows neither."""
    log.error("%s %s failed", method, path, exc_info=exc)
    return error_response(500, "internal-error", "internal error; the server log has details")


async def _internal(request: Request, exc: Exception) -> JSONResponse:
    return internal_error(request.method, request.url.path, exc)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(errors.CausemapError, _library_error)
    app.add_exception_handler(RequestValidationError, _parameters)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ClientDisconnect, _disconnected)
    # Starlette answers this one outside every middleware, so it only takes failures of
    # the middleware itself; middleware.Unexpected answers the app's own.
    app.add_exception_handler(Exception, _internal)
