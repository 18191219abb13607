"""The HTTP service under load: a real ``causemap serve`` process measured with wrk.

Rows:

* ``/healthz`` and a cached render (``GET /render/svg/{encoded}`` repeated), measured in
  alternating rounds so that a busy machine slows both alike; the cached render must
  reach half the ``/healthz`` rate. The server's CPU time per request is shown too
  (less sensitive than rates to other work on the machine).
* the incident GET rate;
* uncached renders: for each example, unique ``GET /render/svg/{encoded}`` requests
  (each with a tag of its own, so the content key is new but the DOT is the same) and,
  interleaved (each first in turn, with a short pause before each, so that neither is
  timed while the other's aftermath runs), plain ``dot -Tsvg`` on that DOT. The median
  server-side latency (the service's ``Server-Timing: total``, from request to answer)
  must stay within 1.2x of dot's; the CPU each took (server process and its dot
  children, vs dot alone) is shown. The server is idle between these requests, so each
  finds a spare ``dot`` already started (see :mod:`causemap.render.pool`); the CPU row
  counts that process's start-up too.
* a soak of 200 concurrent clients for 60 s over incident GETs and cached renders of
  every example: zero errors, flat memory (the server's RSS is sampled every second).

Set ``CAUSEMAP_BENCH_SOAK`` to shorten the soak (seconds) while iterating.
"""

from __future__ import annotations

import base64
import os
import re
import resource
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2

from bench.table import Row
from causemap.loader import dump, load
from causemap.model import Incident
from causemap.render import render
from causemap.store import Store
from tests.conftest import EXAMPLES
from tests.servers import Server

SOAK_SECONDS = int(os.environ.get("CAUSEMAP_BENCH_SOAK", "60"))
SOAK_CLIENTS = 200
ROUNDS = 3
"""Alternating wrk rounds of /healthz and of the cached render."""
UNIQUE = 31
"""Unique (uncached) render requests per example."""
PAUSE = 0.02
"""Seconds of quiet before each timed request or dot run."""
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class WrkResult:
    rate: float
    """Requests per second."""
    requests: int
    errors: int
    """Socket errors plus non-2xx/3xx answers."""
    p99: float
    """99th percentile latency in seconds."""
    cpu: float = float("nan")
    """Server CPU seconds (process and children) per request."""


def _seconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def wrk(
    url: str, *, connections: int, seconds: int, threads: int = 2, script: Path | None = None
) -> WrkResult:
    """Run wrk against ``url`` (with a Lua ``script``, if given) and parse its summary."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", "10s", *(["-s", str(script)] if script else []), url]  # fmt: skip
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


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its reaped children (utime, stime, cutime, cstime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / TICK


def measured(pid: int, url: str, **options: int) -> WrkResult:
    """wrk against ``url`` with the server's CPU time per request."""
    before = cpu_seconds(pid)
    result = wrk(url, **options)  # type: ignore[arg-type]
    result.cpu = (cpu_seconds(pid) - before) / max(1, result.requests)
    return result


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def encoded(incident: Incident) -> str:
    """The incident as a render URL carries it."""
    return base64.urlsafe_b64encode(zlib.compress(dump(incident, "json").encode(), 9)).decode()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def uncached(pid: int, client: httpx2.Client) -> Iterator[Row]:
    """Unique renders of each example vs plain dot on the same DOT, interleaved."""
    for path in EXAMPLES:
        incident = load(path)
        source = render(incident, "dot")
        ours: list[float] = []
        plain: list[float] = []
        dot_cpu = server_cpu = 0.0
        for n in range(UNIQUE + 1):
            tag = f"bench-{n}-{time.time_ns()}"
            variant = incident.model_copy(update={"tags": [*incident.tags, tag]})
            assert render(variant, "dot") == source  # a new content key, the same DOT
            url = f"/api/v1/render/svg/{encoded(variant)}"

            def request(url: str = url) -> float:
                time.sleep(PAUSE)
                response = client.get(url)
                assert response.status_code == 200, response.text[:300]
                timing = dict(
                    re.findall(r"(\w+);dur=([\d.]+)", response.headers.get("server-timing", ""))
                )
                assert "render" in timing, response.headers  # not from the cache
                return float(timing["total"]) / 1000

            def plain_dot(source: bytes = source) -> tuple[float, float]:
                time.sleep(PAUSE)
                before = _children_cpu()
                started = time.perf_counter()
                subprocess.run(["dot", "-Tsvg"], input=source, capture_output=True, check=True)
                return time.perf_counter() - started, _children_cpu() - before

            if n % 2:
                (took, dot_spent), latency = plain_dot(), request()
            else:
                latency, (took, dot_spent) = request(), plain_dot()
            if n == 0:
                server_cpu = cpu_seconds(pid)  # from here: the server's CPU, spares included
                continue  # first requests warm up both sides
            ours.append(latency)
            plain.append(took)
            dot_cpu += dot_spent
        time.sleep(PAUSE)
        our_cpu = cpu_seconds(pid) - server_cpu
        ours_median, plain_median = statistics.median(ours), statistics.median(plain)
        case = f"uncached SVG, {path.stem}"
        yield Row("service", f"{case}: server-side latency (median of {UNIQUE})", ours_median)
        yield Row("service", f"{case}: plain dot -Tsvg on the same DOT (median)", plain_median)
        yield Row("service", f"{case}: latency / dot's (best {min(ours) / min(plain):.2f})",
                  ours_median / plain_median, 1.2, "x")  # fmt: skip
        yield Row("service", f"{case}: CPU per render, server with its dot / dot alone",
                  our_cpu / dot_cpu if dot_cpu else float("nan"), None, "x")  # fmt: skip


