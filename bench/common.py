"""What the bench scripts share: a gunicorn started on the scale database, logins per role, timings."""

import http.cookiejar
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "Demo12345!"  # app/seed_scale.py


def gunicorn(db_url, port, workers, tmp):
    """Start `gunicorn bench.wsgi:app` with the SQL counter on; returns the process (stop with stop())."""
    os.makedirs(tmp, exist_ok=True)
    env = dict(
        os.environ,
        DATABASE_URL=db_url,
        BENCH_COUNT_SQL="1",
        RATELIMIT_ENABLED="false",
        PORTAL_ENV="development",
        UPLOAD_DIR=os.path.join(tmp, "up"),
        HUEY_URL=f"sqlite:///{os.path.join(tmp, 'huey.db')}",
    )
    exe = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    cmd = [exe, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "120", "bench.wsgi:app"]
    log = open(os.path.join(tmp, "gunicorn.log"), "ab")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5)
            return proc
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(1)
    stop(proc)
    raise RuntimeError("gunicorn did not answer within 180 s (see gunicorn.log)")


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass


class Session:
    """One signed-in person: cookies kept, redirects not followed (a redirect is a result, too)."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        t = time.perf_counter()
        try:
            resp = self.opener.open(req, timeout=120)
            status, content, headers = resp.status, resp.read(), resp.headers
        except urllib.error.HTTPError as e:
            status, content, headers = e.code, e.read(), e.headers
        ms = (time.perf_counter() - t) * 1000
        return status, content, headers, ms

    def csrf(self, path):
        _, content, _, _ = self.request(path)
        m = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', content) or re.search(
            rb'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', content
        )
        return m.group(1).decode() if m else ""

    def login(self, username):
        token = self.csrf("/login/")
        status, _, headers, _ = self.request(
            "/login/", {"username": username, "password": PASSWORD, "csrf_token": token}
        )
        if status != 302 or "/login" in (headers.get("Location") or ""):
            raise RuntimeError(f"login of {username} failed ({status})")
        return self


def median(xs):
    return statistics.median(xs)


def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(0.95 * len(xs))) - 1))]
