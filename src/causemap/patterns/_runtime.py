"""Keeping Python's cycle collector out of the way of large batch work, and counting the
cores that work may use.

The cross-incident pipeline allocates millions of small tuples that all stay alive until
the report is built; the cycle collector would walk them again and again (more than half
the time of a 10,000-incident run). None of them form reference cycles, so collection is
paused while they are built and resumed afterwards.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator

__all__ = ["paused_gc", "usable_cores"]


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity (``taskset``, a container's
    cpuset), which can be far fewer than the machine's ``os.cpu_count()``."""
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity is not None else os.cpu_count()
    return max(1, cores or 1)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cycle collector for the ``with`` block (reference counting still frees).

    What the block made and kept (an index, the reduced incidents, a report) then goes
    straight to the oldest generation, as if it had survived two collections: otherwise
    the first allocation after the block would scan all of it at once (40 ms after
    reading 1,000 incidents) to find no garbage. A cycle among them, if any, is still
    found by the next full collection.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()  # every tracked object to the permanent generation,
            gc.unfreeze()  # and back into the oldest one, without a scan
            gc.enable()
