"""Extension singletons; bound to an app in create_app()."""

import os
import sqlite3

from flask_appbuilder import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from huey import MemoryHuey, RedisHuey, SqliteHuey
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import CONFIGS, Config


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, _record):
    # SQLite ignores foreign keys unless asked, per connection; a dangling id could otherwise be
    # reused by another organisation's new row.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


# FAB's Model carries its own metadata; give it to Flask-SQLAlchemy so Alembic sees every table.
db = SQLA(metadata=Model.metadata)
migrate = Migrate()
csrf = CSRFProtect()


def make_huey(url):
    if url.startswith("redis://"):
        return RedisHuey("portal", url=url, utc=True)
    if url.startswith("memory://"):
        return MemoryHuey("portal", utc=True, immediate=True)
    path = url.removeprefix("sqlite:///")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    return SqliteHuey("portal", filename=path, utc=True)


def _default_huey_url():
    env = os.environ.get("PORTAL_ENV", "development")
    return os.environ.get("HUEY_URL") or CONFIGS.get(env, Config).HUEY_URL


# Huey is module-level (the consumer imports it by path); HUEY_URL picks the backend.
huey = make_huey(_default_huey_url())
