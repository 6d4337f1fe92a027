"""The browser every browser test drives: Debian's chromium through Playwright's client (never a
browser Playwright downloads). A test module is skipped when either is missing."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    if not CHROMIUM:
        skip = pytest.mark.skip(reason="chromium is not installed (apt-get install -y chromium, or set "
                                       "CHROMIUM=/path)")
        for item in items:
            if "browser" in item.nodeid:
                item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (.venv/bin/pip install playwright)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, lab):
    """A fresh browser page on the module's lab; the lab's kernels are shut down after the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()
    lab.shut_down_kernels()
