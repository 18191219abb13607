"""Regenerate the web editor screenshots in docs/screenshots/ (``make screenshots``).

Starts ``causemap serve`` on a free port with a temporary store holding the examples,
drives Debian's chromium with Playwright through the main views at 1280×800, and saves
one PNG per view. The pictures are for people, so nothing checks them byte for byte.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.web.browser: one set of chromium flags

from tests.web.browser import ARGS, CHROMIUM  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
READ = "read-token-for-the-screenshots"
WRITE = "write-token-for-the-screenshots"
INCIDENT = "database-failover"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    db = f"sqlite:///{folder / 'store.db'}"
    env = {
        **os.environ,
        "CAUSEMAP_TOKENS": f"read:{READ},write:{WRITE}",
        "CAUSEMAP_SSE_POLL": "0.1",
    }
    cli = [sys.executable, "-m", "causemap"]
    subprocess.run([*cli, "import", "--db", db, str(ROOT / "examples")], check=True, env=env,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    port = free_port()
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen([*cli, "serve", "--port", str(port), "--db", db], env=env,
                               stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx2.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx2.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the server did not start: {(folder / 'server.log').read_text()[-2000:]}")


def ready(page: Page) -> None:
    page.wait_for_function("() => window.causemap && window.causemap.ready")


def settle(page: Page) -> None:
    """Wait for the analysis of what is on screen, and for the canvas to stop moving."""
    page.wait_for_function("() => !window.causemap.editor() || window.causemap.analysisFresh()")
    page.wait_for_function("() => !window.cy || !window.cy.animated()")
    # The factor key's catalog suggestions arrive on their own request.
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.suggestions .muted')]"
        ".some((p) => p.textContent === 'Looking…')"
    )
    page.wait_for_timeout(300)


def zoom_on(page: Page, node: str, level: float = 0.8) -> None:
    """Zoom to a readable size around one node, as a facilitator would."""
    page.evaluate(
        "([id, level]) => { const n = window.cy.getElementById(id);"
        " window.cy.zoom(level); window.cy.center(n); }",
        [node, level],
    )


def shoot(page: Page, name: str) -> None:
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="causemap-shots-"))
    process, url = serve(folder)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            context = browser.new_context(
                viewport={"width": 1280, "height": 800}, device_scale_factor=1
            )
            page = context.new_page()
            page.goto(f"{url}/#/&token={WRITE}")
            ready(page)
            shoot(page, "list")

            page.goto(f"{url}/#/incidents/{INCIDENT}&token={WRITE}")
            ready(page)
            settle(page)
            page.locator('.outline-node[data-node="lagging-replica-promoted"]').click()
            page.locator("#cy").focus()
            zoom_on(page, "lagging-replica-promoted")
            settle(page)
            shoot(page, "editor")

            page.get_by_role("tab", name="Analysis").click()
            settle(page)
            shoot(page, "analysis")

            page.get_by_role("tab", name="Actions").click()
            settle(page)
            shoot(page, "actions")

            page.locator('.outline-node[data-node="split-writes"]').click()
            page.locator("#cy").focus()
            zoom_on(page, "split-writes")
            page.keyboard.press("w")
            page.locator("#statement").fill(
                "Writers in zone A could not tell that the old primary had been demoted"
            )
            settle(page)
            shoot(page, "why")
            page.keyboard.press("Enter")
            page.keyboard.press("Escape")
            page.wait_for_function("() => window.causemap.state().status === 'saved'"
                                   " && window.causemap.state().revision > 1")  # fmt: skip

            page.get_by_role("button", name="History", exact=True).click()
            page.locator("dialog[open] .diff-summary h3").wait_for()
            page.wait_for_timeout(400)
            shoot(page, "history")
            page.keyboard.press("Escape")

            page.get_by_role("button", name="Export", exact=True).click()
            page.locator("img.export-preview[src^='data:']").wait_for()
            page.wait_for_timeout(300)
            shoot(page, "export")
            page.keyboard.press("Escape")

            viewer = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            viewer.goto(f"{url}/#/incidents/retry-storm&token={READ}")
            ready(viewer)
            settle(viewer)
            shoot(viewer, "viewer")

            page.goto(f"{url}/#/patterns&token={WRITE}")
            ready(page)
            shoot(page, "patterns")

            page.goto(f"{url}/#/incidents/certificate-expiry&token={WRITE}")
            ready(page)
            page.get_by_role("button", name="Big text").click()
            settle(page)
            shoot(page, "projector")
            page.get_by_role("button", name="Big text").click()
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=15)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
