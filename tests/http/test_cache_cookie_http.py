"""Logged-in pages are never cached (Cache-Control: no-store); static files and API answers set no session
cookie (issue 15 item 10)."""


def test_logged_in_pages_are_not_cached(app, f, login):
    user = f.user("PP", satker=f.satker("satker"))
    c = login(user, app.test_client())
    for path in ("/", "/katalog/"):
        resp = c.get(path)
        assert resp.status_code == 200 and resp.headers.get("Cache-Control") == "no-store", path


def test_anonymous_login_page_and_static_files_keep_their_caching(client):
    resp = client.get("/static/portal/portal.css")
    assert resp.status_code == 200 and "no-store" not in (resp.headers.get("Cache-Control") or "")


def test_static_and_api_answers_set_no_session_cookie(client):
    client.get("/login/")  # a page that does set the cookie (CSRF token in the session)
    assert client.get_cookie("session") is not None
    for path in ("/static/portal/portal.css", "/api/v1/pesanan/"):
        resp = client.get(path)
        assert not [h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session=")], path
