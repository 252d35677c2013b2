"""The hardened login over HTTP, on a second app with the production protections on (CSRF, rate limits).

Each test builds its own app on the suite's database, so the limiter's counters start at zero.
"""

import re
import uuid
from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import AuditLog, PortalUser
from app.services import clock
from tests.conftest import PASSWORD

WRONG = "bukan-kata-sandinya-2026"
NEW_PASSWORD = "Kopi-Tubruk-Pagi-2026"
FAILED = "Invalid login. Please try again."


def make_app(app, **overrides):
    settings = dict(
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        UPLOAD_DIR=app.config["UPLOAD_DIR"],
        SERVER_NAME="localhost",
        WTF_CSRF_ENABLED=True,
        AUTH_RATE_LIMITED=True,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        AUTH_RATE_LIMIT="100 per minute",
    )
    settings.update(overrides)
    return create_app("testing", **settings)


@pytest.fixture
def secure(app):
    return make_app(app)


def csrf_token(client, path="/login/"):
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, html[:1000]
    return match.group(1)


def post_login(client, login, password=PASSWORD, next_url=None, **kw):
    url = "/login/" + (f"?next={quote(next_url, safe='')}" if next_url is not None else "")
    token = csrf_token(client)
    return client.post(url, data={"username": login, "password": password, "csrf_token": token}, **kw)


def api_login(client, login, password=PASSWORD, json_extra=None, **kw):
    payload = {"username": login, "password": password, "provider": "db", **(json_extra or {})}
    return client.post("/api/v1/security/login", json=payload, **kw)


def logged_in(client, path="/alamat/list/"):
    """A page every Pembeli (and the Admin) may open; anonymous visitors are sent to the login page."""
    resp = client.get(path)
    if resp.status_code == 200:
        return True
    assert resp.status_code == 302 and "/login/" in resp.headers["Location"], resp.status_code
    return False


def flashed(client):
    return client.get("/login/").get_data(as_text=True)


def audit_actions(user):
    db.session.expire_all()
    rows = db.session.execute(
        select(AuditLog.action).where(AuditLog.entity == "ab_user", AuditLog.entity_id == user.id)
    ).scalars()
    return list(rows)


def fresh(user):
    db.session.expire_all()
    return db.session.get(PortalUser, user.id)


def user_exists(user_id):
    db.session.expire_all()
    return db.session.execute(select(PortalUser.id).where(PortalUser.id == user_id)).first() is not None


def alert_text(html):
    match = re.search(r'class="alert alert-warning">.*?</button>\s*(.*?)\s*</div>', html, re.S)
    assert match, html[:2000]
    return match.group(1)


# --- rate limiting -----------------------------------------------------------------------------------------


