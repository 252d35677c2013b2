"""Email burst benchmark (issue 15 item 7): seconds from a burst of 200 emails to their last delivery.

    .venv/bin/python bench/email_burst.py                                   # SqliteHuey, SQLite
    .venv/bin/python bench/email_burst.py --huey-url redis://127.0.0.1:6379/12   # RedisHuey (a spare db!)
    .venv/bin/python bench/email_burst.py --database-url postgresql://postgres@127.0.0.1:5432/portal_bench

In a fresh temporary directory it migrates the database (a given PostgreSQL database is emptied first),
starts a real SMTP server (aiosmtpd) on 127.0.0.1, points MAIL_SERVER/MAIL_PORT at it and starts a real
worker, `huey_consumer app.worker.huey -w 2 -k thread -f`, configured through the environment like
`make run`. Then it writes N emails through the notify path (`notify.queue_email`), one commit each as N
separate changes would, with one OTP code (`otp.EmailOtpSender`) in the middle of the burst. Nothing but
those commits wakes the worker: each commit that writes outbox rows enqueues `send_outbox_now`.

It prints the seconds from the first commit to the last delivery (target: under 60), the OTP's seconds
from its commit to its delivery, and checks that every email arrived exactly once. A benchmark, not a
test: figures depend on the machine. Exit status 1 when an email is missing or the target is missed.
"""

import argparse
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from types import SimpleNamespace

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONSUMER = os.path.join(os.path.dirname(sys.executable), "huey_consumer")
if not os.path.exists(CONSUMER):
    CONSUMER = os.path.join(ROOT, ".venv", "bin", "huey_consumer")
TARGET_SECONDS = 60


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="consumer threads (-w)")
    parser.add_argument("--huey-url", help="default: a SqliteHuey file in the temporary directory")
    parser.add_argument("--database-url", help="default: a SQLite file in the temporary directory")
    parser.add_argument("--timeout", type=float, default=180, help="give up after this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, log)")
    return parser.parse_args()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ARGS = parse_args()
TMP = tempfile.mkdtemp(prefix="portal-bench-email-")
SMTP_PORT = free_port()
ENV = {
    "PORTAL_ENV": "development",
    "INSTANCE_DIR": TMP,
    "DATABASE_URL": ARGS.database_url or "sqlite:///" + os.path.join(TMP, "portal.db"),
    "HUEY_URL": ARGS.huey_url or "sqlite:///" + os.path.join(TMP, "huey.db"),
    "UPLOAD_DIR": os.path.join(TMP, "uploads"),
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_PORT": str(SMTP_PORT),
    "MAIL_DEFAULT_SENDER": "Portal Pengadaan <noreply@portal.local>",
    "FLASK_DEBUG": "0",
    "CLOCK_OFFSET_FILE": "",
}
os.environ.update(ENV)  # before the app is imported: config.py and app/extensions.py read the environment
sys.path.insert(0, ROOT)
logging.basicConfig(level=logging.WARNING, format="   (log) %(name)s: %(message)s")
logging.getLogger("flask_appbuilder").setLevel(logging.ERROR)

from aiosmtpd.controller import Controller  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db, huey  # noqa: E402
from app.models import EmailOutbox  # noqa: E402
from app.services import notify, otp  # noqa: E402


class Arrivals:
    """aiosmtpd handler: the monotonic time each recipient's message arrived."""

    def __init__(self):
        self.times = {}
        self.count = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.times.setdefault(rcpt, now)
                self.count[rcpt] += 1
        return "250 Message accepted for delivery"

    def delivered(self):
        with self.lock:
            return len(self.times)


def say(line=""):
    print(line, flush=True)


def main():
    handler = Arrivals()
    controller = Controller(handler, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    app = create_app("development")
    ctx = app.app_context()
    ctx.push()
    worker = log = None
    try:
        say(f"directory    {TMP}")
        say(f"database     {ENV['DATABASE_URL']}")
        say(f"huey         {ENV['HUEY_URL']} ({type(huey).__name__})")
        say(f"SMTP server  aiosmtpd on 127.0.0.1:{SMTP_PORT}")
        if ENV["DATABASE_URL"].startswith("postgres"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        if ARGS.huey_url:
            huey.storage.flush_all()  # a spare Redis database: nothing of an earlier run may run now
        upgrade(directory=os.path.join(ROOT, "migrations"))

        log = open(os.path.join(TMP, "worker.log"), "w")
        cmd = [CONSUMER, "app.worker.huey", "-w", str(ARGS.workers), "-k", "thread", "-f"]
        worker = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **ENV}, stdout=log, stderr=subprocess.STDOUT)
        say(f"worker       pid {worker.pid}: huey_consumer {' '.join(cmd[1:])}")
        time.sleep(3)  # its start-up periodic runs find an empty outbox; the burst must wake it by itself
        if worker.poll() is not None:
            raise SystemExit(f"the worker died at start:\n{open(log.name).read()[-2000:]}")

        n = ARGS.emails
        otp_at = n // 2
        otp_user = SimpleNamespace(email="otp@bench.local")
        say(f"\nburst        {n} emails, one commit each; an OTP code after the {otp_at}th")
        t0 = time.monotonic()
        otp_committed = None
        for i in range(n):
            link = notify.tautan("PesananView.detail", pk=i + 1) or "http://127.0.0.1:5000/"
            notify.queue_email(
                f"u{i:03d}@bench.local",
                f"Pesanan PO-BENCH-{i:03d}: Diproses",
                f"Pesanan PO-BENCH-{i:03d} berubah status menjadi Diproses.\n{link}",
                key=f"bench:{i}",
            )
            db.session.commit()
            if i + 1 == otp_at:
                otp.EmailOtpSender().send(otp_user, "081234567890", "246810", key="otp:bench")
                db.session.commit()
                otp_committed = time.monotonic()
        written = time.monotonic() - t0
        say(f"written      {n + 1} outbox rows in {written:.2f} s (each commit enqueued send_outbox_now)")

        expected = n + 1
        deadline = t0 + ARGS.timeout
        while handler.delivered() < expected and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.05)
        delivered = handler.delivered()
        last = max(handler.times.values()) if handler.times else None
        otp_seconds = handler.times["otp@bench.local"] - otp_committed if "otp@bench.local" in handler.times else None
        db.session.remove()
        statuses = dict(db.session.execute(select(EmailOutbox.status, func.count()).group_by(EmailOutbox.status)).all())
        duplicates = sum(c - 1 for c in handler.count.values() if c > 1)

        say()
        say(f"delivered    {delivered} of {expected} (outbox: {statuses}; duplicates: {duplicates})")
        if last is not None:
            say(f"SECONDS TO LAST DELIVERY: {last - t0:.2f} (target: under {TARGET_SECONDS})")
        if otp_seconds is not None:
            say(f"OTP delivered {otp_seconds:.2f} s after its commit")
        ok = delivered == expected and duplicates == 0 and last is not None and last - t0 < TARGET_SECONDS
        say("RESULT: OK" if ok else "RESULT: FAILED")
        return 0 if ok else 1
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGINT)  # a graceful stop releases the Huey locks
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
        if log is not None:
            log.close()
        ctx.pop()
        controller.stop()
        if not ARGS.keep:
            shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
