"""Fixtures: one app per session on SQLite or (TEST_DATABASE_URL) PostgreSQL, clean tables per test."""

import os
import tempfile

import pytest

TMP = tempfile.mkdtemp(prefix="portal-test-")
os.environ.setdefault("INSTANCE_DIR", TMP)
os.environ["HUEY_URL"] = "memory://"
# a developer's shared dev clock (flask portal clock) must not move the suite or its production checks
os.environ.pop("CLOCK_OFFSET_FILE", None)

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services import clock  # noqa: E402

KEEP = {
    "alembic_version",
    "ab_role",
    "ab_permission",
    "ab_view_menu",
    "ab_permission_view",
    "ab_permission_view_role",
    "wilayah",
    "kategori",
}
PASSWORD = "Rahasia-Uji-2026"


def _database_url():
    from config import _db_url

    url = _db_url(os.environ.get("TEST_DATABASE_URL"))
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url and url.startswith("postgresql") and worker:
        url = _worker_database(url, worker)
    return url or "sqlite:///" + os.path.join(TMP, "test.db")


def _worker_database(url, worker):
    """Under pytest-xdist each worker gets its own PostgreSQL database (`<name>_gw0`, ...), created here,
    so the workers' per-test cleanups never meet (scripts/test.sh drops them with the run's database)."""
    import psycopg2
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app():
    url = _database_url()
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        UPLOAD_DIR=os.path.join(TMP, "uploads"),
        SERVER_NAME="localhost",
    )
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        from app import seed
        from app.cli import ensure_roles

        ensure_roles()
        seed.load_reference()
    yield app


@pytest.fixture(autouse=True)
def _clean(app):
    clock.reset()
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP]
        with db.engine.begin() as conn:
            for t in tables:
                conn.execute(t.delete())
    clock.reset()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def f(app):
    from tests.factories import Factories

    return Factories()


@pytest.fixture
def login(client):
    def _login(user, c=None):
        c = c or client
        c.get("/logout/")
        resp = c.post("/login/", data={"username": user.username, "password": PASSWORD})
        assert resp.status_code == 302, resp.data[:500]
        return c

    return _login
