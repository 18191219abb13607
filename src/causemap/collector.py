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

    What the block made and kept then goes straight to the oldest generation, as
    :func:`causemap.patterns._runtime.paused_gc` does, unless objects are frozen (a
    process forked with a frozen catalog, whose pages must stay shared): they stay
    frozen, and what the block made is left to the young generations. A cycle among
    them, if any, is still found by a later collection. Nested and concurrent blocks
    (the service's threads) never leave the collector paused.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if not gc.get_freeze_count():
                gc.freeze()  # every tracked object to the permanent generation,
                gc.unfreeze()  # and back into the oldest one, without a scan
            gc.enable()
