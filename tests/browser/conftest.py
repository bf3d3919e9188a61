"""Fixtures of the browser tests: the whole stack, once for this folder, and Chromium.

- ``stack``: WordPress with the plugin active (PHP's server, four workers), the bridge
  served by ``space-inbox serve`` with its dispatcher (every second), MariaDB; the Space
  "T-Shirt Shop" run by Ada Admin (its owner) and Ben Admin (on its team). Each test logs in
  its own new member, so the tests do not depend on each other or on their order.
- ``chromium``: Debian's Chromium, headless, driven by Playwright's sync API.
- ``browsing``: one test's browser side (see :class:`support.Browsing`): contexts logged in
  with the cookies of a POST of ``wp-login.php``, console log and, with ``--shots``, a
  screenshot of each step in ``<tmp_path>/browser``. When a test fails, a screenshot of
  every open page and the console log are written there and the report names the folder.
  A page's uncaught JavaScript error fails the test.

This folder is a package (``__init__.py``), so its tests import their helpers from
``.support``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from devstack.stack import WholeStack

from .support import (
    ACTION_TIMEOUT_MS,
    CHROMIUM,
    PREFIX,
    BrowserStack,
    Browsing,
    browsing_session,
    install_theme,
    launch_chromium,
)


@pytest.fixture(scope="package")
def stack(tmp_path_factory) -> Iterator[BrowserStack]:
    """The whole stack, built once for every browser test."""
    whole = WholeStack(
        tmp_path_factory.mktemp("browser-stack"),
        f"si_test_browser_{os.getpid()}",
        PREFIX,
        DISPATCH_INTERVAL="1",
    ).start()
    site, bridge = whole.site, whole.bridge
    try:
        install_theme(site)
        built = BrowserStack(site, bridge)
        built.seed()
        yield built
    finally:
        whole.stop()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, headless (Playwright's own browser download is not used)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run tools/ensure-stack (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    manager = sync_playwright().start()
    try:
        browser = launch_chromium(manager)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        manager.stop()


@pytest.fixture
def browsing(request, chromium, stack, tmp_path, tmp_path_factory) -> Iterator[Browsing]:
    """This test's browser side; screenshots and console log in <tmp_path>/browser."""
    with browsing_session(request, chromium, stack, tmp_path, tmp_path_factory) as session:
        yield session


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure: a screenshot of every open page, the console log, and where they are."""
    outcome = yield
    report = outcome.get_result()
    session: Browsing | None = getattr(item, "browsing", None)
    if session is None or not report.failed or getattr(item, "browsing_reported", False):
        return
    item.browsing_reported = True
    if call.when == "call":
        session.snapshot_all("failure")
    session.write_console()
    kept = session.keep(f"{time.strftime('%Y%m%d-%H%M%S')}-{item.name}"[:120])
    report.sections.append(
        (
            "browser artifacts",
            f"screenshots and console log: {kept}\n"
            f"console log ({kept / 'console.log'}), last lines:\n"
            + "\n".join(session.console[-40:]),
        )
    )
