"""Settings for every environment, each read from the environment with a safe default."""

import os
from datetime import timedelta

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSTANCE_DIR = os.environ.get("INSTANCE_DIR", os.path.join(BASE_DIR, "instance"))


# Development only; ProductionConfig refuses to start with it.
DEV_SECRET_KEY = "dev-only-not-a-secret-set-SECRET_KEY-in-production"
# Development only; the production check refuses it (app/services/gateway.py).
DEV_CALLBACK_SECRET = "dev-only-callback-secret-set-PEMBAYARAN_CALLBACK_SECRET"


def _bool(name, default):
    return os.environ.get(name, str(default)).lower() in ("1", "true", "yes", "on")


def _list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _trusted_hosts(hosts):
    """Flask's TRUSTED_HOSTS from FAB_SAFE_REDIRECT_HOSTS patterns ("*.example.go.id" -> ".example.go.id")."""
    hosts = [h[1:] if h.startswith("*.") else h for h in hosts]
    return hosts or None


def _db_url(value):
    # psycopg2 is the pinned driver; SQLAlchemy 2.1 would pick psycopg 3 for a bare postgresql://
    if value and value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg2://" + value.split("://", 1)[1]
    return value


def _password_validator(password):
    # Imported on use: config.py is loaded before the app package.
    from app.services.auth import fab_password_validator

    return fab_password_validator(password)


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # API tokens (FAB's JWT): short-lived access tokens; every token also dies with its user's sessions
    # (logout, password change, Cabut Akses: auth.jwt_revoked checks the session version on each use)
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(seconds=int(os.environ.get("JWT_ACCESS_SECONDS", 15 * 60)))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(seconds=int(os.environ.get("JWT_REFRESH_SECONDS", 12 * 3600)))
    # every database URL goes through _db_url: the README's `postgresql://…` must reach the pinned driver
    SQLALCHEMY_DATABASE_URI = _db_url(os.environ.get("DATABASE_URL")) or "sqlite:///" + os.path.join(
        INSTANCE_DIR, "portal.db"
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    HUEY_URL = os.environ.get("HUEY_URL", "sqlite:///" + os.path.join(INSTANCE_DIR, "huey.db"))
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", os.path.join(INSTANCE_DIR, "uploads"))
    # FAB's own file columns/download read UPLOAD_FOLDER; keep it apart from our documents.
    UPLOAD_FOLDER = os.path.join(INSTANCE_DIR, "fab-files")
    UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 5 * 1024 * 1024))
    UPLOAD_MAX_PIXELS = int(os.environ.get("UPLOAD_MAX_PIXELS", 25_000_000))  # an image's width x height
    MASUKAN_MAKS_ARG = int(os.environ.get("MASUKAN_MAKS_ARG", 1000))  # longest query-string value
    MASUKAN_MAKS_ISIAN = int(os.environ.get("MASUKAN_MAKS_ISIAN", 20_000))  # longest form/JSON value
    # 10 MiB documents plus form overhead; Flask answers 413 above it.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 12 * 1024 * 1024))

    # Flask-AppBuilder
    APP_NAME = os.environ.get("APP_NAME", "Portal Pengadaan")
    APP_THEME = ""
    AUTH_TYPE = 1  # AUTH_DB
    FAB_CREATE_DB = False  # the schema comes from Alembic (NOTES gotcha 4)
    # Every role is built-in (FAB_ROLES), so no permission rows are needed; syncing them
    # at start-up would also race the migrations on an empty database (NOTES gotcha 4).
    FAB_UPDATE_PERMS = _bool("FAB_UPDATE_PERMS", False)
    FAB_ADD_SECURITY_VIEWS = True
    # The Swagger UI (/swagger/v1) lists every API endpoint and its schema; production refuses it.
    FAB_API_SWAGGER_UI = _bool("FAB_API_SWAGGER_UI", True)
    # Redirect targets (`?next=`) may only point at these hosts (fnmatch patterns); see app/services/auth.py.
    FAB_SAFE_REDIRECT_HOSTS = _list("FAB_SAFE_REDIRECT_HOSTS", "127.0.0.1,localhost")
    # Host headers Flask accepts (None = any); production defaults it to FAB_SAFE_REDIRECT_HOSTS.
    TRUSTED_HOSTS = _list("TRUSTED_HOSTS") or None
    # Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (rate limit key).
    TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
    FAB_ALLOW_GET_UNSAFE_MUTATIONS = False

    # Login hardening (OWASP ASVS 5 L2). Passwords: length + common/breached list, no composition rules.
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    FAB_PASSWORD_COMPLEXITY_VALIDATOR = staticmethod(_password_validator)
    # Rate limits per client address: the HTML form (FAB) and POST /api/v1/security/login (ours).
    AUTH_RATE_LIMITED = _bool("AUTH_RATE_LIMITED", True)
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per 20 second")
    AUTH_API_RATE_LIMIT = os.environ.get("AUTH_API_RATE_LIMIT", "") or None  # None: same as AUTH_RATE_LIMIT
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    # memory:// counts per process; production (several gunicorn workers) needs redis://127.0.0.1:6379
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Lock-out: every AUTH_LOCKOUT_THRESHOLD-th consecutive failure locks the account for AUTH_LOCKOUT_MINUTES.
    AUTH_LOCKOUT_THRESHOLD = int(os.environ.get("AUTH_LOCKOUT_THRESHOLD", 5))
    AUTH_LOCKOUT_MINUTES = int(os.environ.get("AUTH_LOCKOUT_MINUTES", 15))
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None

    # Sessions: idle lifetime (PERMANENT_SESSION_LIFETIME, refreshed each request) and an absolute one.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    PERMANENT_SESSION_LIFETIME = timedelta(seconds=int(os.environ.get("SESSION_IDLE_SECONDS", 1800)))
    SESSION_REFRESH_EACH_REQUEST = True
    SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", 12 * 3600))
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=int(os.environ.get("SESSION_IDLE_SECONDS", 1800)))
    # Strict-Transport-Security max-age; 0 sends none (production: one year).
    SECURITY_HSTS_SECONDS = int(os.environ.get("SECURITY_HSTS_SECONDS", 0))
    # More img-src sources for the Content-Security-Policy (MAP_TILE_URL's host is added by itself).
    CSP_EXTRA_IMG_SRC = _list("CSP_EXTRA_IMG_SRC")

    # i18n: Indonesian first (NOTES gotcha 7: absolute directory, FAB creates Babel itself)
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    BABEL_TRANSLATION_DIRECTORIES = os.path.join(BASE_DIR, "translations")
    LANGUAGES = {
        "id": {"flag": "id", "name": "Bahasa Indonesia"},
        "en": {"flag": "gb", "name": "English"},
    }

    # Mail (issue 6 sends it; print to log when unset)
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "noreply@portal.local")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", 10))
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", 8))
    # seconds before a claim left by a killed worker is taken back (at least 3 x MAIL_TIMEOUT)
    MAIL_CLAIM_TIMEOUT = int(os.environ.get("MAIL_CLAIM_TIMEOUT", 60))
    # emails claimed per batch; a run drains batch after batch until nothing is due
    MAIL_BATCH_SIZE = int(os.environ.get("MAIL_BATCH_SIZE", 20))
    # Reminders before each deadline, in hours (SPEC §7), e.g. "24,3"
    DEADLINE_REMINDER_HOURS = tuple(int(h) for h in os.environ.get("DEADLINE_REMINDER_HOURS", "24,3").split(",") if h)
    # One sweep drains the due deadlines until none is due or this many seconds are spent (under the minute
    # between runs); the rest waits for the next run.
    DEADLINE_SWEEP_BUDGET_SECONDS = int(os.environ.get("DEADLINE_SWEEP_BUDGET_SECONDS", 50))
    KATALOG_RESPONSE_HOURS = int(os.environ.get("KATALOG_RESPONSE_HOURS", 72))
    VERIFIKASI_SLA_HOURS = int(os.environ.get("VERIFIKASI_SLA_HOURS", 72))
    # Development only: a file holding a clock offset that every process (web, worker, `flask portal clock`)
    # adds to clock.now(), to walk a 3x24 h deadline in minutes. Relative paths are under INSTANCE_DIR.
    # Empty: off. Production refuses to start while it is set (app/services/clock.py).
    CLOCK_OFFSET_FILE = os.environ.get("CLOCK_OFFSET_FILE", "")
    # Base URL of links in emails written by background jobs (no request to take it from)
    PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:5000")
    # Base URL of the verification link (and QR code) printed on signed letters; unset: the request's host
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Per client address, on the public /verifikasi-dokumen/ page (Flask-Limiter notation)
    VERIFIKASI_DOKUMEN_RATE_LIMIT = os.environ.get("VERIFIKASI_DOKUMEN_RATE_LIMIT", "30 per minute")

    # Map tiles: an operator points this at a reachable tile server; the pin works without it.
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    SHOP_PAGE_SIZE = int(os.environ.get("SHOP_PAGE_SIZE", 12))
    # the shop's pager stops here (OFFSET stays small: page 7,500 of the province shop read 90,000 rows)
    SHOP_MAX_PAGES = int(os.environ.get("SHOP_MAX_PAGES", 100))

    # Pembayaran (SPEC §6 step 9; README "Pembayaran"). Fee = PERSEN % of the total (half-up) + TETAP Rupiah.
    PEMBAYARAN_BIAYA_PERSEN = os.environ.get("PEMBAYARAN_BIAYA_PERSEN", "0.5")  # a Decimal string, never float
    PEMBAYARAN_BIAYA_TETAP = int(os.environ.get("PEMBAYARAN_BIAYA_TETAP", 2500))
    KODE_BAYAR_HOURS = int(os.environ.get("KODE_BAYAR_HOURS", 7 * 24))
    KKP_TAUTAN_HOURS = int(os.environ.get("KKP_TAUTAN_HOURS", 72))
    # The bank/payment gateway adapter (a dotted class path) and the secret its signed callbacks use.
    PEMBAYARAN_GATEWAY = os.environ.get("PEMBAYARAN_GATEWAY", "app.services.gateway.SimulatedGateway")
    PEMBAYARAN_CALLBACK_SECRET = os.environ.get("PEMBAYARAN_CALLBACK_SECRET", DEV_CALLBACK_SECRET)
    PEMBAYARAN_CALLBACK_TOLERANCE = int(os.environ.get("PEMBAYARAN_CALLBACK_TOLERANCE", 300))  # seconds
    # "Bayar (Simulasi Bank)" buttons and simulated KKP charges; never in production.
    PEMBAYARAN_SIMULASI = _bool("PEMBAYARAN_SIMULASI", True)

    # TTE (README "Tanda Tangan Elektronik"): the certificate provider (BSrE or its simulator, a dotted class
    # path), the real service's address and credentials, and the RFC 3161 timestamp authority.
    TTE_PROVIDER = os.environ.get("TTE_PROVIDER", "app.services.tte_bsre.SimulatorBsre")
    TTE_BSRE_URL = os.environ.get("TTE_BSRE_URL", "")
    TTE_BSRE_CLIENT_ID = os.environ.get("TTE_BSRE_CLIENT_ID", "")
    TTE_BSRE_CLIENT_SECRET = os.environ.get("TTE_BSRE_CLIENT_SECRET", "")
    TTE_BSRE_AKAR = os.environ.get("TTE_BSRE_AKAR", "")  # PEM file of BSrE's root CA
    TTE_TSA_URL = os.environ.get("TTE_TSA_URL", "")  # empty: the simulator's own TSA
    TTE_TSA_AUTH = os.environ.get("TTE_TSA_AUTH", "")
    TTE_TSA_AKAR = os.environ.get("TTE_TSA_AKAR", "")  # PEM file of the TSA's root CA
    # Production refuses the simulator (and its TSA) unless this says it is wanted (a closed trial).
    TTE_SIMULATOR_ALLOWED = _bool("TTE_SIMULATOR_ALLOWED", False)
    # scrypt cost of the users' keys (log2 N, r, p): 17/8/1 = 128 MiB per guess (OWASP minimum)
    TTE_KDF_LOG_N = int(os.environ.get("TTE_KDF_LOG_N", 17))
    TTE_KDF_R = int(os.environ.get("TTE_KDF_R", 8))
    TTE_KDF_P = int(os.environ.get("TTE_KDF_P", 1))

    # Laporan (SPEC §9, docs/reports.md): targets in percent (Decimal strings), the amber band in points,
    # the payment limit after BAST, when a workbook runs as a job, how long job files are kept.
    REPORT_TARGET_UMKM_PERSEN = os.environ.get("REPORT_TARGET_UMKM_PERSEN", "40")
    REPORT_TARGET_PDN_PERSEN = os.environ.get("REPORT_TARGET_PDN_PERSEN", "80")
    REPORT_TARGET_MARGIN_POIN = os.environ.get("REPORT_TARGET_MARGIN_POIN", "10")
    REPORT_PAYMENT_DAYS = int(os.environ.get("REPORT_PAYMENT_DAYS", 14))
    REPORT_MIN_RATINGS = int(os.environ.get("REPORT_MIN_RATINGS", 3))
    REPORT_DIRECT_MAX_LINES = int(os.environ.get("REPORT_DIRECT_MAX_LINES", 20000))
    REPORT_DIRECT_MAX_LINES_AGGREGATE = int(os.environ.get("REPORT_DIRECT_MAX_LINES_AGGREGATE", 200000))
    REPORT_KEEP_DAYS = int(os.environ.get("REPORT_KEEP_DAYS", 7))
    REPORT_XLSX_MAX_ROWS = int(os.environ.get("REPORT_XLSX_MAX_ROWS", 1048575))


