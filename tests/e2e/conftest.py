"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Playwright cannot download its own browser here, so it launches /usr/bin/chromium (apt package
`chromium`). Every test in this folder is marked `e2e` (deselected by default; `make test-e2e`).
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    # CI runs as root, where Chromium's sandbox cannot start.
    "--no-sandbox",
    "--disable-gpu",
    # The machine has no network but localhost: without these Chromium keeps trying to reach
    # Google's services and floods the log with refused connections.
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Fail in seconds, not in Playwright's default 30 s, when a page lacks what a test waits for.
TIMEOUT_MS = 10_000
# axe impacts are minor, moderate, serious, critical; the last two block a user.
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API keeps an asyncio event loop running in the test thread, between its calls
    # too. Django then takes that thread for async code and refuses ORM calls from it
    # (SynchronousOnlyOperation), although the tests, factories and fixtures here are plain
    # synchronous code. So DJANGO_ALLOW_ASYNC_UNSAFE is set, but only while the browser is up: the
    # guard stays on for every test that never starts Playwright.
    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(request, browser, live_server, django_db_serialized_rollback):
    """A fresh page in its own browser context (no cookies shared between tests).

    The live server needs committed data, so each test flushes the database after itself; serialized
    rollback restores what the migrations loaded (role groups, dated reference data) for the next one.
    """
    if request.node.get_closest_marker("e2e") is None:
        pytest.fail("Browser tests need @pytest.mark.e2e, or `make test` would start Chromium.")
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def axe_check(axe):
    """`axe_check(page)` runs axe-core on the page as it is now and returns its blocking violations.

    Each violation is shortened to what a failing assertion should show:
    `{"id", "impact", "help", "targets"}` (targets are the CSS selectors of the offending nodes).
    Usage: `assert axe_check(page) == []`.
    """

    def check(page, context=None):
        results = axe.run(page, context=context)
        return [
            {
                "id": violation["id"],
                "impact": violation["impact"],
                "help": violation["help"],
                "targets": [", ".join(map(str, node["target"])) for node in violation["nodes"]],
            }
            for violation in results.response["violations"]
            if violation["impact"] in BLOCKING_IMPACTS
        ]

    return check
