"""Hardened login (OWASP ASVS 5, level 2): password policy, lock-out, session lifetimes and the
server-side session version, safe redirects and security headers (the production start-up check is
app/services/produksi.py).

The security manager (app/security.py) calls into this module from FAB's hooks; `init_app` wires the
request hooks. Stored times follow app.services.clock (naive UTC), so tests move the clock, not sleep.
"""

import functools
import hashlib
import hmac
import logging
import os
import secrets
from datetime import UTC, timedelta
from fnmatch import fnmatch
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, has_request_context, jsonify, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import lazy_gettext as _l
from flask_login import logout_user, user_logged_in, user_logged_out
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.extensions import db
from app.models.accounts import PortalUser

from . import audit, clock
from .errors import DomainError

log = logging.getLogger(__name__)

PASSWORD_MIN = 8
PASSWORD_RECOMMENDED = 15
PASSWORD_MAX = 128
COMMON_PASSWORDS_FILE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "common_passwords.txt"
)

# Keys this module keeps in the (signed cookie) session next to Flask-Login's.
SESSION_VERSION_KEY = "_sv"
SESSION_LOGIN_AT_KEY = "_login_at"
SESSION_SEEN_KEY = "_seen"


# --- password policy (ASVS 6.2) ----------------------------------------------------------------------------


@functools.cache
def common_passwords():
    """The list of common and breached passwords, lowercase, one a line."""
    with open(COMMON_PASSWORDS_FILE, encoding="utf-8") as fh:
        return frozenset(line.strip().lower() for line in fh if line.strip())


def validate_password(password, username=None, email=None):
    """Length and a deny list, no composition rules. Raises DomainError with an Indonesian message."""
    password = password or ""
    if len(password) < PASSWORD_MIN:
        raise DomainError(
            _l(
                "Kata sandi minimal %(min)d karakter; disarankan %(rec)d karakter atau lebih, "
                "misalnya beberapa kata yang mudah Anda ingat.",
                min=PASSWORD_MIN,
                rec=PASSWORD_RECOMMENDED,
            )
        )
    if len(password) > PASSWORD_MAX:
        raise DomainError(_l("Kata sandi maksimal %(max)d karakter.", max=PASSWORD_MAX))
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) == 1:
        raise DomainError(_l("Kata sandi ini terlalu umum atau pernah bocor. Pilih kata sandi lain."))
    for ident in (username, (email or "").split("@", 1)[0]):
        ident = (ident or "").strip().lower()
        if ident and (lowered == ident or (len(ident) >= 3 and ident in lowered)):
            raise DomainError(_l("Kata sandi tidak boleh sama dengan atau memuat nama pengguna atau email Anda."))


def fab_password_validator(password):
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: FAB's user add and reset-password forms call it with the password only."""
    username, email = _password_form_identity()
    try:
        validate_password(password, username=username, email=email)
    except DomainError as exc:
        raise PasswordComplexityValidationError(str(exc)) from exc


def _password_form_identity():
    """Whose password the current FAB form sets: the add form's fields, the reset target, or oneself."""
    if not has_request_context():
        return None, None
    if request.form.get("username") or request.form.get("email"):
        return request.form.get("username"), request.form.get("email")
    sm = current_app.appbuilder.sm
    pk = request.args.get("pk")
    user = sm.get_user_by_id(int(pk)) if pk and pk.isdigit() else None
    if user is None:
        current = getattr(g, "user", None)
        user = current if current is not None and getattr(current, "is_authenticated", False) else None
    return (user.username, user.email) if user is not None else (None, None)


# --- lock-out (ASVS 6.3.1) ---------------------------------------------------------------------------------


def is_locked(user):
    return bool(user.locked_until and user.locked_until > clock.now())


