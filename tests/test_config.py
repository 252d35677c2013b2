import pytest

from app import create_app
from config import _db_url


def test_production_refuses_the_dev_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError):
        create_app("production")


@pytest.mark.parametrize(
    "given,expected",
    [
        ("postgresql://u@h/db", "postgresql+psycopg2://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg2://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        (None, None),
    ],
)
def test_database_url_uses_the_pinned_driver(given, expected):
    assert _db_url(given) == expected


def test_readme_database_url_reaches_postgresql_as_written():
    """DATABASE_URL exactly as the README writes it (`postgresql://…`) starts the app on the pinned driver
    and answers a query (it crashed with ModuleNotFoundError: psycopg before every URL went through _db_url)."""
    import os
    import subprocess
    import sys

    url = "postgresql://postgres@127.0.0.1:5432/postgres"
    code = (
        "from sqlalchemy import text\n"
        "from app import create_app\n"
        "from app.extensions import db\n"
        "app = create_app()\n"
        "print(app.config['SQLALCHEMY_DATABASE_URI'])\n"
        "with app.app_context():\n"
        "    print(db.session.execute(text('select 41 + 1')).scalar_one())\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "FLASK_ENV")}
    env.update(DATABASE_URL=url, HUEY_URL="memory://")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["postgresql+psycopg2://postgres@127.0.0.1:5432/postgres", "42"]
