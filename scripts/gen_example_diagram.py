"""Regenerate the example diagram shown in README.md (part of ``make docs``; needs dot)."""

import sys
from pathlib import Path

from causemap.loader import load
from causemap.render import RenderOptions, render

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "database-failover.yaml"
TARGET = ROOT / "docs" / "database-failover.svg"
OPTIONS = RenderOptions(highlight="uncovered", edge_labels=False)

if __name__ == "__main__":
    data = render(load(EXAMPLE), "svg", OPTIONS)
    if TARGET.exists() and TARGET.read_bytes() == data:
        print(f"{TARGET.relative_to(ROOT)} already up to date")
        sys.exit(0)
    TARGET.write_bytes(data)
    print(f"{TARGET.relative_to(ROOT)} updated")
