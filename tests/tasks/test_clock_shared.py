"""The shared movable clock (CLOCK_OFFSET_FILE): seen by other processes, never used in production."""

import logging
import os
import subprocess
import sys
import types
from datetime import UTC, datetime, timedelta

import pytest

from app import create_app
from app.services import clock

BIN = os.path.dirname(sys.executable)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAFE_PRODUCTION = {  # what an operator sets (tests/test_produksi.py checks each of them)
    "SECRET_KEY": "a-long-random-production-secret-for-the-test-only-0123456789",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
    "FAB_SAFE_REDIRECT_HOSTS": "eproc.jakarta.go.id",
    "MAIL_SERVER": "127.0.0.1",  # a relay on this machine: no TLS needed
    "TTE_PROVIDER": "app.services.tte_bsre.BsreClient",  # the real BSrE service, not the simulator
    "TTE_BSRE_URL": "https://tte.bsre.example/api",
    "TTE_BSRE_AKAR": "/etc/portal/bsre-root.pem",
    "TTE_TSA_URL": "https://tsa.bsre.example/tsr",
}


def real_now():
    return datetime.now(UTC).replace(tzinfo=None)


def moved_by(expected, tolerance=timedelta(seconds=30)):
    return abs((clock.now() - real_now()) - expected) < tolerance


@pytest.fixture
def shared(tmp_path):
    path = tmp_path / "clock-offset"
    clock.use_shared_file(str(path))
    yield path
    clock.use_shared_file(None)


