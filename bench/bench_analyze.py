"""Analysis speed on large and adversarial incidents, and class agreement with reviewers.

The adversarial rows run ``causemap analyze --format json`` in a subprocess under a
memory limit and a timeout, so that a blow-up shows as a missed row, not a hung bench.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.synthetic import incident
from bench.table import Row, best_of
from causemap.analyses import analyze
from causemap.analyses.classify import classify
from causemap.graph import CausalGraph, to_graph
from causemap.model import Incident
from tests.adversarial import chain, dense, fan_out, ladder, or_pairs, parallel, window

ADVERSARIAL: list[tuple[str, dict[str, Any]]] = [
    ("2**14 cut sets: 14 OR pairs under an AND (43 nodes)", or_pairs(14)),
    ("2**18 cut sets: 18 OR pairs under an AND (55 nodes)", or_pairs(18)),
    ("2**30 cut sets: 30 OR pairs under an AND (91 nodes)", or_pairs(30)),
    ("dense random DAG, mixed gates (300 nodes, 6 causes each)", dense(300)),
    ("4**40 paths: ladder of 40 rows × 4 (161 nodes)", ladder(40, 4)),
    ("one cause of 19,998 effects (20,000 nodes)", fan_out(19_998)),
    ("9,999 separate root-to-impact paths (19,999 nodes)", parallel(9_999)),
    ("a chain of 19,999 conditions (20,000 nodes)", chain(19_999)),
    ("10**4403 paths: 15,000 nodes, each caused by the 5 before", window(15_000, 5)),
]
TIMEOUT = 120.0
MEMORY_LIMIT = 4 << 30
"""Address-space limit of the measured process, in bytes."""


def rows() -> Iterator[Row]:
    for n, target in ((1_000, 0.5), (10_000, 10.0)):
        G = to_graph(Incident.model_validate(incident(n)))

        def run(G: CausalGraph = G) -> None:
            analyze(G)

        seconds = best_of(run, repeat=3 if n < 10_000 else 1)
        yield Row(
            "analyze",
            f"{n:,}-node incident: classes, findings, prevention, leverage",
            seconds,
            target,
        )
    yield from _adversarial()
    yield from _agreement()


def measure(path: Path) -> tuple[float, float, str]:
    """Run ``causemap analyze --format json path``; return (seconds, peak MB, outcome).

    The outcome is ``exact`` or ``truncated`` (the cut sets' flag), ``timeout``, ``out of
    memory`` or the error printed; after a timeout, seconds and peak memory are lower
    bounds. Peak memory is
    the process's VmHWM: the rusage of a child also counts the parent it was forked from.
    """
    code = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))\n"
        "from causemap.cli import main\n"
        "sys.argv = ['causemap', 'analyze', '--format', 'json', sys.argv[1], '-o', sys.argv[2]]\n"
        "try:\n    main()\n"
        "finally:\n    print(open('/proc/self/status').read(), flush=True)\n"
    )
    out_path = path.with_suffix(".out.json")
    out_path.unlink(missing_ok=True)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path), str(out_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status, error = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        status = Path(f"/proc/{proc.pid}/status").read_text()
        proc.kill()
        proc.communicate()
        return time.perf_counter() - started, _peak(status), "timeout"
    seconds = time.perf_counter() - started
    if not out_path.exists():
        lines = error.strip().splitlines() or ["no output"]
        failed = next((line for line in lines if "Error" in line), lines[-1])
        failed = "out of memory" if "MemoryError" in failed else failed
        return seconds, _peak(status), failed
    truncated = json.loads(out_path.read_text())["prevention"]["truncated"]
    return seconds, _peak(status), "truncated" if truncated else "exact"


def _peak(status: str) -> float:
    """Peak resident memory in MB, from the text of ``/proc/<pid>/status``."""
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
    return int(kilobytes) / 1024


def _adversarial() -> Iterator[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        for case, doc in ADVERSARIAL:
            path = Path(tmp) / f"{doc['id']}.json"
            n = len(doc["nodes"])
            path.write_text(json.dumps(doc))
            seconds, peak, outcome = measure(path)
            yield Row("analyze", f"{case}: {outcome}", seconds, 2.0 if n < 1_000 else 30.0)
            memory = 512.0 if n < 1_000 else 2048.0
            yield Row("analyze", f"{case}: peak memory", peak, memory, unit="MB")


def _agreement() -> Iterator[Row]:
    from tests.corpus import labelled_corpus

    splits = ("dev", "train", "test")
    agree = dict.fromkeys(splits, 0)
    total = dict.fromkeys(splits, 0)
    for item in labelled_corpus():
        result = classify(to_graph(item.incident))
        for node, label in item.classes.items():
            total[item.split] += 1
            agree[item.split] += result[node].class_ == label
    for split in splits:
        yield Row(
            "classes",
            f"agreement with reviewers, {split} split ({total[split]} nodes)",
            100 * agree[split] / total[split],
            95.0,
            unit="%",
            higher_is_better=True,
        )
    share = 100 * sum(agree.values()) / sum(total.values())
    incidents = len(labelled_corpus())
    yield Row(
        "classes",
        f"agreement with reviewers, all {incidents} real postmortems ({sum(total.values())} nodes)",
        share,
        95.0,
        unit="%",
        higher_is_better=True,
    )
