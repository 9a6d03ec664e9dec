"""Browser tests: the dashboard served over HTTP, driven in Debian's chromium by Playwright.

Chromium is the system one (``apt-get install -y chromium``), never a browser
downloaded by ``playwright install``. Where it or Playwright is missing the
tests are skipped, except with ``CI=true``, where they fail.

Every test saves screenshots under ``test-results/browser/<test name>/`` at the
root of the repository (ignored by git).
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from amazon_jobs.clock import VirtualClock
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.store.users import add_user
from tests.conftest import make_runtime
from tests.integration.conftest import WEB_PASSWORD, WEB_USER, Shop, make_shop
from tests.webapp import web_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("AMAZON_JOBS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results" / "browser"
#: How long the page may take to show what a test waits for, in milliseconds.
WAIT_MS = 10_000


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed: pip install -e '.[dev]'"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing: apt-get install -y chromium"
    return None


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    problem = _missing()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests cannot run: {problem}")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Dashboard:
    """The web app of a shop in a browser tab, and where the test's screenshots go."""

    shop: Shop
    url: str
    page: Page
    shots: Path
    #: Messages of window.alert/confirm/prompt dialogs (each is dismissed).
    dialogs: list[str]
    #: Console errors and uncaught exceptions, CSP violations included.
    errors: list[str]

    def open(self, path: str) -> Page:
        self.page.goto(self.url + path)
        return self.page

    def log_in(self, password: str = WEB_PASSWORD) -> None:
        self.page.fill("input[name=username]", WEB_USER)
        self.page.fill("input[name=password]", password)
        self.page.click("form.login button[type=submit]")

    def screenshot(self, name: str = "page") -> Path:
        path = self.shots / f"{name}.png"
        # caret="initial": hiding the caret leaves style="" on every input, which the
        # CSP then reports when htmx settles a swapped element.
        self.page.screenshot(path=str(path), full_page=True, caret="initial")
        return path


@pytest.fixture
def dashboard(
    chromium: Browser, sqlite_url: str, clock: VirtualClock, tmp_path: Path, request: Any
) -> Iterator[Dashboard]:
    """A shop on the simulator (SQLite), its dashboard over HTTP, and a fresh browser tab."""
    rt = make_runtime(sqlite_url, clock, tmp_path)
    shop, simulator = make_shop(rt, clock, unknown_on_amazon=(3,))
    with rt.db.transaction() as session:
        add_user(session, WEB_USER, WEB_PASSWORD, clock.now())
    shots = RESULTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shots.mkdir(parents=True, exist_ok=True)
    server = serve_in_thread(web_app(rt))
    context = chromium.new_context(viewport={"width": 1360, "height": 900})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    errors: list[str] = []
    page.on("dialog", on_dialog)
    page.on("console", lambda m: _console_error(m, errors))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield Dashboard(shop, server.url, page, shots, dialogs, errors)
    finally:
        context.close()
        server.stop()
        simulator.stop()
        rt.close()
    if errors:
        pytest.fail(f"the page logged errors: {errors}")


def _console_error(message: Any, errors: list[str]) -> None:
    if message.type != "error":
        return
    where = message.location.get("url", "")
    if where.endswith("/login") and "401" in message.text:
        return  # the answer to a wrong password
    errors.append(f"{message.text} ({where})")


@pytest.fixture
def signed_in(dashboard: Dashboard) -> Dashboard:
    """The dashboard with the seller logged in, on the jobs page."""
    dashboard.open("/login")
    dashboard.log_in()
    dashboard.page.wait_for_url(f"{dashboard.url}/")
    return dashboard
