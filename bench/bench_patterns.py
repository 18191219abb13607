"""``causemap patterns`` at scale: time and peak memory at 1,000 and 10,000 incidents.

The corpora are generated here (``bench/corpus.py``) into a temporary folder; the
command runs in a subprocess, so its peak resident memory is measured alone.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.corpus import write_corpus
from bench.table import Row

CASES = [(1_000, 3.0), (10_000, 30.0)]


def measure(folder: Path) -> tuple[float, float, float]:
    """Run ``causemap patterns folder --format json``; return (seconds, CPU seconds, peak MB).

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
        "print(me.ru_maxrss, kids.ru_maxrss, cpu)\n"
    )
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder), str(folder.parent / "report.json")],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    main_kb, worker_kb, cpu = out.stdout.split()[-3:]
    peak = (int(main_kb) + 2 * int(worker_kb)) / 1024  # main + two workers, at their peaks
    return seconds, float(cpu), peak


def rows() -> Iterator[Row]:
    for n, target in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            folder = write_corpus(Path(tmp) / "incidents", n)
            seconds, cpu, peak = measure(folder)
            size = (folder.parent / "report.json").stat().st_size / 1e6
        yield Row("patterns", f"{n:,} incidents × 25 nodes: report, wall time", seconds, target)
        yield Row(
            "patterns",
            f"{n:,} incidents: CPU time, all processes (2 cores: about half of it in wall time)",
            cpu,
        )
        yield Row(
            "patterns",
            f"{n:,} incidents: peak memory (main + 2 workers, upper bound)",
            peak,
            2048.0,
            unit="MB",
        )
        yield Row("patterns", f"{n:,} incidents: JSON report size", size, unit="MB")
