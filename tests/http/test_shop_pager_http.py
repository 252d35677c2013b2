"""The shop's pager at scale (issue 14): first, last and a window around the current page, not one link per
result page (8,351 links on the unfiltered province shop)."""

import re

import pytest

from app import seed_scale


@pytest.fixture
def shopper(app, f, login):
    seed_scale.build(orders=600, seed=2)  # 200 products, some 10 result pages of 12 in the E-Order shop
    return login(f.user("Pembeli", satker=f.satker("bumd")))


def _pages(html):
    return [int(n) for n in re.findall(r'<li(?: class="[a-z]*")?><a href="[^"]*page=(\d+)[^"]*">\d+</a>', html)]


def test_a_window_of_links_with_first_and_last(shopper):
    html = shopper.get("/toko/?page=6").get_data(as_text=True)
    pages = _pages(html)
    last = max(pages)
    assert last >= 10
    assert pages == [1, 4, 5, 6, 7, 8, last]
    assert 'rel="prev"' in html and 'rel="next"' in html and "&hellip;" in html


def test_the_first_and_the_last_page(shopper):
    first = shopper.get("/toko/").get_data(as_text=True)
    last = max(_pages(first))
    assert _pages(first) == [1, 2, 3, last] and 'rel="prev"' not in first
    end = shopper.get(f"/toko/?page={last}").get_data(as_text=True)
    assert _pages(end) == [1, last - 2, last - 1, last] and 'rel="next"' not in end
