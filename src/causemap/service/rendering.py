"""Diagrams for the service: content-addressed, cached in memory, and bounded.

Every render has a **content key**: the SHA-256 of the format, the view options, the
SHA-256 of the canonical incident document, and the causemap and Graphviz versions. The
same incident drawn the same way has the same key however it was sent (JSON or YAML, key
order, compression level), so the key is a strong ``ETag`` and the cache key.

* :class:`RenderCache` keeps rendered bytes, least recently used first out, bounded by
  their total size. Renders that ``dot`` cannot finish under its CPU or memory limit are
  remembered for a while too, so an embedded diagram that is too hard to lay out costs
  one ``dot`` run, not one per page view.
* :class:`KeyMemo` remembers which content key an encoded render URL has, so a repeated
  ``GET /render/{format}/{encoded}`` is answered (or 304'd) without decoding anything.
* :class:`Renderer` computes misses: once per key however many requests ask at the same
  time (the others wait for that one), in a worker thread so that the event loop stays
  free, and with at most ``workers`` ``dot`` runs at once. It keeps up to ``workers``
  spare ``dot`` processes per image format (:class:`~causemap.render.pool.DotPool`), so
  an uncached render does not wait for Graphviz to start. A render that finds every slot
  busy waits ``wait`` seconds at most, then fails with :class:`Overloaded` (503 with
  ``Retry-After``): load never piles up behind ``dot``.

Everything here is per process and only an optimisation: any process computes the same
bytes and key for the same request.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import logging
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
import anyio.to_thread

from causemap import __version__
from causemap.diagnostics import Diagnostic
from causemap.errors import (
    CausemapError,
    GraphvizNotFound,
    LimitExceeded,
    MalformedDocument,
    Overloaded,
    RenderError,
    RenderTimeout,
)
from causemap.graph import CausalGraph, to_graph
from causemap.metrics import DOT_TIMEOUTS, RENDER_CACHE_HITS, RENDER_CACHE_MISSES, RENDER_OVERLOADED
from causemap.model import Incident
from causemap.render import OutputFormat, RenderLimits, RenderOptions, render
from causemap.render.pool import DotPool
from causemap.render.runner import dot_version
from causemap.service.bodies import check_body
from causemap.store import Record
from causemap.store.records import encode

__all__ = [
    "FAILURE_TTL",
    "URL_NAME",
    "KeyMemo",
    "RenderCache",
    "Rendered",
    "Renderer",
    "Subject",
    "decode_encoded",
    "subject_from_body",
    "subject_from_encoded",
    "subject_from_record",
]

log = logging.getLogger("causemap.service")

FAILURE_TTL = 600.0
"""Seconds a render that ``dot`` could not finish under its CPU or memory limit is
remembered (and answered from memory)."""

URL_NAME = "<url>"
"""The name diagnostics give an incident decoded from a render URL."""

_ENTRY_OVERHEAD = 256
"""Bytes counted for each cache entry beyond its data (key, bookkeeping)."""


@dataclass(frozen=True)
class Subject:
    """A valid incident ready to draw: the model, its graph and its canonical digest."""

    incident: Incident
    graph: CausalGraph
    digest: str
    """SHA-256 of the canonical JSON document (what the store keeps as ``digest``)."""


@dataclass(frozen=True)
class Rendered:
    """A diagram: its bytes, content key and format, and how it was obtained."""

    data: bytes
    key: str
    format: OutputFormat
    incident: str
    """The incident's id (for a download's file name)."""
    cached: bool
    """True when no render ran for this answer."""
    seconds: float = 0.0
    """Time the render took, when one ran."""


@dataclass(frozen=True)
class _Entry:
    data: bytes | None
    incident: str
    error: RenderError | None = None
    expires: float | None = None

    @property
    def size(self) -> int:
        return len(self.data or b"") + _ENTRY_OVERHEAD


class RenderCache:
    """Rendered diagrams by content key; least recently used out first, bounded in bytes.

    Thread-safe. One entry may take at most a quarter of the cache, so one huge PNG never
    flushes everything else.

    Examples
    --------
    >>> cache = RenderCache(max_bytes=4096)
    >>> cache.put_bytes("a", b"x" * 300, "demo")
    >>> cache.get("a").data[:3], len(cache), cache.size
    (b'xxx', 1, 556)
    >>> cache.put_bytes("b", b"y" * 2000, "demo")  # larger than a quarter: not kept
    >>> len(cache)
    1
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size(self) -> int:
        """Bytes held now, overhead included."""
        return self._bytes

    def get(self, key: str) -> _Entry | None:
        """The entry for ``key`` (now the most recently used), or None."""
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                return None
            if entry.expires is not None and entry.expires < time.monotonic():
                del self._items[key]
                self._bytes -= entry.size
                return None
            self._items.move_to_end(key)
            return entry

    def _put(self, key: str, entry: _Entry) -> None:
        if entry.size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._items[key] = entry
            self._bytes += entry.size
            while self._bytes > self.max_bytes and self._items:
                _, evicted = self._items.popitem(last=False)
                self._bytes -= evicted.size

    def put_bytes(self, key: str, data: bytes, incident: str) -> None:
        """Keep a rendered diagram."""
        self._put(key, _Entry(data=data, incident=incident))

    def put_failure(self, key: str, error: RenderError, incident: str, ttl: float) -> None:
        """Remember for ``ttl`` seconds that this render fails the same way every time."""
        self._put(
            key, _Entry(data=None, incident=incident, error=error, expires=time.monotonic() + ttl)
        )

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
            self._bytes = 0


