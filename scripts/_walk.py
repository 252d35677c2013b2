"""What the demo walk scripts share: the portal's address, the demo login, refusals, the browser."""

import os
import sys
from contextlib import contextmanager

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
    page.click(selector)
    page.wait_for_load_state()
    no_error(page)


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
