"""The production start-up check: ONE table of rules, each a setting, a test of it and the reason.

`create_app("production")` calls `problems(config)` and refuses to start while the list is not empty,
printing every problem at once. A rule row names the setting(s) it reads, `unsafe(config)` says whether
the value is unsafe, and `message` tells the operator what a safe value is. Checks that belong to another
module (the movable clock, the payment simulator, the TTE simulator ...) join through MODULE_CHECKS: a
function `production_problems(config) -> [str]`, one line each.

The messages are for the operator reading the start-up error in a terminal or a service log, before any
request or locale exists; like log lines they are English and name the exact setting.
"""

from dataclasses import dataclass
from datetime import timedelta
from ipaddress import ip_address

from limits import parse_many

from config import DEV_SECRET_KEY

from . import clock, gateway, tte_bsre

YEAR = 365 * 24 * 3600
# OWASP ASVS 5 L2 (7.3.1, 7.3.2): 30 minutes idle, 12 hours absolute at most.
SESSION_IDLE_MAX = 30 * 60
SESSION_ABSOLUTE_MAX = 12 * 3600
JWT_ACCESS_MAX = 30 * 60
SECRET_MIN = 32
# Limits a rate limit must stay under, as requests per minute of its tightest window.
LOGIN_PER_MINUTE_MAX = 60
PUBLIC_PAGE_PER_MINUTE_MAX = 300
LOCKOUT_THRESHOLD_MAX = 10
LOCKOUT_MINUTES_MIN = 5
REQUEST_MAX_BYTES = 32 * 1024 * 1024
UPLOAD_MAX_BYTES = 20 * 1024 * 1024
FORM_MEMORY_MAX_BYTES = 2 * 1024 * 1024
FORM_PARTS_MAX = 5000
# More trusted proxies than a real deployment has (CDN, load balancer, nginx) lets a client choose its own
# X-Forwarded-For address, and with it a fresh rate-limit bucket per request.
PROXY_COUNT_MAX = 3

# Secrets that are published somewhere (this code, README examples, framework docs, tutorials).
WELL_KNOWN_SECRETS = frozenset(
    s.lower()
    for s in (
        DEV_SECRET_KEY,
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "secret-key",
        "secret_key",
        "secretkey",
        "mysecret",
        "my-secret-key",
        "your-secret-key",
        "your_secret_key",
        "supersecret",
        "super-secret-key",
        "development",
        "dev",
        "test",
        "password",
        "\2\1thisismyscretkey\1\2\\e\\y\\y\\h",  # FAB's skeleton config
    )
)


def _seconds(value):
    if value is None or value == "":
        return None
    return value.total_seconds() if isinstance(value, timedelta) else int(value)


def _int(config, key, default=0):
    value = config.get(key)
    try:
        return int(value if value not in (None, "") else default)
    except (TypeError, ValueError):
        return None


def _per_minute(limit):
    """Requests a Flask-Limiter string lets through per minute in its tightest window; None: unparsable."""
    try:
        items = parse_many(str(limit or ""))
    except ValueError:
        return None
    if not items:
        return None
    return min(item.amount * 60 / max(1, item.get_expiry()) for item in items)


def _limit_too_loose(limit, most):
    rate = _per_minute(limit)
    return rate is None or rate > most


def _weak_secret(value):
    value = value or ""
    return (
        len(value) < SECRET_MIN
        or value.strip().lower() in WELL_KNOWN_SECRETS
        or len(set(value)) < 10  # "aaaa…", "0101…": long but guessable
    )


def _hosts(config, key):
    return [h.strip() for h in config.get(key) or [] if h and h.strip()]


def _wildcard_host(patterns):
    # fnmatch patterns: "*", "*.*", "?*" match any host; "*.example.go.id" is a safe family.
    return any(p.replace("*", "").replace("?", "").replace(".", "") == "" for p in patterns)


def _loopback(host):
    host = (host or "").strip().lower()
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _too_long(config, key, most):
    seconds = _seconds(config.get(key))
    return seconds is None or seconds <= 0 or seconds > most


def _over(config, key, most):
    """An optional bound (None: Flask's default applies) that is set but not between 1 and `most`."""
    if config.get(key) is None:
        return False
    value = _int(config, key)
    return value is None or not 0 < value <= most


def _upload_too_big(config):
    upload = _int(config, "UPLOAD_MAX_BYTES") or 0
    request_max = _int(config, "MAX_CONTENT_LENGTH") or UPLOAD_MAX_BYTES  # unset: its own rule says so
    return not 0 < upload <= min(UPLOAD_MAX_BYTES, request_max)


