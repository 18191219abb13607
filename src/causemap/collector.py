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
def paused_gc(*, promote: bool = False) -> Iterator[None]:
    """Pause the cycle collector for the ``with`` block (reference counting still frees).

    When it resumes, what the block made is scanned once by the young generations, which
    is linear. With ``promote`` (batch work whose results live on: the patterns index,
    the reduced incidents, a report), it goes straight to the oldest generation instead,
    as if it had survived two collections, so that the first allocation after the block
    does not scan it all to find no garbage (40 ms after reading 1,000 incidents); a cycle
    among them is still found by the next full collection. That moves every object of
    the process, so loading (which the service does in several threads) does not promote.
    Nested and concurrent blocks never leave the collector paused: only the block that
    found it running starts it again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if promote:
                gc.freeze()  # every tracked object to the permanent generation,
                gc.unfreeze()  # and back into the oldest one, without a scan
            gc.enable()