class KeyMemo:
    """Which content key a request (a digest of its format, URL payload and options) has.

    Bounded by count; entries are a few dozen bytes each. Thread-safe.
    """

    def __init__(self, max_items: int = 10_000) -> None:
        self.max_items = max_items
        self._items: OrderedDict[bytes, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, request: bytes) -> str | None:
        with self._lock:
            key = self._items.get(request)
            if key is not None:
                self._items.move_to_end(request)
            return key

    def put(self, request: bytes, key: str) -> None:
        with self._lock:
            self._items[request] = key
            self._items.move_to_end(request)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)


def _again(error: RenderError) -> RenderError:
    """A fresh copy of a remembered failure (same class, message and limit)."""
    copy = type(error)(str(error))
    if isinstance(error, RenderTimeout) and isinstance(copy, RenderTimeout):
        copy.limit = error.limit
    return copy


def _deterministic(error: BaseException) -> bool:
    """True for render failures that the same input would meet again."""
    if isinstance(error, GraphvizNotFound):
        return False
    if isinstance(error, RenderTimeout):
        return error.limit != "wall-clock"
    return isinstance(error, RenderError)


@dataclass
class _Flight:
    """One render in progress; requests for the same key wait for it."""

    done: anyio.Event
    data: bytes | None = None
    error: BaseException | None = None


class Renderer:
    """Computes and caches renders for one service process (see the module docstring)."""

    def __init__(
        self, *, cache_bytes: int, workers: int, wait: float, limits: RenderLimits
    ) -> None:
        self.cache = RenderCache(cache_bytes)
        self.memo = KeyMemo()
        self.workers = workers
        self.wait = wait
        self.limits = limits
        self.pool = DotPool(size=workers, limits=limits)
        """Spare ``dot`` processes, so that a render does not wait for Graphviz to load."""
        self.graphviz = self._graphviz_version()
        """Graphviz's version line, probed once at start (restart after an upgrade)."""
        self._slots: tuple[asyncio.AbstractEventLoop, anyio.Semaphore] | None = None
        self._flights: dict[str, _Flight] = {}

    def close(self) -> None:
        """Stop the spare ``dot`` processes (at shutdown)."""
        self.pool.close()

    @staticmethod
    def _graphviz_version() -> str:
        try:
            return dot_version()
        except (CausemapError, OSError, ValueError) as exc:
            log.warning("Graphviz is not usable (%s); svg, png and pdf answer 503", exc)
            return "none"
        except Exception as exc:  # e.g. a hung dot -V: TimeoutExpired
            log.warning("cannot ask Graphviz for its version: %s", exc)
            return "unknown"

    def key(self, digest: str, fmt: str, options: RenderOptions) -> str:
        """The content key (and strong ETag) of drawing the incident with ``digest``."""
        material = json.dumps(
            [fmt, options.model_dump(mode="json"), digest, __version__, self.graphviz],
            separators=(",", ":"),
            sort_keys=True,
        )
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def lookup(self, key: str, spec: OutputFormat) -> Rendered | None:
        """The cached render for ``key``; raises the remembered error for a known failure."""
        entry = self.cache.get(key)
        if entry is None:
            return None
        RENDER_CACHE_HITS.inc(format=spec.name)
        if entry.error is not None:
            raise _again(entry.error)
        assert entry.data is not None
        return Rendered(entry.data, key, spec, entry.incident, cached=True)

    async def render(
        self, subject: Subject, spec: OutputFormat, options: RenderOptions, key: str | None = None
    ) -> Rendered:
        """The render of ``subject``: from the cache, from a concurrent identical render,
        or computed now.

        Raises
        ------
        Overloaded
            For svg, png and pdf, when every ``dot`` slot stayed busy for ``wait`` seconds.
        RenderError
            When ``dot`` is missing, too slow or fails (see :mod:`causemap.render.runner`).
        LimitExceeded
            When the diagram would be larger than ``limits`` allow.
        """
        key = key or self.key(subject.digest, spec.name, options)
        incident = subject.incident.id
        while True:
            found = self.lookup(key, spec)
            if found is not None:
                return found
            flight = self._flights.get(key)
            if flight is None:
                break
            await flight.done.wait()
            if flight.data is not None:
                RENDER_CACHE_HITS.inc(format=spec.name)
                return Rendered(flight.data, key, spec, incident, cached=True)
            if isinstance(flight.error, CausemapError):
                raise flight.error
            # The render we waited for was cancelled (its client left): try again.
        flight = self._flights[key] = _Flight(done=anyio.Event())
        RENDER_CACHE_MISSES.inc(format=spec.name)
        try:
            data, seconds = await self._compute(subject, spec, options)
        except BaseException as exc:
            flight.error = exc
            if isinstance(exc, RenderTimeout) and exc.limit != "memory":
                DOT_TIMEOUTS.inc()
            if isinstance(exc, RenderError) and _deterministic(exc):
                self.cache.put_failure(key, exc, incident, FAILURE_TTL)
            raise
        finally:
            self._flights.pop(key, None)
            flight.done.set()
        flight.data = data
        self.cache.put_bytes(key, data, incident)
        return Rendered(data, key, spec, incident, cached=False, seconds=seconds)

    async def _compute(
        self, subject: Subject, spec: OutputFormat, options: RenderOptions
    ) -> tuple[bytes, float]:
        limits = self.limits

        def work() -> tuple[bytes, float]:
            started = time.perf_counter()
            # The graph that validation built is reused; dot comes from the pool.
            data = render(
                subject.incident,
                spec.name,
                options,
                limits=limits,
                graph=subject.graph,
                pool=self.pool,
            )
            return data, time.perf_counter() - started

        if not spec.needs_dot:
            return await anyio.to_thread.run_sync(work)
        async with self._slot():
            return await anyio.to_thread.run_sync(work)

    def _semaphore(self) -> anyio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, anyio.Semaphore(self.workers))
        return self._slots[1]

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        """Hold one of the ``workers`` dot slots; wait ``wait`` seconds at most for it."""
        slots = self._semaphore()
        try:
            slots.acquire_nowait()
        except anyio.WouldBlock:
            acquired = False
            with anyio.move_on_after(self.wait):
                await slots.acquire()
                acquired = True
            if not acquired:
                RENDER_OVERLOADED.inc()
                raise Overloaded(
                    f"all {self.workers} diagram renderers are busy; retry shortly",
                    retry_after=max(1, round(self.wait)),
                ) from None
        try:
            yield
        finally:
            slots.release()


