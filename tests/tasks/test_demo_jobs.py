"""scripts/demo_jobs.py end to end (about 20 s each): a real `huey_consumer app.worker.huey` process, killed
with SIGKILL mid-send and started again, cancels the unanswered negotiation after 3x24 h of shared clock,
and the local SMTP server receives every email once. The script brings its own SQLite database, so it runs
in the SQLite pass only."""

import os
import subprocess
import sys

import pytest
import redis

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REDIS_URL = "redis://127.0.0.1:6379/13"

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="independent of the test database: runs in the SQLite pass"
)


def redis_up():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return True
    except redis.exceptions.ConnectionError:
        return False


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param([], id="SqliteHuey"),
        pytest.param(
            ["--huey-url", REDIS_URL],
            id="RedisHuey",
            marks=pytest.mark.skipif(not redis_up(), reason="Redis is not running at 127.0.0.1:6379"),
        ),
    ],
)
def test_demo_jobs_script(extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "HUEY_", "CLOCK_"))}
    command = [sys.executable, os.path.join(ROOT, "scripts", "demo_jobs.py"), *extra]
    if extra:  # one Redis database for every run on this machine: one demo at a time (two suites at once)
        with redis.Redis.from_url(REDIS_URL).lock("portal-demo-jobs-test", timeout=300, blocking_timeout=300):
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    else:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    out = done.stdout
    assert done.returncode == 0, out[-4000:] + done.stderr[-4000:]
    assert "RESULT: all checks passed" in out and "[FAILED]" not in out
    assert "worker A killed with SIGKILL" in out and "order KAT/" in out and ": Batal Otomatis" in out
