"""Spare dot processes: the same bytes as a fresh dot, replaced after use, stopped on close."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from causemap.model import Incident
from causemap.render import RenderOptions, render
from causemap.render.options import DEFAULT_LIMITS, RenderLimits
from causemap.render.pool import DotPool

pytestmark = pytest.mark.dot


def wait_idle(pool: DotPool, count: int) -> None:
    deadline = time.monotonic() + 10
    while pool.idle() < count:
        assert time.monotonic() < deadline, "no spare was started"
        time.sleep(0.01)


@pytest.fixture
def pool() -> Iterator[DotPool]:
    pool = DotPool(size=1)
    yield pool
    pool.close()


class TestDotPool:
    def test_same_bytes_as_a_fresh_dot(self, pool: DotPool, chain: Incident) -> None:
        options = RenderOptions(actions=True)
        for fmt in ("svg", "svg", "pdf", "pdf"):  # the second of each uses a spare
            assert render(chain, fmt, options, pool=pool) == render(chain, fmt, options)
            wait_idle(pool, 1 if fmt == "svg" else 2)

    def test_a_render_takes_the_spare_and_one_replaces_it(self, pool: DotPool) -> None:
        assert pool.idle() == 0
        pool.refill("svg")
        wait_idle(pool, 1)
        process = pool.take("svg", DEFAULT_LIMITS)
        assert pool.idle() == 0
        assert process.run("digraph { a -> b }").startswith(b"<?xml")
        pool.refill("svg")
        pool.refill("svg")
        wait_idle(pool, 1)
        time.sleep(0.2)
        assert pool.idle() == 1  # never more than size

    def test_a_stopped_spare_is_passed_over(self, pool: DotPool) -> None:
        pool.refill("svg")
        wait_idle(pool, 1)
        spare = pool.take("svg", DEFAULT_LIMITS)
        spare.process.kill()
        spare.process.wait()
        pool._idle["svg"].append(spare)  # as if it had died while idle
        fresh = pool.take("svg", DEFAULT_LIMITS)
        assert fresh is not spare
        assert fresh.run("digraph { a }").startswith(b"<?xml")

    def test_other_limits_get_a_process_of_their_own(self, pool: DotPool) -> None:
        pool.refill("svg")
        wait_idle(pool, 1)
        process = pool.take("svg", RenderLimits(timeout=5))
        assert process.limits.timeout == 5
        assert pool.idle() == 1
        process.close()

    def test_close_stops_the_spares(self) -> None:
        pool = DotPool(size=2)
        pool.refill("svg")
        pool.refill("png")
        wait_idle(pool, 2)
        spares = [p for idle in pool._idle.values() for p in idle]
        pool.close()
        pool.close()
        assert pool.idle() == 0
        assert all(p.process.returncode is not None for p in spares)
        pool.refill("svg")  # a closed pool starts nothing
        time.sleep(0.1)
        assert pool.idle() == 0
