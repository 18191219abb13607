"""Service settings: from ``causemap serve`` options or ``CAUSEMAP_*`` environment variables.

=============================  ==========================================================
``CAUSEMAP_DB``                database URL (default: the SQLite file in the user's data folder)
``CAUSEMAP_TOKENS``            ``role:token`` pairs, comma-separated; roles read, write, admin
``CAUSEMAP_CORS_ORIGINS``      origins allowed to call the API from a browser, comma-separated
``CAUSEMAP_MAX_BODY``          largest request body (and decoded render URL), bytes (2 MiB, ≤ 1 GiB)
``CAUSEMAP_SSE_POLL``          seconds between live-event checks of the revisions table (0.5)
``CAUSEMAP_SSE_PING``          seconds between keep-alive comments on an idle event stream (15)
``CAUSEMAP_RENDER_CACHE``      bytes of rendered diagrams kept in memory per process (64 MiB)
``CAUSEMAP_DOT_WORKERS``       concurrent Graphviz ``dot`` runs per process (one per core)
``CAUSEMAP_DOT_WAIT``          seconds a render waits for a free ``dot`` slot before 503 (2)
``CAUSEMAP_DOT_TIMEOUT``       CPU seconds one ``dot`` run may use (10, at most 3600; wall: twice)
``CAUSEMAP_PUBLIC_RENDER``     ``1``: ``GET /render/{format}/{encoded}`` needs no token
``CAUSEMAP_CATALOG``           factor catalog file for suggestions and patterns (built-in)
``CAUSEMAP_HEAD_TIMEOUT``      seconds a connection may take to send a request's headers (20)
=============================  ==========================================================
"""

from __future__ import annotations

import math
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from causemap.errors import InvalidQuery
from causemap.patterns._runtime import usable_cores
from causemap.render.options import RenderLimits
from causemap.service.auth import Tokens

__all__ = [
    "DEFAULT_DOT_TIMEOUT",
    "DEFAULT_HEAD_TIMEOUT",
    "DEFAULT_MAX_BODY",
    "DEFAULT_RENDER_CACHE",
    "MAX_BODY",
    "MAX_DOT_TIMEOUT",
    "MAX_HEAD",
    "Settings",
    "cors_origin",
    "default_dot_workers",
    "head_timeout",
    "service_limits",
]

N = TypeVar("N", int, float)

DEFAULT_MAX_BODY = 2 * 1024 * 1024
MAX_BODY = 1024**3
"""The largest CAUSEMAP_MAX_BODY: a body is held in memory whole, and far more (10³⁰)
no buffer can count to: every render URL was a 500."""
MAX_HEAD = 1024 * 1024
"""Largest request line and headers in bytes (see :mod:`causemap.service.protocol`): far
beyond what proxies pass (often 8 KB). The URL alone is capped lower, at 65,535 bytes."""
DEFAULT_HEAD_TIMEOUT = 20.0
"""Seconds from a connection's opening, or its previous answer, to the end of the next
request's headers (see :mod:`causemap.service.protocol`); Apache's ``RequestReadTimeout``
allows 20 to 40."""
DEFAULT_RENDER_CACHE = 64 * 1024 * 1024
DEFAULT_DOT_TIMEOUT = 10
"""CPU seconds one ``dot`` run may use in the service (the CLI allows 60)."""
MAX_DOT_TIMEOUT = 3600
"""An hour of CPU for one diagram is more than any needs; far more (10¹⁰ s) no timer
can hold, and every svg, png and pdf render failed."""


def default_dot_workers() -> int:
    """One concurrent ``dot`` per core this process may use: layout is CPU-bound, more
    would only queue."""
    return usable_cores()


def service_limits(cpu_seconds: int = DEFAULT_DOT_TIMEOUT) -> RenderLimits:
    """The render limits of the service: ``cpu_seconds`` of CPU, twice that of wall
    clock, 1 GiB of address space, and the default node, edge and label caps."""
    return RenderLimits(
        timeout=float(2 * cpu_seconds), cpu_seconds=cpu_seconds, memory_bytes=1024**3
    )


