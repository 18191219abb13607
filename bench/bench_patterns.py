"""``causemap patterns`` at scale, and ``suggest`` for one node.

The report: time and peak memory at 1,000 and 10,000 incidents. The corpora are
generated here (``bench/corpus.py``) into a temporary folder; the command runs in a
subprocess, so its peak resident memory is measured alone. Each timed first run starts
with an empty facts cache (and fills it, as a user's first run does); then 1% of the files
are edited and the report is made again, as after a week's new postmortems, with the
cache the first run left.

Suggestions: the web editor asks for them on every pause in typing, so one node's ranking
must feel instant (our own goal: 10 ms). The first call also builds the catalog index.
"""

from __future__ import annotations

import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.build import is_compiled, plain_python
from bench.corpus import write_corpus
from bench.table import Row, best_of, interleaved

CASES = [(1_000, 3.0, 3), (10_000, 30.0, 2)]
"""(incidents, target seconds, runs): the fastest of the runs is reported, as for the other
rows. This machine's speed wanders by 10 to 15% from one run to the next (CPU time too),
so even a half-minute run of 10,000 is timed twice."""


def measure(folder: Path, cache: Path, plain: bool = False) -> tuple[float, float, float]:
    """Run ``causemap patterns folder --format json`` with the facts cache in ``cache``;
    return (seconds, CPU seconds, peak MB). ``make bench`` measures the release build
    (:func:`bench.build.describe`); ``plain`` runs the plain-Python sources instead.

    The command's own peak is its ``VmHWM``: its ``ru_maxrss`` would be this process's
    when larger, as Linux carries a peak over ``exec`` (a run after the analysis rows read
    570 MB at 1,000 incidents, 231 MB alone). A worker's peak counts the pages it shares
    with the command (hence an upper bound).

    CPU seconds are user + system time of the command and its worker processes: on a
    machine that other work also loads, wall time varies from run to run, CPU time much
    less (with 2 free cores, wall time is roughly CPU time / 2 plus the serial start and
    report phases).
    """
    code = (
        "import resource, sys\n"
        "from causemap.cli import main\n"
        "sys.argv = ['causemap', 'patterns', sys.argv[1], '--format', 'json', '-o', sys.argv[2]]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "me = resource.getrusage(resource.RUSAGE_SELF)\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime\n"
        "status = open('/proc/self/status').read()\n"
        "peak = int(status.split('VmHWM:')[1].split()[0])\n"
        "print(peak, kids.ru_maxrss, cpu)\n"
    )
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder), str(folder.parent / "report.json")],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "CAUSEMAP_CACHE_DIR": str(cache), **(plain_python() if plain else {})},
    )
    seconds = time.perf_counter() - started
    main_kb, worker_kb, cpu = out.stdout.split()[-3:]
    peak = (int(main_kb) + 2 * int(worker_kb)) / 1024  # main + two workers, at their peaks
    return seconds, float(cpu), peak


def _edit_some(folder: Path, every: int = 100) -> int:
    """Give every ``every``-th incident file a new title; return how many were edited."""
    files = sorted(folder.iterdir())[::every]
    for path in files:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('"title": "', '"title": "Revised: ', 1), encoding="utf-8")
    return len(files)


def report_rows() -> Iterator[Row]:
    for n, target, runs in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            folder = write_corpus(Path(tmp) / "incidents", n)
            measured = []
            for run in range(runs):
                measured.append(measure(folder, Path(tmp) / f"cache-{run}"))
            seconds, cpu, _ = min(measured)
            peak = max(m[2] for m in measured)
            size = (folder.parent / "report.json").stat().st_size / 1e6
            plain = None
            if n <= 1_000 and is_compiled():  # what an install from source runs
                runs_plain = [measure(folder, Path(tmp) / f"plain-{r}", True) for r in range(runs)]
                plain = min(runs_plain)
            edited = _edit_some(folder)
            again, again_cpu, _ = measure(folder, Path(tmp) / f"cache-{runs - 1}")
        best = f", fastest of {runs}" if runs > 1 else ""
        yield Row(
            "patterns",
            f"{n:,} incidents × 25 nodes: report, first run (empty facts cache){best}",
            seconds,
            target,
        )
        yield Row(
            "patterns",
            f"{n:,} incidents: CPU time, all processes (2 cores: about half of it in wall time)",
            cpu,
        )
        if plain is not None:
            yield Row(
                "patterns",
                f"{n:,} incidents: first run, plain Python (an install from source){best}",
                plain[0],
            )
            yield Row("patterns", f"{n:,} incidents: that run's CPU time, plain Python", plain[1])
        yield Row(
            "patterns",
            f"{n:,} incidents: peak memory (main + 2 workers, upper bound)",
            peak,
            2048.0,
            unit="MB",
        )
        yield Row("patterns", f"{n:,} incidents: JSON report size", size, unit="MB")
        yield Row(
            "patterns",
            f"{n:,} incidents: the report again, {edited:,} files edited (facts cache)",
            again,
        )
        yield Row("patterns", f"{n:,} incidents: that run's CPU time, all processes", again_cpu)


def suggestion_rows() -> Iterator[Row]:
    """One node's suggestions: building the index (first call) and each later call.

    The texts are the labels of every node in ``examples/``, each ranked 21 times.
    """
    from causemap.catalog import builtin_catalog
    from causemap.loader import load
    from causemap.patterns.suggest import CatalogIndex

    catalog = builtin_catalog()
    build = best_of(lambda: CatalogIndex(catalog), repeat=5)
    yield Row("patterns", "suggest: build the built-in catalog's index (once per process)", build)
    index = CatalogIndex(catalog)
    examples = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))
    texts = [node.label for path in examples for node in load(path).nodes]
    calls = [functools.partial(index.suggest, text) for text in texts]
    times = interleaved(calls, repeat=21)
    median = statistics.median(t for per_text in times for t in per_text)
    case = f"suggest: one node label, warm index (median over {len(texts)} example labels)"
    yield Row("patterns", case, median, 0.010)


def chain_rows() -> Iterator[Row]:
    """One incident that is a chain of 10,000 nodes: every node's descendants, listed
    for the recurring links, made this quadratic (10.8 s and 2.9 GB)."""
    from bench.synthetic import incident
    from causemap.model import Incident
    from causemap.patterns import patterns
    from tests.adversarial import chain

    incidents = [Incident.model_validate(chain(10_000)), Incident.model_validate(incident(50))]
    seconds = best_of(lambda: patterns(incidents), repeat=1)
    yield Row("patterns", "one 10,000-node chain and a 50-node incident", seconds, 3.0)


def rows() -> Iterator[Row]:
    yield from chain_rows()
    yield from suggestion_rows()
    yield from report_rows()
