"""What the demo walk scripts share: the portal's address, the demo login, refusals, the browser."""

import os
import sys
from contextlib import contextmanager

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000").rstrip("/")
PASSWORD = "Demo12345!"  # demo only (README)


def say(*args):
    print(*args, flush=True)


def login(page, username):
    page.goto(f"{BASE}/logout/")
    page.goto(f"{BASE}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, f"login {username} failed"


def no_error(page):
    errors = page.locator(".alert-danger")
    if errors.count():
        raise SystemExit(f"refused: {errors.first.inner_text()}")


def click(page, selector):
    asks = page.locator(selector).first.get_attribute("data-konfirmasi") is not None
    page.click(selector)
    if asks:  # a step that cannot be undone asks first: answer the dialog as a person would
        with page.expect_navigation():
            page.click("#konfirmasi-ya")
    page.wait_for_load_state()
    no_error(page)


def submit(page, selector, tries=3):
    """Click a form's button and wait for the page it leads to. Headless Chromium sometimes drops a click
    while a PDF frame on the page is still loading: when no POST left within 5 s the click is repeated —
    never after one did, so nothing is ever submitted twice. (tests/browser/conftest.py has its twin.)"""
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
    """Tick a checkbox. Headless Chromium sometimes swallows the click while a PDF frame of the page is still
    loading (the same as submit()); ticking is idempotent, so it is tried again once the page has settled."""
    box = page.locator(selector)
    for attempt in range(tries):
        try:
            box.check()
            return
        except PlaywrightError:
            if attempt == tries - 1:
                raise
            page.wait_for_timeout(500)


def status(page):
    return page.inner_text("#status-pesanan").strip()


@contextmanager
def browser_page():
    """A page of headless Debian Chromium, with the flags this machine's closed network needs."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_context(locale="id-ID", accept_downloads=True).new_page()
        page.set_default_timeout(20000)
        try:
            yield page
        finally:
            browser.close()
