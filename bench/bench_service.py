"""The HTTP service under load: a real ``causemap serve`` process measured with wrk.

Rows: ``/healthz`` rate, incident GET rate, and a soak of 200 concurrent clients for 60 s
(zero errors, flat memory: the server's RSS is sampled every second and its start and
end are printed). Render endpoints and their cache get rows here when they land (a
cached render at no less than half the ``/healthz`` rate).

Set ``CAUSEMAP_BENCH_SOAK`` to shorten the soak (seconds) while iterating.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.table import Row
from causemap.loader import load
from causemap.store import Store
from tests.conftest import EXAMPLES
from tests.servers import Server

SOAK_SECONDS = int(os.environ.get("CAUSEMAP_BENCH_SOAK", "60"))
SOAK_CLIENTS = 200


@dataclass
class WrkResult:
    rate: float
    """Requests per second."""
    requests: int
    errors: int
    """Socket errors plus non-2xx/3xx answers."""
    p99: float
    """99th percentile latency in seconds."""


def _seconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def wrk(url: str, *, connections: int, seconds: int, threads: int = 2) -> WrkResult:
    """Run wrk against ``url`` and parse its summary."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", "10s", url]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = 0
    if found := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        errors += sum(int(n) for n in found.groups())
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(found.group(1))
    p99 = re.search(r"\s99%\s+([\d.]+\w+)", out)
    return WrkResult(rate, requests, errors, _seconds(p99.group(1)) if p99 else float("nan"))


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rows() -> Iterator[Row]:
    if shutil.which("wrk") is None:
        raise SystemExit("bench_service needs wrk: scripts/system-deps.sh wrk (make bench does)")
    folder = Path(tempfile.mkdtemp(prefix="causemap-bench-"))
    db = f"sqlite:///{folder / 'bench.db'}"
    with Store.open(db) as store:
        for path in EXAMPLES:
            store.put(load(path))
    incident = load(EXAMPLES[0]).id
    try:
        with Server(db, folder / "server.log", env={"CAUSEMAP_TOKENS": ""}) as server:
            assert server.process is not None
            pid = server.process.pid
            wrk(f"{server.url}/healthz", connections=10, seconds=2)  # warm up
            health = wrk(f"{server.url}/healthz", connections=50, seconds=10)
            yield Row("service", "GET /healthz, 50 connections, 10 s", health.rate, None,
                      "req/s", higher_is_better=True)  # fmt: skip
            url = f"{server.url}/api/v1/incidents/{incident}"
            get = wrk(url, connections=50, seconds=10)
            yield Row("service", f"GET /api/v1/incidents/{{id}} ({incident}), 50 connections",
                      get.rate, None, "req/s", higher_is_better=True)  # fmt: skip
            yield Row("service", "  p99 latency of that GET", get.p99)

            samples: list[float] = [rss_mb(pid)]
            done = threading.Event()

            def sample() -> None:
                while not done.wait(1.0):
                    samples.append(rss_mb(pid))

            sampler = threading.Thread(target=sample)
            sampler.start()
            try:
                soak = wrk(url, connections=SOAK_CLIENTS, seconds=SOAK_SECONDS)
            finally:
                done.set()
                sampler.join()
            samples.append(rss_mb(pid))
            case = f"soak: {SOAK_CLIENTS} concurrent clients for {SOAK_SECONDS} s"
            yield Row("service", f"{case}: errors ({soak.requests:,} requests)",
                      soak.errors, 0, "")  # fmt: skip
            yield Row("service", f"{case}: request rate", soak.rate, None, "req/s",
                      higher_is_better=True)  # fmt: skip
            yield Row("service", f"{case}: server RSS at start", samples[0], None, "MB")
            yield Row("service", f"{case}: server RSS at end (peak {max(samples):.0f} MB)",
                      samples[-1], None, "MB")  # fmt: skip
            growth = samples[-1] - samples[1] if len(samples) > 2 else 0.0
            yield Row("service", f"{case}: RSS growth after the first second", growth, 25.0,
                      "MB")  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
