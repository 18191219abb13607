"""Browser tests of the web editor: Playwright for Python driving Debian's chromium.

One real ``causemap serve`` process (temporary SQLite store, read and write tokens) and
one headless chromium serve the whole package; each test gets fresh browser contexts.
Playwright's own browser download is never used: ``make test`` installs Debian's
``chromium`` (``scripts/system-deps.sh chromium``), and where it is missing the tests are
skipped, except in CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from tests.servers import Server
from tests.web.browser import ARGS, CHROMIUM
from tests.web.pages import READ, WRITE, Api


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: scripts/system-deps.sh chromium installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``causemap serve`` with a read and a write token, live events polled every 0.1 s
    and a keep-alive every second (so that a dead stream is noticed within seconds)."""
    folder = tmp_path_factory.mktemp("web")
    env = {
        "CAUSEMAP_TOKENS": f"read:{READ},write:{WRITE}",
        "CAUSEMAP_SSE_POLL": "0.1",
        "CAUSEMAP_SSE_PING": "1",
    }
    with Server(f"sqlite:///{folder / 'store.db'}", folder / "server.log", env=env) as running:
        yield running


@pytest.fixture
def api(server: Server) -> Api:
    return Api(server.url)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile (storage, cookies) at 1280×800, the size the editor targets."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def other_context(browser: Browser) -> Iterator[BrowserContext]:
    """A second, independent browser (another person in the meeting)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()
