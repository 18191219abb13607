"""How causemap drives Debian's chromium with Playwright: for the browser tests and for
``make screenshots`` alike (Playwright's own browser download is never used)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["ARGS", "CHROMIUM"]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Chromium flags; Playwright's ``launch`` adds a fresh temporary ``--user-data-dir``."""
