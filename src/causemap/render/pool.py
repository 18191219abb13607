"""Spare ``dot`` processes, started ahead of need for a long-running service.

A small render spends about a quarter of its time before ``dot`` reads its input:
starting the process and loading Graphviz's libraries and plugins. :class:`DotPool` keeps
a few :class:`~causemap.render.runner.DotProcess` es of each format that has been drawn
already, started and blocked on their (still empty) standard input; after a render,
:meth:`DotPool.refill` starts a replacement in a background thread. A render that finds
no spare starts its own, as without a pool.

A spare is an ordinary confined run: the same command, environment and CPU and memory
limits, set when it starts; it reads nothing and uses no CPU until a render hands it a
graph, and its wall-clock limit counts from then. The bytes it draws are those of a
fresh process. Spares do no layout, so they do not count against a service's limit on
concurrent ``dot`` runs; :meth:`DotPool.close` stops them.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from causemap.errors import CausemapError
from causemap.render.options import DEFAULT_LIMITS, RenderLimits
from causemap.render.runner import DotProcess, ImageFormat

__all__ = ["DotPool"]

log = logging.getLogger("causemap.render")


class DotPool:
    """Up to ``size`` started ``dot`` processes per format, for renders under ``limits``.

    Thread-safe. Call :meth:`close` when done (the service does at shutdown); a pool
    that is garbage collected unclosed stops its spares too.
    """

    def __init__(self, size: int = 1, limits: RenderLimits = DEFAULT_LIMITS) -> None:
        self.size = size
        self.limits = limits
        self._idle: dict[ImageFormat, list[DotProcess]] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="causemap-dot")

    def take(self, fmt: ImageFormat, limits: RenderLimits) -> DotProcess:
        """A started ``dot`` for ``fmt``: a spare if one is ready, else a new one.

        Raises
        ------
        GraphvizNotFound
            If no spare is ready and ``dot`` is not installed.
        """
        if limits != self.limits:
            return DotProcess(fmt, limits)
        spare: DotProcess | None = None
        with self._lock:
            idle = self._idle.setdefault(fmt, [])
            while idle and spare is None:
                candidate = idle.pop()
                if candidate.process.poll() is None:
                    spare = candidate
                else:  # stopped from outside: reap it and look further
                    candidate.close()
        return spare if spare is not None else DotProcess(fmt, limits)

    def refill(self, fmt: ImageFormat) -> None:
        """Start a spare for ``fmt`` in the background, unless ``size`` are ready.

        Called after a render rather than by :meth:`take`, so that the new process
        does not load Graphviz on the CPUs that the render itself needs.
        """
        with self._lock:
            if self._closed:
                return
            self._starter.submit(self._start, fmt)

    def _start(self, fmt: ImageFormat) -> None:
        with self._lock:
            if self._closed or len(self._idle.get(fmt, ())) >= self.size:
                return
        try:
            spare = DotProcess(fmt, self.limits)
        except (CausemapError, OSError) as exc:
            log.debug("no spare dot process: %s", exc)
            return
        with self._lock:
            if not self._closed:
                self._idle.setdefault(fmt, []).append(spare)
                return
        spare.close()

    def idle(self) -> int:
        """Spare processes ready now."""
        with self._lock:
            return sum(len(v) for v in self._idle.values())

    def close(self, *, wait: bool = True) -> None:
        """Stop every spare and start no more (idempotent); ``wait`` for a start under way."""
        with self._lock:
            self._closed = True
        self._starter.shutdown(wait=wait)
        with self._lock:
            spares = [p for idle in self._idle.values() for p in idle]
            self._idle.clear()
        for spare in spares:
            spare.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            self.close(wait=False)  # a start under way sees the pool closed and stops its spare
