"""The application factory: a new AppBuilder per app (NOTES gotcha 5)."""

import logging
import os

from flask import Flask, g
from flask_appbuilder import AppBuilder
from flask_babel import refresh
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, INSTANCE_DIR

from . import (
    api,
    cli,
    formatting,
    models,  # noqa: F401  (registers every table)
)
from .extensions import csrf, db, migrate
from .roles import ROLE_TABLE
from .security import PortalSecurityManager
from .services import auth, clock, deadlines, katalog, produksi, tte_aktivasi
from .views import IndexView, galat, masukan, register

# FAB builds a filter for every column of a list's model, searched or not, and warns about the one type it has
# none for: the time of day of an E-Order's event, never a search column here (10 lines on every start).
logging.getLogger("flask_appbuilder.models.filters").addFilter(
    lambda record: "waktu_kegiatan" not in record.getMessage()
)

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def create_app(env=None, **overrides):
    env = env or os.environ.get("PORTAL_ENV", "development")
    app = Flask(__name__, instance_path=INSTANCE_DIR)
    app.config.from_object(CONFIGS[env])
    app.config.update(overrides)
    app.config["PORTAL_ENV"] = env
    if env == "production":
        produksi.refuse_unsafe(app.config)  # every unsafe setting, listed at once (one table of rules)
    if app.config.get("TRUSTED_PROXY_COUNT"):
        n = int(app.config["TRUSTED_PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    os.makedirs(app.instance_path, exist_ok=True)
    clock.init_app(app, env)  # the shared movable clock (CLOCK_OFFSET_FILE), never in production

    app.config["FAB_ROLES"] = ROLE_TABLE
    app.config.setdefault("FAB_SECURITY_MANAGER_CLASS", "app.security.PortalSecurityManager")

    # Registered first so every later hook (FAB's, locale, session checks) sees fresh state.
    @app.before_request
    def _fresh_login_user():
        # Flask-Login caches the user on `g` and Flask-Babel the locale on the app context, which
        # live as long as the app context; a test that holds one context across requests would
        # otherwise carry a user or a language from one client to the next.
        g.pop("_login_user", None)
        refresh()

    masukan.init_app(app)  # bounds ids, pages and strings before any view reads them (before AppBuilder)
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    csrf.init_app(app)

    formatting.init_app(app)

    with app.app_context():
        appbuilder = AppBuilder(
            security_manager_class=PortalSecurityManager,
            indexview=IndexView,
            base_template="portal_base.html",
            update_perms=app.config.get("FAB_UPDATE_PERMS", False),
        )
        appbuilder.init_app(app, db.session)
        register(appbuilder)
        api.register(appbuilder)

    # after AppBuilder: the deadline kinds use Babel, which FAB sets up
    deadlines.init_app(app)
    katalog.init_app(app)
    tte_aktivasi.init_app(app)  # the TTE activation SLA (reminders, escalation)

    # Session version and lifetimes, safe redirects, security headers (after the hook above).
    auth.init_app(app)
    galat.init_app(app)  # error pages in the portal's layout; JSON for the API
    cli.init_app(app)
    return app
