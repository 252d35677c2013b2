"""The README's production start, as written: its `export` lines, `flask db upgrade && flask portal init`,
gunicorn and the Huey consumer, on a fresh PostgreSQL database (issue 15 "Done when").

Only what must differ on a test machine is replaced, and each replacement must match the README exactly
once (a README that drifts fails here): the database (a fresh one, still `postgresql://…`), the Redis
database numbers (spare ones), the upload folder and gunicorn's address (a free loopback port). Skipped
only when PostgreSQL or Redis is not reachable."""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
HOST = "eproc.jakarta.go.id"  # the README's FAB_SAFE_REDIRECT_HOSTS


def _reachable(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _block():
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- produksi:start -->\n```bash\n(.*?)```\n<!-- /produksi:start -->", text, re.S)
    assert found, "README lost its production start block (<!-- produksi:start -->)"
    return found.group(1)


def _replace(text, old, new):
    assert text.count(old) == 1, f"README production block: expected {old!r} exactly once"
    return text.replace(old, new)


@pytest.fixture
def fresh_database():
    if not (_reachable(5432) and _reachable(6379)):
        pytest.skip("PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) is not reachable")
    import psycopg2

    name = f"portal_prodstart_{secrets.token_hex(4)}"
    conn = psycopg2.connect(PG_ADMIN)
    conn.autocommit = True
    conn.cursor().execute(f"CREATE DATABASE {name}")
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    conn.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    conn.close()


def _get(port, path, host=HOST):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": host})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def _stop(proc, sig):
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def test_the_readme_production_start_serves_the_portal(fresh_database, tmp_path):
    block = _block()
    lines = [line for line in block.splitlines() if line.strip()]
    exports = "\n".join(line for line in lines if line.startswith("export "))
    commands = [line.split("  #", 1)[0].strip() for line in lines if not line.startswith("export ")]
    migrate, gunicorn, consumer = commands
    assert migrate == "flask db upgrade && flask portal init"

    exports = _replace(exports, "postgresql://portal:rahasia@127.0.0.1:5432/portal", fresh_database)
    exports = _replace(exports, "redis://127.0.0.1:6379/1", "redis://127.0.0.1:6379/11")  # before /0 → /10
    exports = _replace(exports, "redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/10")
    exports = _replace(exports, "/var/lib/portal/uploads", str(tmp_path / "uploads"))
    port = _free_port()
    gunicorn = _replace(gunicorn, "0.0.0.0:8000", f"127.0.0.1:{port}")

    # a clean environment: nothing of the developer's or the suite's settings leaks in
    base = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", "INSTANCE_DIR": str(tmp_path)}
    shown = subprocess.run(
        ["bash", "-c", f"set -eu\n{exports}\nenv -0"], env=base, cwd=ROOT, capture_output=True, timeout=60
    )
    assert shown.returncode == 0, shown.stderr.decode()[-2000:]
    env = dict(item.split("=", 1) for item in shown.stdout.decode().split("\0") if "=" in item)
    assert env["PORTAL_ENV"] == "production" and len(env["SECRET_KEY"]) >= 32
    assert env["DATABASE_URL"].startswith("postgresql://")  # as the README writes it, no driver suffix

    done = subprocess.run(["bash", "-c", migrate], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "roles, regions and categories ready" in done.stdout

    log = open(tmp_path / "gunicorn.log", "w")
    web = subprocess.Popen(gunicorn.split(), env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    wlog = open(tmp_path / "worker.log", "w")
    worker = subprocess.Popen(consumer.split(), env=env, cwd=ROOT, stdout=wlog, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and web.poll() is None:
            try:
                status, headers, body = _get(port, "/login/")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, (tmp_path / "gunicorn.log").read_text()[-3000:]
        page = body.decode()
        assert 'name="username"' in page and 'name="password"' in page
        assert "<title>Portal Pengadaan</title>" in page and "Masuk" in page  # the portal, in Indonesian
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        cookie = headers.get("Set-Cookie", "")
        assert cookie.startswith("__Host-session=") and "Secure" in cookie and "HttpOnly" in cookie

        statics = re.findall(r'(?:href|src)="(/static/[^"?]+)', page)
        assert statics, "the login page links no static file"
        for path in statics[:3]:
            status, headers, body = _get(port, path)
            assert status == 200 and body, path
            assert "Set-Cookie" not in headers, path

        assert _get(port, "/login/", host="evil.example")[0] == 400  # TRUSTED_HOSTS from the README's host
        assert _get(port, "/swagger/v1")[0] == 404  # no Swagger UI in production

        time.sleep(2)
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        _stop(web, signal.SIGTERM)
        _stop(worker, signal.SIGINT)
        log.close()
        wlog.close()
    assert os.path.isdir(tmp_path)  # nothing was written outside the test's folders but the database