def _number(
    env: Mapping[str, str],
    name: str,
    kind: type[N],
    default: N,
    least: N,
    *,
    above: bool = False,
    most: N | None = None,
) -> N:
    """The number in variable ``name`` (``default`` when unset or empty): finite, and at
    least ``least`` (or more, with ``above``), at most ``most``. ``float`` reads ``nan``
    and ``inf`` too, which no wait may be (anyio refuses to sleep ``nan`` seconds).

    Raises
    ------
    InvalidQuery
        Naming the variable, when it is not such a number.
    """
    text = env.get(name) or ""
    try:
        value = kind(text) if text else default
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise InvalidQuery(f"{name}: expected {what}, got {text!r}") from None
    if not math.isfinite(value) or value < least or (above and value == least):
        bound = f"above {least}" if above else f"of at least {least}"
        raise InvalidQuery(f"{name}: expected a number {bound}, got {text}")
    if most is not None and value > most:
        bound = str(most) if isinstance(most, int) else f"{most:g}"  # not 1.07374e+09
        raise InvalidQuery(f"{name}: expected at most {bound}, got {text}")
    return value


def head_timeout(env: Mapping[str, str]) -> float:
    """``CAUSEMAP_HEAD_TIMEOUT``: seconds, above 0 (read by the HTTP protocol itself, which
    uvicorn builds without the app's settings)."""
    return _number(env, "CAUSEMAP_HEAD_TIMEOUT", float, DEFAULT_HEAD_TIMEOUT, 0, above=True)


def cors_origin(value: str) -> str:
    """``value``, when it is an origin as browsers send it in ``Origin`` (or ``*``): CORS
    compares the two as strings, so ``https://wiki.example/`` (copied from the address
    bar) would never match and every cross-origin call would be refused.

    Raises
    ------
    InvalidQuery
        Otherwise, with the form browsers send when there is one.

    Examples
    --------
    >>> cors_origin("http://localhost:5173")
    'http://localhost:5173'
    >>> try:
    ...     cors_origin("https://Wiki.example/")
    ... except InvalidQuery as exc:
    ...     print(str(exc).split("; ")[-1])
    browsers send https://wiki.example
    """
    if value == "*":
        return value
    parts = urllib.parse.urlsplit(value)
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        parts = parts._replace(netloc="")
        port = None
    hint = ""
    if parts.scheme and parts.hostname and "@" not in parts.netloc:
        scheme = parts.scheme.lower()
        shown = "" if port is None or port == {"http": 80, "https": 443}.get(scheme) else f":{port}"
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        sent = f"{scheme}://{host}{shown}"
        if sent == value:
            return value
        hint = f"; browsers send {sent}"
    raise InvalidQuery(
        f"{value!r} is not an origin as browsers send it (scheme://host[:port], no path){hint}"
    )


def _origins(text: str) -> list[str]:
    """The comma-separated origins in ``text``, each checked by :func:`cors_origin`."""
    return [cors_origin(o.strip()) for o in text.split(",") if o.strip()]


_ON = frozenset({"1", "true", "yes", "on"})
_OFF = frozenset({"", "0", "false", "no", "off"})


def _flag(env: Mapping[str, str], name: str) -> bool:
    """The switch in variable ``name``: on for ``1``/``true``/``yes``/``on``, off when unset
    or ``0``/``false``/``no``/``off`` (any case).

    Raises
    ------
    InvalidQuery
        Naming the variable, for any other value: a typo (``ture``) would otherwise leave
        the switch off without a word.
    """
    text = env.get(name) or ""
    word = text.strip().lower()
    if word in _ON or word in _OFF:
        return word in _ON
    raise InvalidQuery(f"{name}: expected 1 or 0 (or true/false, yes/no, on/off), got {text!r}")