def soak_script(folder: Path, paths: list[str]) -> Path:
    """A wrk Lua script that cycles through ``paths``, each thread from its own start."""
    listed = ",\n".join(f'  "{p}"' for p in paths)
    script = folder / "soak.lua"
    script.write_text(
        f"local paths = {{\n{listed}\n}}\n"
        "local i = 0\n"
        "function setup(thread) thread:set('offset', math.random(#paths)) end\n"
        "function init(args) i = tonumber(offset) or 0 end\n"
        "function request()\n"
        "  i = i % #paths + 1\n"
        "  return wrk.format('GET', paths[i])\n"
        "end\n"
    )
    return script


def rows() -> Iterator[Row]:
    if shutil.which("wrk") is None:
        raise SystemExit("bench_service needs wrk: scripts/system-deps.sh wrk (make bench does)")
    folder = Path(tempfile.mkdtemp(prefix="causemap-bench-"))
    db = f"sqlite:///{folder / 'bench.db'}"
    incidents = [load(path) for path in EXAMPLES]
    with Store.open(db) as store:
        for incident in incidents:
            store.put(incident)
    first = incidents[0].id
    renders = [f"/api/v1/render/svg/{encoded(incident)}" for incident in incidents]
    try:
        with Server(db, folder / "server.log", env={"CAUSEMAP_TOKENS": ""}) as server:
            assert server.process is not None
            pid = server.process.pid
            with httpx2.Client(base_url=server.url, timeout=60) as client:
                for path in renders:  # fill the render cache
                    assert client.get(path).status_code == 200
            health_url, render_url = f"{server.url}/healthz", f"{server.url}{renders[0]}"
            wrk(health_url, connections=10, seconds=2)  # warm up
            wrk(render_url, connections=10, seconds=2)
            health: list[WrkResult] = []
            cached: list[WrkResult] = []
            for _ in range(ROUNDS):
                health.append(measured(pid, health_url, connections=50, seconds=5))
                cached.append(measured(pid, render_url, connections=50, seconds=5))
            best_health = max(health, key=lambda r: r.rate)
            best_cached = max(cached, key=lambda r: r.rate)
            rounds = f"best of {ROUNDS} alternating 5 s rounds, 50 connections"
            yield Row("service", f"GET /healthz ({rounds})", best_health.rate, None, "req/s",
                      higher_is_better=True)  # fmt: skip
            size = len(client_get(render_url))
            yield Row("service", f"GET /render/svg/{{encoded}} cached ({size // 1024} KB SVG)",
                      best_cached.rate, None, "req/s", higher_is_better=True)  # fmt: skip
            ratios = [c.rate / h.rate for c, h in zip(cached, health, strict=True)]
            yield Row("service", "  cached render rate / /healthz rate (median of rounds)",
                      statistics.median(ratios), 0.5, "x", higher_is_better=True)  # fmt: skip
            yield Row("service", "  server CPU per /healthz request",
                      statistics.median(r.cpu for r in health) * 1e6, None, "µs")  # fmt: skip
            yield Row("service", "  server CPU per cached render request",
                      statistics.median(r.cpu for r in cached) * 1e6, None, "µs")  # fmt: skip

            url = f"{server.url}/api/v1/incidents/{first}"
            get = wrk(url, connections=50, seconds=10)
            yield Row("service", f"GET /api/v1/incidents/{{id}} ({first}), 50 connections",
                      get.rate, None, "req/s", higher_is_better=True)  # fmt: skip
            yield Row("service", "  p99 latency of that GET", get.p99)

            with httpx2.Client(base_url=server.url, timeout=60) as client:
                yield from uncached(pid, client)

            paths = [f"/api/v1/incidents/{i.id}" for i in incidents] + renders
            script = soak_script(folder, paths)
            samples: list[float] = [rss_mb(pid)]
            done = threading.Event()

            def sample() -> None:
                while not done.wait(1.0):
                    samples.append(rss_mb(pid))

            sampler = threading.Thread(target=sample)
            sampler.start()
            try:
                soak = wrk(server.url, connections=SOAK_CLIENTS, seconds=SOAK_SECONDS,
                           script=script)  # fmt: skip
            finally:
                done.set()
                sampler.join()
            samples.append(rss_mb(pid))
            case = (
                f"soak: {SOAK_CLIENTS} clients for {SOAK_SECONDS} s, incident GETs + cached renders"
            )
            yield Row("service", f"{case}: errors ({soak.requests:,} requests)",
                      soak.errors, 0, "")  # fmt: skip
            yield Row("service", f"{case}: request rate", soak.rate, None, "req/s",
                      higher_is_better=True)  # fmt: skip
            yield Row("service", f"{case}: p99 latency", soak.p99)
            yield Row("service", f"{case}: server RSS at start", samples[0], None, "MB")
            yield Row("service", f"{case}: server RSS at end (peak {max(samples):.0f} MB)",
                      samples[-1], None, "MB")  # fmt: skip
            growth = samples[-1] - samples[1] if len(samples) > 2 else 0.0
            yield Row("service", f"{case}: RSS growth after the first second", growth, 25.0,
                      "MB")  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def client_get(url: str) -> bytes:
    """One GET's body."""
    return httpx2.get(url, timeout=60).content