def balance_locked_attempt(sm, user, password):
    """A locked account is refused without looking at the password, in about the time a real check takes."""
    sm.find_user(username=user.username)
    sm.find_user(email=user.username)
    check_password_hash(current_app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"], password or "password")
    sm.noop_user_update(user)
    log.info("Login refused: account %s is locked until %s", user.id, user.locked_until)


def record_login_failure(user):
    """FAB has just counted the failure (fail_login_count); lock after every AUTH_LOCKOUT_THRESHOLD-th one."""
    cfg = current_app.config
    threshold = int(cfg.get("AUTH_LOCKOUT_THRESHOLD", 5))
    count = user.fail_login_count or 0
    audit.catat("ab_user", user.id, "login_gagal", None, note=f"{_channel()}; gagal berturut-turut: {count}")
    if threshold > 0 and count and count % threshold == 0:
        user.locked_until = clock.now() + timedelta(minutes=int(cfg.get("AUTH_LOCKOUT_MINUTES", 15)))
        audit.catat(
            "ab_user",
            user.id,
            "kunci_akun",
            None,
            note=f"{count} kali gagal masuk; terkunci sampai {user.locked_until:%Y-%m-%d %H:%M} UTC",
        )
        log.warning("Account %s locked after %s failed logins", user.id, count)
    db.session.commit()


def record_login_success(user):
    user.locked_until = None
    audit.catat("ab_user", user.id, "login", user, note=_channel())
    db.session.commit()


def record_logout(user):
    """Logging out ends every session of the user: their copied cookies no longer match the version."""
    bump_session_version(user)
    audit.catat("ab_user", user.id, "logout", user)
    db.session.commit()


def bump_session_version(user):
    user.session_version = (user.session_version or 1) + 1
    return user.session_version


def _channel():
    if not has_request_context():
        return "cli"
    return "api" if request.path.startswith("/api/") else "web"


# --- sessions (ASVS 7.3, 7.4) ------------------------------------------------------------------------------


def _epoch(dt):
    return dt.replace(tzinfo=UTC).timestamp()


def _on_logged_in(sender, user, **_):
    """Flask-Login's signal for a cookie login (not for API tokens): start the server-checked session."""
    now = _epoch(clock.now())
    session.permanent = True
    session[SESSION_VERSION_KEY] = user.session_version
    session[SESSION_LOGIN_AT_KEY] = now
    session[SESSION_SEEN_KEY] = now
    # A fresh CSRF secret for the authenticated session (Flask-WTF makes a new one on the next form).
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)


def _on_logged_out(sender, user, **_):
    for key in (SESSION_VERSION_KEY, SESSION_LOGIN_AT_KEY, SESSION_SEEN_KEY, "page_history"):
        session.pop(key, None)


def keep_current_session(user):
    """After one's own password change: every other session ends, this one goes on."""
    if has_request_context() and str(session.get("_user_id")) == str(user.id):
        session[SESSION_VERSION_KEY] = user.session_version


def _limit_body():
    """413 before any view reads the body: FAB's API views turn a late RequestEntityTooLarge into a 500."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length is not None and request.content_length > limit:
        abort(413)


def _enforce_session():
    g.pop("csp_nonce", None)
    if request.endpoint and request.endpoint.endswith("static"):
        return
    user_id = session.get("_user_id")
    if user_id is None:
        return
    cfg = current_app.config
    now = _epoch(clock.now())
    try:
        version = db.session.execute(
            select(PortalUser.session_version).where(PortalUser.id == int(user_id))
        ).scalar_one_or_none()
    except ValueError:
        version = None
    login_at = session.get(SESSION_LOGIN_AT_KEY)
    seen = session.get(SESSION_SEEN_KEY)
    idle = cfg["PERMANENT_SESSION_LIFETIME"]
    idle = idle.total_seconds() if isinstance(idle, timedelta) else int(idle)
    if version is None or session.get(SESSION_VERSION_KEY) != version:
        reason = "dicabut"
    elif login_at is None or now - login_at > int(cfg.get("SESSION_ABSOLUTE_SECONDS", 12 * 3600)):
        reason = "batas_mutlak"
    elif seen is None or now - seen > idle:
        reason = "menganggur"
    else:
        session[SESSION_SEEN_KEY] = now
        return
    log.info("Session of user %s ended: %s", user_id, reason)
    logout_user()
    g.pop("_login_user", None)
    flash(_l("Sesi Anda telah berakhir. Silakan masuk kembali."), "warning")


# --- API tokens -------------------------------------------------------------------------------------------


def password_fingerprint(user):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (user.password or "").encode(), hashlib.sha256).hexdigest()[:24]


def jwt_claims(identity):
    """What a token carries to be checked on every use: the password's fingerprint and the session version
    (bumped by logout, a password change, Cabut Akses and narrower roles), as the cookie session does."""
    user = current_app.appbuilder.sm.get_user_by_id(int(identity))
    if user is None:
        return {}
    return {"pwf": password_fingerprint(user), "sv": user.session_version}


def jwt_revoked(_header, payload):
    """A token dies with the sessions of its user: logout, password change, Cabut Akses, deactivation."""
    try:
        user = db.session.get(PortalUser, int(payload["sub"]))
    except (KeyError, TypeError, ValueError):
        return True
    if user is None or not user.active:
        return True
    if payload.get("sv") != user.session_version:
        return True
    return not hmac.compare_digest(str(payload.get("pwf", "")), password_fingerprint(user))


# --- redirects ---------------------------------------------------------------------------------------------


def is_safe_redirect(url):
    """Stricter than FAB's check: also refuses backslashes and control characters that browsers turn into `//`."""
    if not url or url != url.strip() or "\\" in url:
        return False
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        return False
    if not parts.netloc:
        return not parts.scheme and not url.startswith("//")
    netloc = parts.netloc.lower()
    if has_request_context() and netloc == request.host.lower():
        return True
    host = (parts.hostname or "").lower()
    patterns = [p.strip().lower() for p in current_app.config.get("FAB_SAFE_REDIRECT_HOSTS") or [] if p.strip()]
    return any(fnmatch(netloc, p) or fnmatch(host, p) for p in patterns)