@dataclass(frozen=True)
class Settings:
    """Everything ``create_app`` needs to know."""

    db: str | None = None
    """Database URL; None means ``$CAUSEMAP_DB`` or the default SQLite file."""
    tokens: Tokens = field(default_factory=Tokens)
    """Bearer tokens and their roles; empty means no authentication (loopback only)."""
    cors_origins: tuple[str, ...] = ()
    """Origins allowed by CORS; empty turns CORS off."""
    max_body: int = DEFAULT_MAX_BODY
    """Largest request body in bytes; larger ones get 413. Also caps the decompressed
    incident of a ``GET /render/{format}/{encoded}`` URL."""
    sse_poll: float = 0.5
    """Seconds between checks for new revisions on an event stream."""
    sse_ping: float = 15.0
    """Seconds between keep-alive comments on an idle event stream. Announced to the
    client (``Causemap-Ping`` header), which takes a stream that stays silent for much
    longer as dead and reconnects."""
    web_dir: Path | None = None
    """Folder of static web assets served at ``/``; None means the bundled editor."""
    render_cache: int = DEFAULT_RENDER_CACHE
    """Bytes of rendered diagrams kept in memory (least recently used go first); 0: none."""
    dot_workers: int = field(default_factory=default_dot_workers)
    """How many ``dot`` processes may run at once in this process."""
    dot_wait: float = 2.0
    """Seconds a render waits for a free ``dot`` slot before answering 503."""
    render_limits: RenderLimits = field(default_factory=service_limits)
    """Caps on one render: nodes, edges, label length, ``dot``'s time and memory."""
    catalog: Path | None = None
    """Factor catalog file for ``/suggest`` and ``/patterns`` (the web editor's
    suggestions too); None means the built-in catalog."""
    public_render: bool = False
    """Let ``GET /render/{format}/{encoded}`` through without a token, so that wiki pages
    can embed diagrams as images (the URL carries the whole incident; the store is not
    read)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the ``CAUSEMAP_*`` variables (see the module docstring).

        Raises
        ------
        InvalidQuery
            If a variable is malformed (the message names it, never a token).
        """
        env = os.environ if environ is None else environ
        max_body = _number(env, "CAUSEMAP_MAX_BODY", int, DEFAULT_MAX_BODY, 1, most=MAX_BODY)
        sse_poll = _number(env, "CAUSEMAP_SSE_POLL", float, 0.5, 0, above=True)
        sse_ping = _number(env, "CAUSEMAP_SSE_PING", float, 15.0, 0, above=True, most=3600.0)
        render_cache = _number(env, "CAUSEMAP_RENDER_CACHE", int, DEFAULT_RENDER_CACHE, 0)
        dot_workers = _number(env, "CAUSEMAP_DOT_WORKERS", int, default_dot_workers(), 1)
        dot_wait = _number(env, "CAUSEMAP_DOT_WAIT", float, 2.0, 0)
        dot_timeout = _number(
            env, "CAUSEMAP_DOT_TIMEOUT", int, DEFAULT_DOT_TIMEOUT, 1, most=MAX_DOT_TIMEOUT
        )
        try:
            origins = _origins(env.get("CAUSEMAP_CORS_ORIGINS") or "")
        except InvalidQuery as exc:
            raise InvalidQuery(f"CAUSEMAP_CORS_ORIGINS: {exc}") from None
        return cls(
            db=env.get("CAUSEMAP_DB") or None,
            tokens=Tokens.parse(env.get("CAUSEMAP_TOKENS") or ""),
            cors_origins=tuple(origins),
            max_body=max_body,
            sse_poll=sse_poll,
            sse_ping=sse_ping,
            render_cache=render_cache,
            dot_workers=dot_workers,
            dot_wait=dot_wait,
            render_limits=service_limits(dot_timeout),
            public_render=_flag(env, "CAUSEMAP_PUBLIC_RENDER"),
            catalog=Path(env["CAUSEMAP_CATALOG"]) if env.get("CAUSEMAP_CATALOG") else None,
        )
