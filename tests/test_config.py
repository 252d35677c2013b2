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