def _guard_redirect(response):
    if 300 <= response.status_code < 400 and response.location and not is_safe_redirect(response.location):
        log.warning("Refused an off-site redirect to %r", response.location)
        response.location = current_app.appbuilder.get_url_for_index or "/"


# --- security headers (ASVS 3.4) ---------------------------------------------------------------------------


def csp_nonce():
    """Jinja global; FAB's baselib.get_nonce() and our templates put it on every <script>."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(16)
    return nonce


def _tile_source(url):
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.netloc.replace("{s}", "*")
    if "{" in host:
        return None
    return f"{parts.scheme}://{host}"


def content_security_policy(nonce):
    cfg = current_app.config
    img = ["'self'", "data:"]
    tiles = _tile_source(cfg.get("MAP_TILE_URL"))
    if tiles:
        img.append(tiles)
    img += list(cfg.get("CSP_EXTRA_IMG_SRC") or [])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src " + " ".join(img),
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


PERMISSIONS_POLICY = (
    "camera=(self), geolocation=(self), microphone=(), payment=(), usb=(), serial=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), midi=(), display-capture=()"
)


def _quiet_path(path):
    """Static files and API answers: no session cookie is set on them (nothing there needs one)."""
    return path.startswith(("/static/", "/appbuilder/", "/api/"))


_SESI_TETAP = "portal.sesi_tetap"


class PortalSessionInterface(SecureCookieSessionInterface):
    def should_set_cookie(self, app, sess):
        if has_request_context() and (_quiet_path(request.path) or request.environ.get(_SESI_TETAP)):
            return False
        return super().should_set_cookie(app, sess)


def sesi_tetap():
    """This answer leaves the session cookie as it is: an error page (say the browser's own /favicon.ico
    request, racing the login page) must not write back the older session it was sent with. Kept on the
    request itself (`g` may outlive one request when a test holds the app context)."""
    request.environ[_SESI_TETAP] = True


def _security_headers(response):
    _guard_redirect(response)
    headers = response.headers
    # a logged-in page (a person's orders, budgets, documents) is never kept by a browser or proxy cache
    user = getattr(g, "user", None)
    if getattr(user, "is_authenticated", False) and not request.path.startswith(("/static/", "/appbuilder/")):
        headers.setdefault("Cache-Control", "no-store")
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    hsts = int(current_app.config.get("SECURITY_HSTS_SECONDS", 0) or 0)
    if hsts > 0:
        headers.setdefault("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")
    return response


# --- rate limiting of the API login ------------------------------------------------------------------------


def api_login_rate_limit():
    cfg = current_app.config
    return cfg.get("AUTH_API_RATE_LIMIT") or cfg["AUTH_RATE_LIMIT"]


def api_login_limit_exempt():
    """The SecurityApi blueprint also serves /refresh; only POST /login counts, and only when limiting is on."""
    return not current_app.config.get("AUTH_RATE_LIMITED") or request.endpoint != "PortalSecurityApi.login"


def api_login_limit_breached(limit):
    resp = jsonify(message=str(_l("Terlalu banyak percobaan masuk. Coba lagi beberapa saat lagi.")))
    resp.status_code = 429
    return resp


# --- wiring ------------------------------------------------------------------------------------------------


def init_app(app):
    app.session_interface = PortalSessionInterface()
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request(_limit_body)
    app.before_request(_enforce_session)
    app.after_request(_security_headers)
    user_logged_in.connect(_on_logged_in, app)
    user_logged_out.connect(_on_logged_out, app)