def test_html_login_form_is_rate_limited_per_address(app, f):
    secure = make_app(app, AUTH_RATE_LIMIT="3 per minute")
    user = f.pembeli()
    c = secure.test_client()
    for _ in range(3):
        assert post_login(c, user.username, WRONG).status_code == 302
    assert post_login(c, user.username, PASSWORD).status_code == 429
    assert c.get("/login/").status_code == 200  # only POSTs count
    other = secure.test_client()
    resp = post_login(other, user.username, PASSWORD, environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert resp.status_code == 302 and "/login/" not in resp.headers["Location"]


def test_api_login_is_rate_limited_and_refresh_is_not_counted(app, f):
    secure = make_app(app, AUTH_RATE_LIMIT="3 per minute")
    user = f.pembeli()
    c = secure.test_client()
    for _ in range(5):
        assert c.post("/api/v1/security/refresh").status_code == 401
    for _ in range(3):
        assert api_login(c, user.username, WRONG).status_code == 401
    resp = api_login(c, user.username, PASSWORD)
    assert resp.status_code == 429
    assert "Terlalu banyak percobaan" in resp.json["message"]
    assert resp.headers.get("Retry-After")
    assert api_login(c, user.username, PASSWORD, environ_base={"REMOTE_ADDR": "127.0.0.2"}).status_code == 200


def test_api_limit_has_its_own_setting(app, f):
    secure = make_app(app, AUTH_RATE_LIMIT="100 per minute", AUTH_API_RATE_LIMIT="1 per minute")
    user = f.pembeli()
    c = secure.test_client()
    assert api_login(c, user.username).status_code == 200
    assert api_login(c, user.username).status_code == 429
    assert post_login(c, user.username).status_code == 302


def test_limits_are_off_when_auth_rate_limited_is_off(app, f):
    secure = make_app(app, AUTH_RATE_LIMITED=False, AUTH_RATE_LIMIT="1 per minute")
    user = f.pembeli()
    c = secure.test_client()
    for _ in range(3):
        assert api_login(c, user.username, WRONG).status_code == 401


def test_rate_limit_is_shared_between_workers_through_redis(app, f):
    redis = pytest.importorskip("redis")
    conn = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    conn.ping()  # Redis runs locally (.ci/run starts it)
    prefix = f"portal-test-{uuid.uuid4().hex}"
    settings = dict(AUTH_RATE_LIMIT="3 per minute", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15")
    # Two app instances stand for two gunicorn workers: memory:// would give each its own count.
    worker1 = make_app(app, RATELIMIT_KEY_PREFIX=prefix, **settings)
    worker2 = make_app(app, RATELIMIT_KEY_PREFIX=prefix, **settings)
    user = f.pembeli()
    try:
        c1, c2 = worker1.test_client(), worker2.test_client()
        assert api_login(c1, user.username, WRONG).status_code == 401
        assert post_login(c1, user.username, WRONG).status_code == 302
        assert api_login(c2, user.username, WRONG).status_code == 401
        assert post_login(c2, user.username, WRONG).status_code == 302
        assert api_login(c2, user.username, WRONG).status_code == 401
        assert post_login(c1, user.username, WRONG).status_code == 302
        # The API and the form keep separate counts, each shared across both workers.
        assert api_login(c1, user.username).status_code == 429
        assert post_login(c2, user.username).status_code == 429
        assert list(conn.scan_iter(f"*{prefix}*"))
    finally:
        for key in conn.scan_iter(f"*{prefix}*"):
            conn.delete(key)


# --- lock-out and the one failure message ------------------------------------------------------------------


def test_lockout_over_the_form_with_one_generic_message(app, f, secure):
    user = f.pembeli(nrk="19870002")
    c = secure.test_client()
    post_login(c, "orang-tak-dikenal", WRONG)
    unknown = alert_text(flashed(c))
    for _ in range(5):
        resp = post_login(c, user.nrk, WRONG)
        assert resp.status_code == 302 and "/login/" in resp.headers["Location"]
        assert alert_text(flashed(c)) == unknown
    assert fresh(user).locked_until is not None
    assert audit_actions(user).count("kunci_akun") == 1

    resp = post_login(c, user.username, PASSWORD)  # the right password, but locked
    assert "/login/" in resp.headers["Location"]
    assert alert_text(flashed(c)) == unknown
    assert not logged_in(c)

    clock.advance(timedelta(minutes=16))
    resp = post_login(c, user.username, PASSWORD)
    assert "/login/" not in resp.headers["Location"]
    assert logged_in(c)
    assert fresh(user).fail_login_count == 0 and fresh(user).locked_until is None


def test_api_answers_alike_for_unknown_wrong_and_locked(app, f, secure):
    user = f.pembeli()
    c = secure.test_client()
    unknown = api_login(c, "orang-tak-dikenal", WRONG)
    wrong = api_login(c, user.username, WRONG)
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json == wrong.json
    for _ in range(4):
        api_login(c, user.username, WRONG)
    locked = api_login(c, user.username, PASSWORD)
    assert locked.status_code == 401 and locked.json == unknown.json
    actions = audit_actions(user)
    assert actions.count("login_gagal") == 5 and actions.count("kunci_akun") == 1


def test_login_and_logout_are_audited(app, f, secure):
    user = f.pembeli()
    c = secure.test_client()
    post_login(c, user.username)
    c.get("/logout/")
    assert audit_actions(user) == ["login", "logout"]


# --- sessions ----------------------------------------------------------------------------------------------


def test_session_cookie_flags(app, f):
    secure = make_app(app, SESSION_COOKIE_SECURE=True)
    user = f.pembeli()
    c = secure.test_client()
    resp = post_login(c, user.username)
    cookie = [h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session=")][-1]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert "Expires=" in cookie  # permanent: the idle lifetime travels with the cookie
    assert secure.config["REMEMBER_COOKIE_HTTPONLY"] and secure.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_a_session_cookie_copied_before_logout_does_not_work_after_it(app, f, secure):
    user = f.pembeli()
    c = secure.test_client()
    post_login(c, user.username)
    assert logged_in(c)
    copied = c.get_cookie("session", domain="localhost").value

    thief = secure.test_client()
    thief.set_cookie("session", copied, domain="localhost")
    assert logged_in(thief)  # the copy works while the session lives

    c.get("/logout/")
    assert not logged_in(c)
    replay = secure.test_client()
    replay.set_cookie("session", copied, domain="localhost")
    assert not logged_in(replay)
    assert not logged_in(thief)


def test_logging_in_again_after_logout_works(app, f, secure):
    user = f.pembeli()
    c = secure.test_client()
    post_login(c, user.username)
    c.get("/logout/")
    post_login(c, user.username)
    assert logged_in(c)


def test_own_password_change_keeps_this_session_and_ends_the_others(app, f, secure):
    user = f.pembeli()
    mine, other = secure.test_client(), secure.test_client()
    post_login(mine, user.username)
    post_login(other, user.username)
    assert logged_in(mine) and logged_in(other)

    token = csrf_token(mine, "/resetmypassword/form")
    resp = mine.post(
        "/resetmypassword/form",
        data={"password": "password123", "conf_password": "password123", "csrf_token": token},
    )
    assert resp.status_code == 200 and "terlalu umum" in resp.get_data(as_text=True)
    assert logged_in(other)

    resp = mine.post(
        "/resetmypassword/form",
        data={"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD, "csrf_token": token},
    )
    assert resp.status_code == 302
    assert logged_in(mine)
    assert not logged_in(other)
    assert "ubah_kata_sandi" in audit_actions(user)
    fresh_client = secure.test_client()
    assert "/login/" not in post_login(fresh_client, user.username, NEW_PASSWORD).headers["Location"]


def test_admin_reset_ends_the_users_sessions(app, f, secure):
    admin = f.user("Admin", satker=f.satker())
    user = f.pembeli()
    victim, adm = secure.test_client(), secure.test_client()
    post_login(victim, user.username)
    post_login(adm, admin.username)
    token = csrf_token(adm, f"/resetpassword/form?pk={user.id}")
    resp = adm.post(
        f"/resetpassword/form?pk={user.id}",
        data={"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD, "csrf_token": token},
    )
    assert resp.status_code == 302
    assert not logged_in(victim)
    assert logged_in(adm)


def test_idle_lifetime(app, f):
    secure = make_app(app, PERMANENT_SESSION_LIFETIME=timedelta(minutes=30))
    user = f.pembeli()
    c = secure.test_client()
    post_login(c, user.username)
    clock.advance(timedelta(minutes=25))
    assert logged_in(c)  # activity refreshes the idle clock
    clock.advance(timedelta(minutes=25))
    assert logged_in(c)
    clock.advance(timedelta(minutes=31))
    assert not logged_in(c)
    assert "Sesi Anda telah berakhir" in flashed(c)


def test_absolute_lifetime(app, f):
    secure = make_app(app, PERMANENT_SESSION_LIFETIME=timedelta(minutes=30), SESSION_ABSOLUTE_SECONDS=3600)
    user = f.pembeli()
    c = secure.test_client()
    post_login(c, user.username)
    for _ in range(2):
        clock.advance(timedelta(minutes=25))
        assert logged_in(c)
    clock.advance(timedelta(minutes=25))  # 75 minutes after login, never idle for long
    assert not logged_in(c)


def test_deactivated_user_loses_the_session(app, f, secure):
    user = f.pembeli()
    c = secure.test_client()
    post_login(c, user.username)
    user.active = False
    db.session.commit()
    assert not logged_in(c)


# --- CSRF and state-changing GETs --------------------------------------------------------------------------


def test_posts_without_a_csrf_token_are_refused(app, f, secure):
    user = f.pembeli()
    c = secure.test_client()
    resp = c.post("/login/", data={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 400
    post_login(c, user.username)
    assert c.post("/alamat/add", data={"label": "x"}).status_code == 400
    resp = c.post("/resetmypassword/form", data={"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD})
    assert resp.status_code == 400


def test_get_delete_and_get_action_are_refused(app, f, secure):
    admin = f.user("Admin", satker=f.satker())
    target = f.pembeli()
    c = secure.test_client()
    post_login(c, admin.username)
    resp = c.get(f"/users/delete/{target.id}")
    assert resp.status_code == 302
    assert user_exists(target.id)
    resp = c.get(f"/users/action/resetpasswords/{target.id}")
    assert resp.status_code == 302 and "/resetpassword/" not in resp.headers["Location"]
    # The same delete as a POST with the token goes through.
    token = csrf_token(c, f"/users/show/{target.id}")
    assert c.post(f"/users/delete/{target.id}", data={"csrf_token": token}).status_code == 302
    assert not user_exists(target.id)


# --- redirects ---------------------------------------------------------------------------------------------

EVIL = ["//evil.example", "/\\evil.example", "https://evil.example", "///evil.example", "/\t/evil.example",
        "\\\\evil.example/", "javascript:alert(1)", "https://localhost.evil.example/"]  # fmt: skip


def assert_on_site(location):
    parts = urlsplit(location)
    assert parts.netloc in ("", "localhost"), location
    assert "\\" not in location and not location.startswith("//") and parts.scheme in ("", "http", "https")


@pytest.mark.parametrize("target", EVIL)
def test_next_never_leaves_the_site(app, f, secure, target):
    user = f.pembeli()
    c = secure.test_client()
    resp = post_login(c, user.username, next_url=target)
    assert resp.status_code == 302
    assert_on_site(resp.headers["Location"])
    resp = c.get(f"/login/?next={quote(target, safe='')}")  # already logged in: straight redirect
    assert resp.status_code == 302
    assert_on_site(resp.headers["Location"])


def test_next_within_the_site_is_kept(app, f, secure):
    user = f.pembeli()
    c = secure.test_client()
    resp = post_login(c, user.username, next_url="/alamat/list/")
    assert resp.headers["Location"] == "/alamat/list/"


def test_untrusted_host_header_is_refused(app):
    secure = make_app(app, TRUSTED_HOSTS=["localhost"])
    c = secure.test_client()
    assert c.get("/login/").status_code == 200
    assert c.get("/login/", headers={"Host": "evil.example"}).status_code == 400


# --- headers and body limit --------------------------------------------------------------------------------


def test_security_headers_and_script_nonces(app, f, secure):
    c = secure.test_client()
    resp = c.get("/login/")
    h = resp.headers
    csp = h["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = resp.get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "same-origin"
    assert "microphone=()" in h["Permissions-Policy"]
    assert "Strict-Transport-Security" not in h
    assert nonce != re.search(r"'nonce-([^']+)'", c.get("/login/").headers["Content-Security-Policy"]).group(1)

    for other in (c.get("/tidak-ada/"), api_login(c, "x", "y"), c.get("/static/appbuilder/css/ab.css")):
        assert other.headers["X-Content-Type-Options"] == "nosniff", other.status_code
        assert "Content-Security-Policy" in other.headers


def test_logged_in_pages_carry_nonces_on_every_script(app, f, secure):
    user = f.pembeli()
    f.alamat(user)
    c = secure.test_client()
    post_login(c, user.username)
    for path in ("/alamat/list/", "/alamat/add", "/resetmypassword/form"):
        resp = c.get(path)
        assert resp.status_code == 200, path
        nonce = re.search(r"'nonce-([^']+)'", resp.headers["Content-Security-Policy"]).group(1)
        for tag in re.findall(r"<script\b[^>]*>", resp.get_data(as_text=True)):
            assert f'nonce="{nonce}"' in tag, (path, tag)


def test_hsts_when_configured(app):
    secure = make_app(app, SECURITY_HSTS_SECONDS=31536000)
    resp = secure.test_client().get("/login/")
    assert resp.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_request_body_limit_answers_413(app):
    secure = make_app(app, MAX_CONTENT_LENGTH=1024)
    c = secure.test_client()
    resp = c.post("/login/", data={"username": "x", "password": "y" * 4096})
    assert resp.status_code == 413
    resp = c.post("/api/v1/security/login", data=b"{" + b" " * 4096 + b"}", content_type="application/json")
    assert resp.status_code == 413


# --- API tokens --------------------------------------------------------------------------------------------


def test_a_new_password_revokes_api_tokens(app, f, secure):
    user = f.pembeli()
    c = secure.test_client()
    tokens = api_login(c, user.username, json_extra={"refresh": True}).json
    access = {"Authorization": f"Bearer {tokens['access_token']}"}
    refresh = {"Authorization": f"Bearer {tokens['refresh_token']}"}
    assert c.get("/api/v1/pesanan/", headers=access).status_code == 200
    assert c.post("/api/v1/security/refresh", headers=refresh).status_code == 200

    with secure.test_request_context("/"):
        secure.appbuilder.sm.reset_password(user.id, NEW_PASSWORD)
    assert c.get("/api/v1/pesanan/", headers=access).status_code == 401
    assert c.post("/api/v1/security/refresh", headers=refresh).status_code == 401
    fresh_token = api_login(c, user.username, NEW_PASSWORD).json["access_token"]
    assert c.get("/api/v1/pesanan/", headers={"Authorization": f"Bearer {fresh_token}"}).status_code == 200


def _tokens(c, user):
    tokens = api_login(c, user.username, json_extra={"refresh": True}).json
    return {"Authorization": f"Bearer {tokens['access_token']}"}, {"Authorization": f"Bearer {tokens['refresh_token']}"}


def test_web_logout_kills_every_api_token(app, f, secure):
    """Logout ends every session of the user, its API tokens too (the session version is in the token)."""
    user = f.pembeli()
    api = secure.test_client()
    access, refresh = _tokens(api, user)
    assert api.get("/api/v1/pesanan/", headers=access).status_code == 200
    web = secure.test_client()
    assert post_login(web, user.username).status_code == 302
    web.get("/logout/")
    assert api.get("/api/v1/pesanan/", headers=access).status_code == 401
    assert api.post("/api/v1/security/refresh", headers=refresh).status_code == 401
    access, _refresh = _tokens(api, user)  # logging in again gives tokens that work
    assert api.get("/api/v1/pesanan/", headers=access).status_code == 200


def test_deactivated_or_revoked_user_tokens_die(app, f, secure):
    user = f.pembeli()
    api = secure.test_client()
    access, refresh = _tokens(api, user)
    user.active = False
    db.session.commit()
    assert api.get("/api/v1/pesanan/", headers=access).status_code == 401
    assert api.post("/api/v1/security/refresh", headers=refresh).status_code == 401


def test_access_tokens_are_short_lived(app):
    assert app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds() <= 15 * 60
    assert app.config["JWT_REFRESH_TOKEN_EXPIRES"].total_seconds() <= 12 * 3600


def test_a_forged_or_foreign_token_is_refused(app, f, secure):
    user = f.pembeli()
    token = api_login(app.test_client(), user.username).json["access_token"]  # signed by the same dev key
    c = secure.test_client()
    assert c.get("/api/v1/pesanan/", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    other = make_app(app, SECRET_KEY="another-key-another-key-another-key-0123456789")
    assert other.test_client().get("/api/v1/pesanan/", headers={"Authorization": f"Bearer {token}"}).status_code in (
        401,
        422,
    )


def test_every_role_sees_its_own_user_info(app, f):
    from tests.conftest import PASSWORD

    for user in (f.pembeli(), f.penyedia_user(), f.user("Auditor")):
        c = app.test_client()
        c.post("/login/", data={"username": user.username, "password": PASSWORD})
        assert c.get("/users/userinfo/").status_code == 200, user.username