def flask_cli(*args, tmp_path, **env):
    """`flask portal clock ...` in a process of its own, configured from the environment like the worker."""
    full_env = {
        **os.environ,
        "FLASK_APP": "run.py",
        "PORTAL_ENV": "development",
        "INSTANCE_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/portal.db",
        "HUEY_URL": f"sqlite:///{tmp_path}/huey.db",
        **env,
    }
    return subprocess.run(
        [os.path.join(BIN, "flask"), "portal", "clock", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "text,expected",
    [
        ("72h", timedelta(hours=72)),
        ("3d", timedelta(days=3)),
        ("90m", timedelta(minutes=90)),
        ("45s", timedelta(seconds=45)),
        ("1d2h30m", timedelta(days=1, hours=2, minutes=30)),
        ("3x24h", timedelta(hours=72)),
        (" 71H 59M ", timedelta(hours=71, minutes=59)),
    ],
)
def test_durations(text, expected):
    assert clock.parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "3", "h", "-1h", "3 days", "3d x", "1.5h"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        clock.parse_duration(text)


def test_the_suite_ignores_a_developers_clock_file():
    from config import TestingConfig

    assert TestingConfig.CLOCK_OFFSET_FILE == ""
    assert clock.shared_file() is None and moved_by(timedelta(0))


def test_shared_offset_adds_to_the_in_process_one(shared):
    assert clock.shared_offset() == timedelta(0)  # no file yet
    clock.advance_shared(timedelta(days=3))
    assert shared.read_text().strip() == "259200.000000"
    assert moved_by(timedelta(days=3))
    clock.advance(timedelta(hours=1))  # the tests' own API still works on top
    assert moved_by(timedelta(days=3, hours=1))
    clock.reset()
    clock.reset_shared()
    assert moved_by(timedelta(0))


def test_the_file_is_read_again_only_when_it_changes(shared, monkeypatch):
    clock.set_shared_offset(timedelta(hours=2))
    reads = []
    real_read = clock._read
    monkeypatch.setattr(clock, "_read", lambda path: reads.append(path) or real_read(path))
    for _ in range(1000):
        clock.now()
    assert reads == []  # one stat() per call, no read
    tmp = f"{shared}.other"  # another process replaces the file
    with open(tmp, "w") as fh:
        fh.write("5400\n")
    os.replace(tmp, shared)
    assert clock.shared_offset() == timedelta(minutes=90) and len(reads) == 1
    clock.now()
    assert len(reads) == 1


def test_an_unreadable_file_counts_as_zero(shared, caplog, monkeypatch):
    monkeypatch.setattr(clock.log, "disabled", False)  # Alembic's fileConfig disabled it during the migrations
    shared.write_text("tiga hari\n")
    with caplog.at_level(logging.WARNING, logger=clock.log.name):
        assert clock.shared_offset() == timedelta(0)
    assert "unreadable" in caplog.text


def test_init_app_uses_the_setting_but_never_in_production(tmp_path):
    fake = types.SimpleNamespace(config={"CLOCK_OFFSET_FILE": "clock-offset"}, instance_path=str(tmp_path))
    try:
        clock.init_app(fake, "development")
        assert clock.shared_file() == str(tmp_path / "clock-offset")  # relative: under the instance folder
        clock.init_app(fake, "production")
        assert clock.shared_file() is None
        fake.config["CLOCK_OFFSET_FILE"] = "/elsewhere/offset"
        clock.init_app(fake, "testing")
        assert clock.shared_file() == "/elsewhere/offset"
    finally:
        clock.use_shared_file(None)


def test_production_refuses_to_start_with_a_shared_clock(app, tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "FLASK_DEBUG", "SESSION_COOKIE_SECURE", "FAB_SAFE_REDIRECT_HOSTS", "TRUSTED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    settings = dict(
        SAFE_PRODUCTION,
        FAB_SAFE_REDIRECT_HOSTS=["eproc.jakarta.go.id"],
        TRUSTED_HOSTS=["eproc.jakarta.go.id"],
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
    )
    with pytest.raises(RuntimeError) as err:
        create_app("production", CLOCK_OFFSET_FILE=str(tmp_path / "offset"), **settings)
    assert "CLOCK_OFFSET_FILE must be unset" in str(err.value)
    assert str(err.value).count("\n- ") == 1
    assert clock.shared_file() is None


def test_cli_refuses_to_move_a_clock_that_is_not_shared(app):
    result = app.test_cli_runner().invoke(args=["portal", "clock", "advance", "3d"])
    assert result.exit_code == 1 and "CLOCK_OFFSET_FILE is not set" in result.output
    result = app.test_cli_runner().invoke(args=["portal", "clock", "show"])
    assert result.exit_code == 0 and "shared clock off" in result.output


def test_cli_in_process(app, shared):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "clock", "advance", "3x24h"])
    assert result.exit_code == 0, result.output
    assert "offset: 3d 0h 0m 0s" in result.output and "WIB" in result.output
    assert "worker woken" not in result.output  # immediate mode in tests: no worker to wake
    assert runner.invoke(args=["portal", "clock", "advance", "tiga"]).exit_code == 2
    result = runner.invoke(args=["portal", "clock", "reset"])
    assert result.exit_code == 0 and "offset: 0d 0h 0m 0s" in result.output
    assert moved_by(timedelta(0))


def test_another_process_sees_the_moved_clock_and_back(shared, tmp_path):
    moved = flask_cli("advance", "3d", "--no-wake", tmp_path=tmp_path, CLOCK_OFFSET_FILE=str(shared))
    assert moved.returncode == 0, moved.stderr
    assert "offset: 3d 0h 0m 0s" in moved.stdout
    assert moved_by(timedelta(days=3))  # this process sees what the other one wrote

    clock.advance_shared(timedelta(minutes=90))
    shown = flask_cli("show", tmp_path=tmp_path, CLOCK_OFFSET_FILE=str(shared))
    assert shown.returncode == 0, shown.stderr
    assert "offset: 3d 1h 30m 0s" in shown.stdout


def test_a_production_process_refuses_the_setting(tmp_path):
    production = dict(SAFE_PRODUCTION, PORTAL_ENV="production", FLASK_DEBUG="0", SESSION_COOKIE_SECURE="1")
    fine = flask_cli("show", tmp_path=tmp_path, **production)
    assert fine.returncode == 0, fine.stderr  # the environment is otherwise safe
    assert "shared clock off" in fine.stdout
    refused = flask_cli("show", tmp_path=tmp_path, CLOCK_OFFSET_FILE=str(tmp_path / "offset"), **production)
    assert refused.returncode != 0
    assert "CLOCK_OFFSET_FILE must be unset" in refused.stderr