# --- where a subject comes from ------------------------------------------------------


def _subject(incident: Incident, graph: CausalGraph) -> Subject:
    return Subject(incident=incident, graph=graph, digest=encode(incident)[1])


def subject_from_body(data: bytes, fmt: str) -> Subject:
    """A posted incident (JSON or YAML), validated: see :func:`check_body`."""
    checked = check_body(data, "yaml" if fmt == "yaml" else "json")
    assert checked.incident is not None
    assert checked.graph is not None
    return _subject(checked.incident, checked.graph)


def subject_from_record(record: Record) -> Subject:
    """A stored revision (valid when it was saved)."""
    incident = record.to_incident()
    return Subject(incident=incident, graph=to_graph(incident), digest=record.digest)


def _bad(message: str) -> MalformedDocument:
    problem = Diagnostic(
        severity="error", code="bad-encoding", message=message, pointer="/path/encoded"
    )
    return MalformedDocument([problem], URL_NAME)


def decode_encoded(encoded: str, max_bytes: int) -> bytes:
    """The document in a render URL: base64url of a deflate-compressed text (as Kroki).

    Both zlib streams (Python's ``zlib.compress``, pako's ``deflate``) and raw deflate
    (``wbits=-15``) are read; padding ``=`` is optional. Decompression stops at
    ``max_bytes``, so a small URL cannot inflate into a large document.

    Raises
    ------
    MalformedDocument
        Not base64url, not deflate, or a truncated stream (HTTP 400).
    LimitExceeded
        The document is larger than ``max_bytes`` (HTTP 413).

    Examples
    --------
    >>> import zlib, base64
    >>> decode_encoded(base64.urlsafe_b64encode(zlib.compress(b'{"a": 1}')).decode(), 100)
    b'{"a": 1}'
    """
    text = encoded.strip().rstrip("=")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise _bad("not base64url (A-Z, a-z, 0-9, - and _)") from None
    for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
        inflater = zlib.decompressobj(wbits)
        try:
            document = inflater.decompress(raw, max_bytes + 1)
        except zlib.error:
            continue
        if len(document) > max_bytes or inflater.unconsumed_tail:
            raise LimitExceeded(
                f"the encoded incident inflates to more than the {max_bytes:,}-byte limit"
            )
        if not inflater.eof:
            raise _bad("the deflate stream is truncated")
        if inflater.unused_data:
            raise _bad("data after the end of the deflate stream")
        return document
    raise _bad("not deflate-compressed (zlib.compress, then base64url)")


def subject_from_encoded(encoded: str, max_bytes: int) -> Subject:
    """The incident JSON in a render URL, decoded and validated."""
    checked = check_body(decode_encoded(encoded, max_bytes), "json", URL_NAME)
    assert checked.incident is not None
    assert checked.graph is not None
    return _subject(checked.incident, checked.graph)
