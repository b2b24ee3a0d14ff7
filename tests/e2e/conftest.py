"""End-to-end fixtures: the app on a real loopback HTTP server, driven by Debian's Chromium.

Browser tests skip cleanly where /usr/bin/chromium or Playwright is absent. Screenshots of the
pages they pass through go to build/screenshots/ (CI keeps them as artifacts).
"""
import os
import pathlib
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
SHOTS = pathlib.Path(__file__).resolve().parents[2] / "build" / "screenshots"

try:
    from playwright.sync_api import expect, sync_playwright
    expect.set_options(timeout=10_000)
except ImportError:  # pragma: no cover - the test extras bring it
    sync_playwright = None

pytestmark = pytest.mark.browser


def _browser_available() -> bool:
    return sync_playwright is not None and os.access(CHROMIUM, os.X_OK)


@pytest.fixture
def app_config(app_config):
    """Live updates every second, so tests wait for them briefly."""
    return {**app_config, "WORKSPACE_REFRESH_SECONDS": 1, "WORKSPACE_HEARTBEAT_SECONDS": 1}


@pytest.fixture
def live_server(app, db):
    """The app served on 127.0.0.1 (a free port) in a thread, for the browser to call."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # SQLite takes its write lock at BEGIN: the test's own session must not sit in a transaction
    # while the browser makes the server write. Objects stay readable after a commit, so reading
    # ``ticket.reference`` does not start one.
    db.session().expire_on_commit = False
    db.session.commit()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    if not _browser_available():
        pytest.skip("Chromium (/usr/bin/chromium) or Playwright is not installed")
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--no-first-run"],
        )
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the test, so a failed test can leave a screenshot."""
    outcome = yield
    setattr(item, f"rep_{call.when}", outcome.get_result())


@pytest.fixture
def open_page(browser, live_server, db, request):
    """``open_page(user)``: a new browser context logged in as ``user`` (1280×800 laptop)."""
    from tests.factories import PASSWORD

    contexts = []

    def _open(user, *, width=1280, height=800):
        db.session.commit()
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("E-mail").fill(user.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/tickets/**")
        return page

    yield _open
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                page.screenshot(path=str(SHOTS / f"FAILED-{request.node.name}-{n}-{m}.png"), full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    """``shot(page, name)`` saves a full-page screenshot under build/screenshots/."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name: str) -> pathlib.Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot
