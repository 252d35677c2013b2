"""Logged in as each role with a fresh browser: no English on any page the role reaches from its
menus (and the first record behind each list); switching to English shows English."""

import re

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

# Words of FAB's and our interface that would betray an untranslated string.
ENGLISH = re.compile(
    r"\b(Search|List|Add|Edit|Delete|Save|Back|Show|Records?|Actions?|Users?|Roles?|Logout|Login|Password|"
    r"Refresh|Previous|Next|Cancel|Submit|Select|Language|Home|Welcome|Information|Security|Permissions?|"
    r"Reset|Your|Statistics|Profile|Filter|Page|Chart|Description|Created|Changed|Active|First Name|"
    r"Last Name|No records|found|the|and|of|with|is|are)\b"
)


def _visible_pages(page, base):
    page.goto(f"{base}/")
    hrefs = page.eval_on_selector_all(
        ".navbar .dropdown-menu a[href], .navbar-nav > li > a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    return [h for h in dict.fromkeys(hrefs) if h.startswith("/") and not h.startswith(("/logout", "/lang"))]


def _english_on(page):
    text = page.inner_text("body")
    return sorted(set(ENGLISH.findall(text)))


@pytest.fixture
def roles(f):
    s = f.scenario(until="selesai")
    satker = s["pesanan"].satker
    return {
        "Admin": f.user("Admin", satker=f.satker("skpd")),
        "Pembeli": s["pembeli"],
        "Penyedia": s["penyedia_user"],
        "Verifikator": f.user("Verifikator", satker=f.satker("skpd")),
        "PP": f.user("PP", satker=satker),
        "PPK": f.user("PPK", satker=satker),
        "Bendahara": f.user("Bendahara", satker=satker),
        "Auditor": f.user("Auditor", satker=f.satker("skpd")),
        "Manajemen": f.user("Manajemen", satker=f.satker("skpd")),
        "Pengguna": f.user("Pengguna"),
    }


def test_no_english_for_any_role(server, page, roles):
    leaks = {}
    for role, user in roles.items():
        page.context.clear_cookies()
        login(page, server, user.username)
        urls = ["/"] + _visible_pages(page, server)
        for url in urls:
            page.goto(server + url)
            found = _english_on(page)
            if found:
                leaks[f"{role} {url}"] = found
            detail = page.eval_on_selector_all(
                "a[href*='/show/'], a[href^='/pesanan/']", "els => els.map(e => e.getAttribute('href'))"
            )
            if detail:
                page.goto(server + detail[0])
                found = _english_on(page)
                if found:
                    leaks[f"{role} {detail[0]}"] = found
    assert leaks == {}


def test_english_on_request(server, page, roles):
    login(page, server, roles["Pembeli"].username)
    page.goto(f"{server}/lang/en")
    page.goto(f"{server}/toko/")
    text = page.inner_text("body")
    assert "Search" in text and "Cari nama produk" not in text
