"""Regenerate the golden files in tests/golden/ (``make golden``).

Run it after an intended change to the DOT, Mermaid or Markdown output (or to the
analyses they show), then review the diff: it is the change users will see.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.render_fixtures import GOLDEN, golden_cases, golden_output

if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    expected = set()
    for name, stem, fmt, options in golden_cases():
        expected.add(name)
        path = GOLDEN / name
        text = golden_output(stem, fmt, options)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    for stale in sorted(p for p in GOLDEN.iterdir() if p.is_file() and p.name not in expected):
        stale.unlink()
        print(f"removed {stale}")