class DevelopmentConfig(Config):
    DEBUG = _bool("FLASK_DEBUG", False)


class TestingConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = _db_url(os.environ.get("TEST_DATABASE_URL")) or "sqlite:///" + os.path.join(
        INSTANCE_DIR, "test.db"
    )
    HUEY_URL = "memory://"
    CLOCK_OFFSET_FILE = ""  # a developer's shared clock must not move the suite; tests set it explicitly
    WTF_CSRF_ENABLED = False
    AUTH_RATE_LIMITED = False
    RATELIMIT_ENABLED = False
    FAB_UPDATE_PERMS = False
    SERVER_NAME = None
    TTE_KDF_LOG_N = 12  # the suite signs hundreds of letters; production keeps 17


class ProductionConfig(Config):
    # create_app("production") refuses to start while any setting is unsafe (app/services/produksi.py).
    DEBUG = _bool("FLASK_DEBUG", False)
    FAB_API_SWAGGER_UI = _bool("FAB_API_SWAGGER_UI", False)
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    # __Host- cookies are sent only over HTTPS, for this exact host and path /.
    SESSION_COOKIE_NAME = os.environ.get("SESSION_COOKIE_NAME", "__Host-session")
    # No localhost default: the operator names the public host(s), e.g. "eproc.jakarta.go.id".
    FAB_SAFE_REDIRECT_HOSTS = _list("FAB_SAFE_REDIRECT_HOSTS")
    TRUSTED_HOSTS = _list("TRUSTED_HOSTS") or _trusted_hosts(FAB_SAFE_REDIRECT_HOSTS)
    SECURITY_HSTS_SECONDS = int(os.environ.get("SECURITY_HSTS_SECONDS", 365 * 24 * 3600))
    # No development secret and no simulated payments; unset secret: the payment callback answers 503.
    PEMBAYARAN_CALLBACK_SECRET = os.environ.get("PEMBAYARAN_CALLBACK_SECRET", "")
    PEMBAYARAN_SIMULASI = _bool("PEMBAYARAN_SIMULASI", False)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
