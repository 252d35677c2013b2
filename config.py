"""Settings for every environment, each read from the environment with a safe default."""

import os
from datetime import timedelta

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSTANCE_DIR = os.environ.get("INSTANCE_DIR", os.path.join(BASE_DIR, "instance"))


# Development only; ProductionConfig refuses to start with it.
DEV_SECRET_KEY = "dev-only-not-a-secret-set-SECRET_KEY-in-production"


def _bool(name, default):
    return os.environ.get(name, str(default)).lower() in ("1", "true", "yes", "on")


def _db_url(value):
    # psycopg2 is the pinned driver; SQLAlchemy 2.1 would pick psycopg 3 for a bare postgresql://
    if value and value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg2://" + value.split("://", 1)[1]
    return value


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///" + os.path.join(INSTANCE_DIR, "portal.db"))
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    HUEY_URL = os.environ.get("HUEY_URL", "sqlite:///" + os.path.join(INSTANCE_DIR, "huey.db"))
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", os.path.join(INSTANCE_DIR, "uploads"))
    # FAB's own file columns/download read UPLOAD_FOLDER; keep it apart from our documents.
    UPLOAD_FOLDER = os.path.join(INSTANCE_DIR, "fab-files")
    UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 5 * 1024 * 1024))
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
    FAB_API_SWAGGER_UI = True
    FAB_SAFE_REDIRECT_HOSTS = os.environ.get("FAB_SAFE_REDIRECT_HOSTS", "127.0.0.1,localhost").split(",")
    AUTH_RATE_LIMITED = _bool("AUTH_RATE_LIMITED", True)
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per 20 second")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None

    # Sessions
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    PERMANENT_SESSION_LIFETIME = timedelta(seconds=int(os.environ.get("SESSION_IDLE_SECONDS", 1800)))

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

    # Map tiles: an operator points this at a reachable tile server; the pin works without it.
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    SHOP_PAGE_SIZE = int(os.environ.get("SHOP_PAGE_SIZE", 12))


class DevelopmentConfig(Config):
    DEBUG = _bool("FLASK_DEBUG", False)


class TestingConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = _db_url(os.environ.get("TEST_DATABASE_URL")) or "sqlite:///" + os.path.join(
        INSTANCE_DIR, "test.db"
    )
    HUEY_URL = "memory://"
    WTF_CSRF_ENABLED = False
    AUTH_RATE_LIMITED = False
    RATELIMIT_ENABLED = False
    FAB_UPDATE_PERMS = False
    SERVER_NAME = None


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
