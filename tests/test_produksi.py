"""The production start-up check (app/services/produksi.py), one setting at a time: a safe production
configuration starts, and each unsafe value alone makes create_app("production") fail naming that setting."""

from datetime import timedelta

import pytest

from app import create_app, seed
from app.services import produksi
from config import DEV_CALLBACK_SECRET, DEV_SECRET_KEY

SAFE_PRODUCTION = dict(
    SECRET_KEY="a-long-random-production-secret-for-the-test-only-0123456789",
    DEBUG=False,
    TESTING=False,
    RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
    FAB_SAFE_REDIRECT_HOSTS=["eproc.jakarta.go.id"],
    TRUSTED_HOSTS=["eproc.jakarta.go.id"],
    MAIL_SERVER="smtp.jakarta.go.id",
    MAIL_PORT=587,
    MAIL_USE_TLS=True,
    TTE_PROVIDER="app.services.tte_bsre.BsreClient",
    TTE_BSRE_URL="https://tte.bsre.example/api",
    TTE_BSRE_AKAR="/etc/portal/bsre-root.pem",
    TTE_TSA_URL="https://tsa.bsre.example/tsr",
)

# (rule name, the one unsafe override, a word of the message). Every rule of the table has at least one row.
UNSAFE = [
    ("secret_key", {"SECRET_KEY": DEV_SECRET_KEY}, "SECRET_KEY"),
    ("secret_key", {"SECRET_KEY": ""}, "SECRET_KEY"),
    ("secret_key", {"SECRET_KEY": "changeme"}, "SECRET_KEY"),
    ("secret_key", {"SECRET_KEY": "short-but-random-Xq3"}, "SECRET_KEY"),
    ("secret_key", {"SECRET_KEY": "ab" * 40}, "SECRET_KEY"),
    ("debug", {"DEBUG": True}, "DEBUG"),
    ("testing", {"TESTING": True}, "TESTING"),
    ("session_cookie_secure", {"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
    ("session_cookie_httponly", {"SESSION_COOKIE_HTTPONLY": False}, "SESSION_COOKIE_HTTPONLY"),
    ("remember_cookie_secure", {"REMEMBER_COOKIE_SECURE": False}, "REMEMBER_COOKIE_SECURE"),
    ("remember_cookie_httponly", {"REMEMBER_COOKIE_HTTPONLY": False}, "REMEMBER_COOKIE_HTTPONLY"),
    ("samesite", {"SESSION_COOKIE_SAMESITE": None}, "SESSION_COOKIE_SAMESITE"),
    ("samesite", {"SESSION_COOKIE_SAMESITE": "None"}, "SESSION_COOKIE_SAMESITE"),
    ("csrf", {"WTF_CSRF_ENABLED": False}, "WTF_CSRF_ENABLED"),
    ("get_mutations", {"FAB_ALLOW_GET_UNSAFE_MUTATIONS": True}, "FAB_ALLOW_GET_UNSAFE_MUTATIONS"),
    ("swagger", {"FAB_API_SWAGGER_UI": True}, "FAB_API_SWAGGER_UI"),
    ("password_policy", {"FAB_PASSWORD_COMPLEXITY_ENABLED": False}, "FAB_PASSWORD_COMPLEXITY"),
    ("redirect_hosts", {"FAB_SAFE_REDIRECT_HOSTS": []}, "FAB_SAFE_REDIRECT_HOSTS"),
    ("redirect_hosts", {"FAB_SAFE_REDIRECT_HOSTS": [""]}, "FAB_SAFE_REDIRECT_HOSTS"),
    ("redirect_hosts", {"FAB_SAFE_REDIRECT_HOSTS": ["*"]}, "FAB_SAFE_REDIRECT_HOSTS"),
    ("redirect_hosts", {"FAB_SAFE_REDIRECT_HOSTS": ["eproc.jakarta.go.id", "*.*"]}, "FAB_SAFE_REDIRECT_HOSTS"),
    ("trusted_hosts", {"TRUSTED_HOSTS": None}, "TRUSTED_HOSTS"),
    ("trusted_hosts", {"TRUSTED_HOSTS": ["*"]}, "TRUSTED_HOSTS"),
    ("proxy_count", {"TRUSTED_PROXY_COUNT": 10}, "TRUSTED_PROXY_COUNT"),
    ("proxy_count", {"TRUSTED_PROXY_COUNT": -1}, "TRUSTED_PROXY_COUNT"),
    ("hsts", {"SECURITY_HSTS_SECONDS": 0}, "SECURITY_HSTS_SECONDS"),
    ("hsts", {"SECURITY_HSTS_SECONDS": 30 * 24 * 3600}, "SECURITY_HSTS_SECONDS"),
    ("auth_rate_limited", {"AUTH_RATE_LIMITED": False}, "AUTH_RATE_LIMITED"),
    ("ratelimit_enabled", {"RATELIMIT_ENABLED": False}, "RATELIMIT_ENABLED"),
    ("ratelimit_storage", {"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
    ("auth_rate_limit", {"AUTH_RATE_LIMIT": "100000 per second"}, "AUTH_RATE_LIMIT"),
    ("auth_rate_limit", {"AUTH_RATE_LIMIT": "banyak"}, "AUTH_RATE_LIMIT"),
    ("auth_rate_limit", {"AUTH_API_RATE_LIMIT": "1000 per minute"}, "AUTH_API_RATE_LIMIT"),
    ("public_rate_limit", {"VERIFIKASI_DOKUMEN_RATE_LIMIT": "100 per second"}, "VERIFIKASI_DOKUMEN_RATE_LIMIT"),
    ("lockout_threshold", {"AUTH_LOCKOUT_THRESHOLD": 0}, "AUTH_LOCKOUT_THRESHOLD"),
    ("lockout_threshold", {"AUTH_LOCKOUT_THRESHOLD": 1000}, "AUTH_LOCKOUT_THRESHOLD"),
    ("lockout_minutes", {"AUTH_LOCKOUT_MINUTES": 0}, "AUTH_LOCKOUT_MINUTES"),
    ("session_idle", {"PERMANENT_SESSION_LIFETIME": timedelta(days=31)}, "SESSION_IDLE_SECONDS"),
    ("session_absolute", {"SESSION_ABSOLUTE_SECONDS": 7 * 24 * 3600}, "SESSION_ABSOLUTE_SECONDS"),
    ("remember_cookie", {"REMEMBER_COOKIE_DURATION": timedelta(days=365)}, "REMEMBER_COOKIE_DURATION"),
    ("jwt_access", {"JWT_ACCESS_TOKEN_EXPIRES": timedelta(days=1)}, "JWT_ACCESS_SECONDS"),
    ("jwt_access", {"JWT_ACCESS_TOKEN_EXPIRES": False}, "JWT_ACCESS_SECONDS"),  # False: never expires
    ("jwt_refresh", {"JWT_REFRESH_TOKEN_EXPIRES": timedelta(days=30)}, "JWT_REFRESH_SECONDS"),
    ("request_size", {"MAX_CONTENT_LENGTH": None}, "MAX_CONTENT_LENGTH"),
    ("request_size", {"MAX_CONTENT_LENGTH": 2 * 1024**3}, "MAX_CONTENT_LENGTH"),
    ("upload_size", {"UPLOAD_MAX_BYTES": 500 * 1024 * 1024}, "UPLOAD_MAX_BYTES"),
    ("form_memory", {"MAX_FORM_MEMORY_SIZE": 1024**3}, "MAX_FORM_MEMORY_SIZE"),
    ("form_memory", {"MAX_FORM_PARTS": 10**6}, "MAX_FORM_PARTS"),
    ("mail_server", {"MAIL_SERVER": ""}, "MAIL_SERVER"),
    ("mail_tls", {"MAIL_USE_TLS": False}, "MAIL_USE_TLS"),
    ("mail_claim", {"MAIL_CLAIM_TIMEOUT": 5}, "MAIL_CLAIM_TIMEOUT"),
    # checks of other modules, joined through produksi.MODULE_CHECKS
    (None, {"CLOCK_OFFSET_FILE": "clock-offset"}, "CLOCK_OFFSET_FILE"),
    (None, {"PEMBAYARAN_SIMULASI": True}, "PEMBAYARAN_SIMULASI"),
    (None, {"PEMBAYARAN_CALLBACK_SECRET": DEV_CALLBACK_SECRET}, "PEMBAYARAN_CALLBACK_SECRET"),
    (None, {"TTE_PROVIDER": "app.services.tte_bsre.SimulatorBsre"}, "TTE_PROVIDER"),
    (None, {"TTE_BSRE_URL": ""}, "TTE_BSRE_URL"),
    (None, {"TTE_TSA_URL": ""}, "TTE_TSA_URL"),
]


@pytest.fixture
def production_env(monkeypatch, app):
    for name in (
        "SECRET_KEY",
        "FLASK_DEBUG",
        "SESSION_COOKIE_SECURE",
        "FAB_SAFE_REDIRECT_HOSTS",
        "TRUSTED_HOSTS",
        "FAB_API_SWAGGER_UI",
    ):
        monkeypatch.delenv(name, raising=False)
    return dict(SAFE_PRODUCTION, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])


def _production_config():
    from config import ProductionConfig

    return {k: getattr(ProductionConfig, k) for k in dir(ProductionConfig) if k.isupper()}


def test_safe_production_settings_start(production_env):
    prod = create_app("production", **production_env)
    cfg = prod.config
    assert cfg["SESSION_COOKIE_SECURE"] and cfg["REMEMBER_COOKIE_SECURE"] and cfg["SESSION_COOKIE_HTTPONLY"]
    assert cfg["SESSION_COOKIE_SAMESITE"] == "Lax" and cfg["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert cfg["SECURITY_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert cfg["FAB_API_SWAGGER_UI"] is False
    assert produksi.problems(cfg) == []


@pytest.mark.parametrize("rule,override,word", UNSAFE, ids=[f"{r or 'module'}-{next(iter(o))}" for r, o, _ in UNSAFE])
def test_production_refuses_each_unsafe_setting(production_env, rule, override, word):
    with pytest.raises(RuntimeError) as err:
        create_app("production", **dict(production_env, **override))
    message = str(err.value)
    assert message.count("\n- ") == 1, message  # only the one problem is listed
    assert word in message
    if rule is not None:
        (broken,) = produksi.broken_rules({**_production_config(), **SAFE_PRODUCTION, **override})
        assert broken.name == rule and broken.message in message


def test_every_rule_has_an_unsafe_case():
    assert {r.name for r in produksi.RULES} == {rule for rule, _, _ in UNSAFE if rule}
    assert len({r.name for r in produksi.RULES}) == len(produksi.RULES)


@pytest.mark.parametrize(
    "override",
    [
        {"MAIL_SERVER": "127.0.0.1", "MAIL_USE_TLS": False, "MAIL_PORT": 25},  # a local relay needs no TLS
        {"MAIL_SERVER": "localhost", "MAIL_USE_TLS": False},
        {"MAIL_USE_TLS": False, "MAIL_USE_SSL": True, "MAIL_PORT": 465},
        {"FAB_SAFE_REDIRECT_HOSTS": ["*.jakarta.go.id"], "TRUSTED_HOSTS": [".jakarta.go.id"]},
        {"TRUSTED_PROXY_COUNT": 1},
        {"AUTH_RATE_LIMIT": "5 per minute;100 per day"},
        {"SECRET_KEY": "Xq3" + "v" * 5 + "0123456789abcdefghijklmnopqrstu"},
    ],
)
def test_safe_variants_start(production_env, override):
    create_app("production", **dict(production_env, **override))


def test_production_lists_every_problem_at_once(production_env):
    with pytest.raises(RuntimeError) as err:
        create_app(
            "production",
            **dict(
                production_env,
                SECRET_KEY=DEV_SECRET_KEY,
                DEBUG=True,
                RATELIMIT_STORAGE_URI="memory://",
                FAB_API_SWAGGER_UI=True,
                CLOCK_OFFSET_FILE="x",
            ),
        )
    message = str(err.value)
    for word in ("SECRET_KEY", "DEBUG", "RATELIMIT_STORAGE_URI", "FAB_API_SWAGGER_UI", "CLOCK_OFFSET_FILE"):
        assert word in message
    assert message.count("\n- ") == 5


def test_production_defaults_are_safe_but_for_what_only_the_operator_knows():
    cfg = _production_config()
    operator = {k: SAFE_PRODUCTION[k] for k in ("SECRET_KEY", "RATELIMIT_STORAGE_URI", "FAB_SAFE_REDIRECT_HOSTS")}
    operator.update(TRUSTED_HOSTS=["eproc.jakarta.go.id"], MAIL_SERVER="smtp.jakarta.go.id", MAIL_USE_TLS=True)
    operator.update({k: SAFE_PRODUCTION[k] for k in ("TTE_PROVIDER", "TTE_BSRE_URL", "TTE_BSRE_AKAR", "TTE_TSA_URL")})
    only_the_operator_knows = {"secret_key", "redirect_hosts", "trusted_hosts", "ratelimit_storage", "mail_server"}
    assert {r.name for r in produksi.broken_rules(cfg)} <= only_the_operator_knows
    assert produksi.problems(dict(cfg, **operator)) == []


def test_demo_seed_refuses_production(production_env):
    prod = create_app("production", **production_env)
    with prod.app_context():  # the command runs in the current app (the suite holds the testing one)
        result = prod.test_cli_runner().invoke(args=["portal", "seed-demo"])
        assert result.exit_code == 1, result.output
        assert "refuses to run with PORTAL_ENV=production" in result.output
        assert not seed.has_users()


def test_demo_seed_is_not_refused_outside_production(app, f):
    f.user("Admin")  # --if-empty then stops before loading (the refusal would come first)
    result = app.test_cli_runner().invoke(args=["portal", "seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "demo data not loaded" in result.output
