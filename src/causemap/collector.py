"""Keeping Python's cycle collector out of the way of bulk work.

Loading a large document builds hundreds of thousands of small objects (YAML nodes,
plain values, the model, the graph) that stay alive until it is checked; each full
collection on the way walks all of them again, which made loading superlinear (the
YAML tree of 20,000 nodes took 4.7 s to compose, 0.6 s without collection). None of them
form reference cycles, so collection is paused while they are built.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused_gc"]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cycle collector for the ``with`` block (reference counting still frees).

    When it resumes, what the block made is scanned once by the young generations, which
    is linear. Unlike :func:`causemap.patterns._runtime.paused_gc`, nothing is moved
    between generations: the service parses bodies in several threads, and moving every
    object of the process to the oldest generation would hold back other threads'
    garbage. Nested and concurrent blocks never leave the collector paused: only the
    block that found it running starts it again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
