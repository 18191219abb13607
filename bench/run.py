"""Run every benchmark and print one table (``make bench``).

Usage: python bench/run.py [AREA...]   e.g. ``python bench/run.py load``
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.build import describe
from bench.table import Row, render

MODULES = ["load", "analyze", "patterns", "matching", "agreement", "render", "service", "web"]


def main(areas: list[str]) -> int:
    rows: list[Row] = []
    print(f"  measuring {describe()}", file=sys.stderr, flush=True)
    for name in areas or MODULES:
        module = importlib.import_module(f"bench.bench_{name}")
        for row in module.rows():
            rows.append(row)
            print(f"  measured {row.area}: {row.case}", file=sys.stderr, flush=True)
    print(f"causemap build measured: {describe()}")
    print(render(rows))
    return 1 if any(r.verdict == "MISSED" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
