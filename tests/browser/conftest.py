"""Browser fixtures: the suite's database served with CSRF on, and headless Debian chromium."""

import os
import threading

import pytest
from werkzeug.serving import make_server

from app import create_app
from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def server(app):
    """The same database as the suite, served with CSRF on, as a user would meet it."""
    live = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        UPLOAD_DIR=app.config["UPLOAD_DIR"],
        WTF_CSRF_ENABLED=True,
    )
    srv = make_server("127.0.0.1", 0, live, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


@pytest.fixture
def page():
    playwright = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        ctx = browser.new_context(locale="id-ID")
        pg = ctx.new_page()
        pg.set_default_timeout(15000)
        yield pg
        browser.close()


def login(page, base, username, password=PASSWORD):
    page.goto(f"{base}/logout/")
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:2000]


def submit(page, selector, tries=3):
    """Click a form's button and wait for the page it leads to. Headless Chromium sometimes drops a click
    while a PDF frame on the page is still loading: when no POST left within 5 s the click is repeated —
    never after one did, so nothing is ever submitted twice."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    button = page.locator(selector)
    button.scroll_into_view_if_needed()
    # a step that cannot be undone asks first (data-konfirmasi): answer the dialog as a person would
    asks = button.get_attribute("data-konfirmasi") is not None
    with page.expect_navigation(wait_until="domcontentloaded", timeout=60000):
        for attempt in range(tries):
            try:
                with page.expect_request(lambda r: r.method == "POST" and r.frame == page.main_frame, timeout=5000):
                    button.click()
                    if asks:
                        page.click("#konfirmasi-ya")
                break
            except PlaywrightTimeout:
                if attempt == tries - 1:
                    raise


def tick(page, selector, tries=3):
    """Tick a checkbox. The same dropped click as in submit(): while a PDF frame is still loading,
    Chromium may swallow the click and Playwright reports that the state did not change; ticking is
    idempotent, so it is simply tried again once the page has settled."""
    from playwright.sync_api import Error as PlaywrightError

    box = page.locator(selector)
    for attempt in range(tries):
        try:
            box.check()
            break
        except PlaywrightError:
            if attempt == tries - 1:
                raise
            page.wait_for_timeout(500)
    assert box.is_checked()