@dataclass(frozen=True)
class Rule:
    """One production rule: the setting(s) it reads, when the value is unsafe, and what is safe."""

    name: str  # a short id, used by the tests
    settings: tuple
    unsafe: object  # callable(config) -> bool
    message: str


RULES = (
    Rule(
        "secret_key",
        ("SECRET_KEY",),
        lambda c: _weak_secret(c.get("SECRET_KEY")),
        f"SECRET_KEY must be a long random value of at least {SECRET_MIN} characters, not the development key "
        "or a published example (python -c 'import secrets; print(secrets.token_urlsafe(48))')",
    ),
    Rule("debug", ("DEBUG",), lambda c: bool(c.get("DEBUG")), "DEBUG must be off (FLASK_DEBUG unset)"),
    Rule("testing", ("TESTING",), lambda c: bool(c.get("TESTING")), "TESTING must be off"),
    *(
        Rule(key.lower(), (key,), lambda c, key=key: not c.get(key), f"{key} must be True")
        for key in (
            "SESSION_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "REMEMBER_COOKIE_SECURE",
            "REMEMBER_COOKIE_HTTPONLY",
        )
    ),
    Rule(
        "samesite",
        ("SESSION_COOKIE_SAMESITE",),
        lambda c: (c.get("SESSION_COOKIE_SAMESITE") or "").lower() not in ("lax", "strict"),
        "SESSION_COOKIE_SAMESITE must be Lax or Strict",
    ),
    Rule("csrf", ("WTF_CSRF_ENABLED",), lambda c: not c.get("WTF_CSRF_ENABLED"), "WTF_CSRF_ENABLED must be True"),
    Rule(
        "get_mutations",
        ("FAB_ALLOW_GET_UNSAFE_MUTATIONS",),
        lambda c: bool(c.get("FAB_ALLOW_GET_UNSAFE_MUTATIONS")),
        "FAB_ALLOW_GET_UNSAFE_MUTATIONS must be off",
    ),
    Rule(
        "swagger",
        ("FAB_API_SWAGGER_UI",),
        lambda c: bool(c.get("FAB_API_SWAGGER_UI")),
        "FAB_API_SWAGGER_UI must be off: the Swagger UI publishes every API endpoint and its schema",
    ),
    Rule(
        "password_policy",
        ("FAB_PASSWORD_COMPLEXITY_ENABLED", "FAB_PASSWORD_COMPLEXITY_VALIDATOR"),
        lambda c: not c.get("FAB_PASSWORD_COMPLEXITY_ENABLED") or not c.get("FAB_PASSWORD_COMPLEXITY_VALIDATOR"),
        "FAB_PASSWORD_COMPLEXITY_ENABLED and FAB_PASSWORD_COMPLEXITY_VALIDATOR must be set",
    ),
    # --- where the portal is reached
    Rule(
        "redirect_hosts",
        ("FAB_SAFE_REDIRECT_HOSTS",),
        lambda c: not _hosts(c, "FAB_SAFE_REDIRECT_HOSTS") or _wildcard_host(_hosts(c, "FAB_SAFE_REDIRECT_HOSTS")),
        "FAB_SAFE_REDIRECT_HOSTS must list the portal's host names (e.g. eproc.jakarta.go.id), "
        "not be empty and not match every host ('*')",
    ),
    Rule(
        "trusted_hosts",
        ("TRUSTED_HOSTS",),
        lambda c: not _hosts(c, "TRUSTED_HOSTS") or _wildcard_host(_hosts(c, "TRUSTED_HOSTS")),
        "TRUSTED_HOSTS must list the portal's host names, not be empty and not match every host",
    ),
    Rule(
        "proxy_count",
        ("TRUSTED_PROXY_COUNT",),
        lambda c: _int(c, "TRUSTED_PROXY_COUNT") is None or not 0 <= _int(c, "TRUSTED_PROXY_COUNT") <= PROXY_COUNT_MAX,
        f"TRUSTED_PROXY_COUNT must be the number of reverse proxies in front of the portal (0 to "
        f"{PROXY_COUNT_MAX}); more lets a client forge X-Forwarded-For and escape the rate limits",
    ),
    Rule(
        "hsts",
        ("SECURITY_HSTS_SECONDS",),
        lambda c: (_int(c, "SECURITY_HSTS_SECONDS") or 0) < YEAR,
        f"SECURITY_HSTS_SECONDS must be at least one year ({YEAR})",
    ),
    # --- rate limits and lock-out
    Rule(
        "auth_rate_limited",
        ("AUTH_RATE_LIMITED",),
        lambda c: not c.get("AUTH_RATE_LIMITED"),
        "AUTH_RATE_LIMITED must be True",
    ),
    Rule(
        "ratelimit_enabled",
        ("RATELIMIT_ENABLED",),
        lambda c: not c.get("RATELIMIT_ENABLED"),
        "RATELIMIT_ENABLED must be True",
    ),
    Rule(
        "ratelimit_storage",
        ("RATELIMIT_STORAGE_URI",),
        lambda c: (c.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory"),
        "RATELIMIT_STORAGE_URI must point to shared storage such as redis://127.0.0.1:6379 "
        "(memory:// counts per worker process, so N gunicorn workers allow N times the limit)",
    ),
    Rule(
        "auth_rate_limit",
        ("AUTH_RATE_LIMIT", "AUTH_API_RATE_LIMIT"),
        lambda c: any(
            _limit_too_loose(limit, LOGIN_PER_MINUTE_MAX)
            for limit in (c.get("AUTH_RATE_LIMIT"), c.get("AUTH_API_RATE_LIMIT") or c.get("AUTH_RATE_LIMIT"))
        ),
        f"AUTH_RATE_LIMIT and AUTH_API_RATE_LIMIT must be Flask-Limiter limits of at most {LOGIN_PER_MINUTE_MAX} "
        "login attempts per minute per client address (default: 10 per 20 second)",
    ),
    Rule(
        "public_rate_limit",
        ("VERIFIKASI_DOKUMEN_RATE_LIMIT",),
        lambda c: _limit_too_loose(c.get("VERIFIKASI_DOKUMEN_RATE_LIMIT"), PUBLIC_PAGE_PER_MINUTE_MAX),
        f"VERIFIKASI_DOKUMEN_RATE_LIMIT must be a Flask-Limiter limit of at most {PUBLIC_PAGE_PER_MINUTE_MAX} "
        "requests per minute (default: 30 per minute)",
    ),
    Rule(
        "lockout_threshold",
        ("AUTH_LOCKOUT_THRESHOLD",),
        lambda c: not 1 <= (_int(c, "AUTH_LOCKOUT_THRESHOLD") or 0) <= LOCKOUT_THRESHOLD_MAX,
        f"AUTH_LOCKOUT_THRESHOLD must be between 1 and {LOCKOUT_THRESHOLD_MAX} failed logins (default 5)",
    ),
    Rule(
        "lockout_minutes",
        ("AUTH_LOCKOUT_MINUTES",),
        lambda c: (_int(c, "AUTH_LOCKOUT_MINUTES") or 0) < LOCKOUT_MINUTES_MIN,
        f"AUTH_LOCKOUT_MINUTES must be at least {LOCKOUT_MINUTES_MIN} (default 15)",
    ),
    # --- session and token lifetimes (ASVS 7.3)
    Rule(
        "session_idle",
        ("PERMANENT_SESSION_LIFETIME",),
        lambda c: _too_long(c, "PERMANENT_SESSION_LIFETIME", SESSION_IDLE_MAX),
        f"SESSION_IDLE_SECONDS (PERMANENT_SESSION_LIFETIME) must be at most {SESSION_IDLE_MAX} s (ASVS: 30 min idle)",
    ),
    Rule(
        "session_absolute",
        ("SESSION_ABSOLUTE_SECONDS",),
        lambda c: _too_long(c, "SESSION_ABSOLUTE_SECONDS", SESSION_ABSOLUTE_MAX),
        f"SESSION_ABSOLUTE_SECONDS must be at most {SESSION_ABSOLUTE_MAX} s (ASVS: 12 h absolute)",
    ),
    Rule(
        "remember_cookie",
        ("REMEMBER_COOKIE_DURATION",),
        lambda c: _too_long(c, "REMEMBER_COOKIE_DURATION", SESSION_ABSOLUTE_MAX),
        f"REMEMBER_COOKIE_DURATION must be at most {SESSION_ABSOLUTE_MAX} s (the absolute session lifetime)",
    ),
    Rule(
        "jwt_access",
        ("JWT_ACCESS_TOKEN_EXPIRES",),
        lambda c: _too_long(c, "JWT_ACCESS_TOKEN_EXPIRES", JWT_ACCESS_MAX),
        f"JWT_ACCESS_SECONDS (JWT_ACCESS_TOKEN_EXPIRES) must be at most {JWT_ACCESS_MAX} s (default 900)",
    ),
    Rule(
        "jwt_refresh",
        ("JWT_REFRESH_TOKEN_EXPIRES",),
        lambda c: _too_long(c, "JWT_REFRESH_TOKEN_EXPIRES", SESSION_ABSOLUTE_MAX),
        f"JWT_REFRESH_SECONDS (JWT_REFRESH_TOKEN_EXPIRES) must be at most {SESSION_ABSOLUTE_MAX} s "
        "(the absolute session lifetime)",
    ),
    # --- request and upload sizes
    Rule(
        "request_size",
        ("MAX_CONTENT_LENGTH",),
        lambda c: not 0 < (_int(c, "MAX_CONTENT_LENGTH") or 0) <= REQUEST_MAX_BYTES,
        f"MAX_CONTENT_LENGTH must be set and at most {REQUEST_MAX_BYTES} bytes (32 MiB; default 12 MiB)",
    ),
    Rule(
        "upload_size",
        ("UPLOAD_MAX_BYTES", "MAX_CONTENT_LENGTH"),
        _upload_too_big,
        f"UPLOAD_MAX_BYTES must be set, at most {UPLOAD_MAX_BYTES} bytes (20 MiB) and under MAX_CONTENT_LENGTH",
    ),
    Rule(
        "form_memory",
        ("MAX_FORM_MEMORY_SIZE", "MAX_FORM_PARTS"),
        lambda c: _over(c, "MAX_FORM_MEMORY_SIZE", FORM_MEMORY_MAX_BYTES) or _over(c, "MAX_FORM_PARTS", FORM_PARTS_MAX),
        f"MAX_FORM_MEMORY_SIZE must be at most {FORM_MEMORY_MAX_BYTES} bytes and MAX_FORM_PARTS at most "
        f"{FORM_PARTS_MAX} (Flask's defaults: 500 kB, 1000)",
    ),
    # --- email (password links and OTP codes travel in it)
    Rule(
        "mail_server",
        ("MAIL_SERVER",),
        lambda c: not (c.get("MAIL_SERVER") or "").strip(),
        "MAIL_SERVER must be set: without it every email (password links, OTP codes) is written to the log "
        "instead of being sent",
    ),
    Rule(
        "mail_tls",
        ("MAIL_SERVER", "MAIL_USE_TLS", "MAIL_USE_SSL"),
        lambda c: (
            bool((c.get("MAIL_SERVER") or "").strip())
            and not _loopback(c.get("MAIL_SERVER"))
            and not (c.get("MAIL_USE_TLS") or c.get("MAIL_USE_SSL"))
        ),
        "MAIL_USE_TLS (STARTTLS, port 587) or MAIL_USE_SSL (port 465) must be on for an SMTP server that is "
        "not on this machine: password links and OTP codes must not cross the network in clear text",
    ),
    Rule(
        "mail_claim",
        ("MAIL_CLAIM_TIMEOUT", "MAIL_TIMEOUT"),
        lambda c: (_int(c, "MAIL_CLAIM_TIMEOUT", 60) or 0) < 3 * (_int(c, "MAIL_TIMEOUT", 30) or 0),
        "MAIL_CLAIM_TIMEOUT must be at least three times MAIL_TIMEOUT, or a slow send is taken over and "
        "the email goes out twice",
    ),
)

# Checks kept beside the feature they guard; one line per module.
MODULE_CHECKS = (
    clock.production_problems,  # CLOCK_OFFSET_FILE: the movable clock
    gateway.production_problems,  # PEMBAYARAN_SIMULASI, PEMBAYARAN_CALLBACK_SECRET
    tte_bsre.production_problems,  # the TTE simulator (local CA) unless TTE_SIMULATOR_ALLOWED, the TSA
)


def broken_rules(config):
    """The rules of RULES the settings break, in table order."""
    return [rule for rule in RULES if rule.unsafe(config)]


def problems(config):
    """Every reason `config` is unsafe for production (empty: fine), the table's first, then the modules'."""
    found = [rule.message for rule in broken_rules(config)]
    for check in MODULE_CHECKS:
        found += check(config)
    return found


def refuse_unsafe(config):
    """create_app("production"): raise with every problem listed, one a line."""
    found = problems(config)
    if found:
        raise RuntimeError("Unsafe production settings:\n- " + "\n- ".join(found))


def refuse_demo_seed(env):
    """`flask portal seed-demo` writes users with published passwords: never in production."""
    if env == "production":
        raise RuntimeError(
            "flask portal seed-demo refuses to run with PORTAL_ENV=production: the demo users have published "
            "passwords. Create the first Admin with `flask fab create-admin`."
        )
