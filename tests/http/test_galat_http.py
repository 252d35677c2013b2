"""Error pages in the portal's layout, in Indonesian, with a way back; JSON on the API (issue 15 item 2)."""

import pytest


def _page(resp):
    return resp.data.decode()


def test_404_in_the_layout_with_a_way_home(client):
    resp = client.get("/tidak-ada-halaman-ini")
    html = _page(resp)
    assert resp.status_code == 404 and 'id="galat-404"' in html and "Tidak ditemukan" in html
    assert 'id="galat-beranda"' in html and "Not Found" not in html
    assert "navbar" in html  # the portal's own layout, not Werkzeug's bare page


def test_405_keeps_its_allow_header(client):
    resp = client.delete("/login/")
    assert resp.status_code == 405 and "Allow" in resp.headers and 'id="galat-405"' in _page(resp)


def test_413_names_the_limit(app, client):
    resp = client.post("/login/", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10),
                       content_type="application/octet-stream")  # fmt: skip
    assert resp.status_code == 413 and "melebihi batas ukuran" in _page(resp)


def test_english_when_the_person_chose_english(client):
    client.get("/lang/en")
    resp = client.get("/tidak-ada-halaman-ini")
    assert resp.status_code == 404 and "Not found" in _page(resp) and "Tidak ditemukan" not in _page(resp)


def test_the_api_answers_json_for_the_same_codes(client):
    resp = client.get("/api/v1/tidak-ada/")
    assert resp.status_code == 404 and resp.is_json and resp.get_json()["code"] == 404


@pytest.mark.parametrize("code", [400, 403, 404, 405, 409, 413, 429, 500])
def test_every_code_has_its_page(app, code):
    from werkzeug.exceptions import default_exceptions

    from app.views import galat

    with app.test_request_context("/x"):
        html, status, _headers = galat.tangani(default_exceptions[code]())
    assert status == code and f'id="galat-{code}"' in html and str(galat.PESAN[code][0]) in html


def test_an_unexpected_exception_is_a_500_page_not_a_traceback(app):
    from app.views import galat

    with app.test_request_context("/x"):
        html, status, _headers = galat.tangani(RuntimeError("rahasia internal"))
    assert status == 500 and "rahasia internal" not in html and 'id="galat-500"' in html


def test_an_error_page_never_writes_the_session_cookie(client):
    """The browser's /favicon.ico request races the login page with the older cookie; if its 404 wrote that
    session back, the login form's CSRF token would no longer match (found by the browser tests)."""
    client.get("/login/")
    assert client.get_cookie("session") is not None
    for path in ("/favicon.ico", "/tidak-ada-halaman-ini"):
        resp = client.get(path)
        assert resp.status_code == 404
        assert not [h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session=")], path
