"""Answers to posted documents, computed once for every copy of the same body.

During a review meeting every viewer's page posts the new revision to ``/analyze`` as it
arrives: fifty viewers, fifty identical bodies, fifty analyses of one document. An
answer depends on the body's bytes and type alone, so it is kept by their digest (in a
byte-bounded LRU, as renders are), and the requests that arrive while the first is
computing wait for it instead of computing it again.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable

from causemap.service.rendering import RenderCache

__all__ = ["ANSWER_CACHE_BYTES", "Answers"]

ANSWER_CACHE_BYTES = 16 << 20
"""Bytes of answers kept per service process (an analysis of 200 nodes is ~150 kB)."""


class Answers:
    """Answers by (route, body type, body), least recently used out first. Thread-safe.

    Examples
    --------
    >>> answers, runs = Answers(4096), []
    >>> answers.get("analyze", "json", b"{}", lambda: runs.append(1) or b"[1]")
    b'[1]'
    >>> answers.get("analyze", "json", b"{}", lambda: runs.append(1) or b"[1]"), len(runs)
    (b'[1]', 1)
    """

    def __init__(self, max_bytes: int = ANSWER_CACHE_BYTES) -> None:
        self.cache = RenderCache(max_bytes)
        self._lock = threading.Lock()
        self._computing: dict[str, threading.Lock] = {}

    def get(self, route: str, kind: str, body: bytes, compute: Callable[[], bytes]) -> bytes:
        """The answer for this body: kept, or computed now (once, however many requests
        ask at the same time). ``compute`` may raise; nothing is kept then."""
        key = hashlib.sha256(f"{route}\0{kind}\0".encode() + body).hexdigest()
        found = self.cache.get(key)
        if found is not None and found.data is not None:
            return found.data
        with self._lock:
            turn = self._computing.setdefault(key, threading.Lock())
        try:
            with turn:
                found = self.cache.get(key)
                if found is not None and found.data is not None:
                    return found.data
                data = compute()
                self.cache.put_bytes(key, data, route)
                return data
        finally:
            with self._lock:
                if self._computing.get(key) is turn and not turn.locked():
                    del self._computing[key]
