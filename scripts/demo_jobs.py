"""Issue 6 "Done when", shown with a real worker: a negotiation left unanswered is cancelled automatically
after 3x24 h of moved clock, the emails arrive at a local SMTP server, and a worker killed with SIGKILL
and started again loses no deadline and duplicates no email.

    .venv/bin/python scripts/demo_jobs.py            # SqliteHuey file in a temporary directory
    .venv/bin/python scripts/demo_jobs.py --huey-url redis://127.0.0.1:6379/13   # RedisHuey (a spare db!)

Everything lives in a fresh temporary directory: the SQLite database (migrated), the SqliteHuey file, the
shared clock file (CLOCK_OFFSET_FILE) and uploads. This script seeds a PP, a PPK and a Penyedia, runs an
SMTP server (aiosmtpd) that keeps what it receives, and drives the order through the service layer. Every
sweep and every email is done by `huey_consumer app.worker.huey -w 2 -k thread -f`, a separate process
configured through the environment exactly like `make run` does it. The script only moves the shared clock
and enqueues the wake-up tasks `sweep_deadlines_now` / `send_outbox_now` (what `flask portal clock advance`
does), so no step waits for the worker's once-a-minute periodic run. Exit status 0 when every check passed.
"""

import argparse
import asyncio
import io
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
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes, policy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONSUMER = os.path.join(os.path.dirname(sys.executable), "huey_consumer")  # the venv running this script
if not os.path.exists(CONSUMER):
    CONSUMER = os.path.join(ROOT, ".venv", "bin", "huey_consumer")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--huey-url", help="default: a SqliteHuey file in the temporary directory")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, logs)")
    parser.add_argument("--max-delay", type=float, help="pass -m to the consumer (idle polling; huey's default: 10 s)")
    parser.add_argument("--timeout", type=float, default=90, help="seconds to wait for each worker step")
    return parser.parse_args()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ARGS = parse_args()
TMP = tempfile.mkdtemp(prefix="portal-demo-jobs-")
SMTP_PORT = free_port()
ENV = {
    "PORTAL_ENV": "development",
    "INSTANCE_DIR": TMP,
    "DATABASE_URL": "sqlite:///" + os.path.join(TMP, "portal.db"),
    "HUEY_URL": ARGS.huey_url or "sqlite:///" + os.path.join(TMP, "huey.db"),
    "UPLOAD_DIR": os.path.join(TMP, "uploads"),
    "CLOCK_OFFSET_FILE": os.path.join(TMP, "clock-offset"),
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_PORT": str(SMTP_PORT),
    "MAIL_DEFAULT_SENDER": "Portal Pengadaan <noreply@portal.local>",
    "MAIL_TIMEOUT": "30",
    "FLASK_DEBUG": "0",
}
os.environ.update(ENV)  # before the app is imported: config.py and app/extensions.py read the environment
sys.path.insert(0, ROOT)
logging.basicConfig(level=logging.WARNING, format="   (log) %(name)s: %(message)s")
logging.getLogger("flask_appbuilder").setLevel(logging.ERROR)  # start-up chatter of the views

from aiosmtpd.controller import Controller  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app import create_app, tasks  # noqa: E402
from app.cli import ensure_roles  # noqa: E402
from app.extensions import db, huey  # noqa: E402
from app.models import (  # noqa: E402
    Deadline,
    DeadlineReminder,
    EmailOutbox,
    Instansi,
    Kategori,
    Penyedia,
    PesananKatalog,
    Produk,
    Rup,
    Satker,
    SweepRun,
    Wilayah,
)
from app.services import clock, katalog, mailer  # noqa: E402

FAILED = []


def say(text=""):
    print(text, flush=True)


def step(title):
    say()
    say(f"== {title}")


def check(ok, text):
    say(f"   [{'OK' if ok else 'FAILED'}] {text}")
    if not ok:
        FAILED.append(text)
    return ok


def rupiah(amount):
    return f"Rp {amount:,}".replace(",", ".")


def wib(dt):
    return f"{clock.to_local(dt):%Y-%m-%d %H:%M:%S} WIB" if dt else "-"


# --- the SMTP server --------------------------------------------------------------------------------------


class Collector:
    """aiosmtpd handler: keeps every message; while `stall` is set, RCPT waits (a slow server)."""

    def __init__(self):
        self.envelopes = []
        self.stall = threading.Event()
        self.stalled = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.stall.is_set():
            with self.lock:
                self.stalled += 1
            while self.stall.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.envelopes.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def messages(self):
        with self.lock:
            return [(rcpt, message_from_bytes(content, policy=policy.default)) for rcpt, content in self.envelopes]


# --- the worker process -----------------------------------------------------------------------------------


class Worker:
    def __init__(self, name):
        self.name = name
        self.log_path = os.path.join(TMP, f"worker-{name}.log")
        self.cmd = [CONSUMER, "app.worker.huey", "-w", "2", "-k", "thread", "-f"]
        if ARGS.max_delay:
            self.cmd += ["-m", str(ARGS.max_delay)]
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            self.cmd, cwd=ROOT, env={**os.environ, **ENV}, stdout=self.log, stderr=subprocess.STDOUT
        )
        say(f"   worker {self.name}: pid {self.proc.pid}: {' '.join(['huey_consumer'] + self.cmd[1:])}")
        return self

    def kill(self, sig):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc:
            self.log.close()
        return self.proc.returncode if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def tail(self, n=40):
        try:
            with open(self.log_path) as fh:
                return "".join(fh.readlines()[-n:])
        except OSError:
            return ""


def wait_for(what, predicate, timeout=None):
    """Poll `predicate` (a fresh DB session each time) until it returns something truthy."""
    deadline = time.monotonic() + (timeout or ARGS.timeout)
    while time.monotonic() < deadline:
        db.session.remove()
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError(f"timed out waiting for: {what}")


def outbox(*statuses):
    q = select(EmailOutbox).order_by(EmailOutbox.id)
    if statuses:
        q = q.where(EmailOutbox.status.in_(statuses))
    return db.session.execute(q).scalars().all()


def all_sent():
    rows = outbox()
    return rows and all(r.status == "sent" for r in rows)


def wake_sweep():
    """The worker sweeps now; returns its result {"fired": n, "reminded": m}."""
    return tasks.sweep_deadlines_now().get(blocking=True, timeout=ARGS.timeout)


def wake_outbox():
    tasks.send_outbox_now()


def set_clock(target, label):
    """Move the shared clock so that it reads `target` now (every process sees it at its next clock.now())."""
    real = datetime.now(UTC).replace(tzinfo=None)
    clock.set_shared_offset(target - real)
    say(f"   shared clock -> {wib(clock.now())} ({label}; offset {clock.format_duration(clock.shared_offset())})")


def order():
    return db.session.get(PesananKatalog, ORDER_ID)


def active_deadline():
    return db.session.execute(
        select(Deadline).where(Deadline.entity == "pesanan_katalog", Deadline.entity_id == ORDER_ID)
    ).scalar_one()


def show_order(prefix="   "):
    p, d = order(), active_deadline()
    say(f"{prefix}order {p.nomor}: {p.status_label} ({p.status}); deadline {d.kind} {d.status}, due {wib(d.due_at)}")


# --- seed ---------------------------------------------------------------------------------------------------


def pdf_bytes():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "Dokumen persiapan pengadaan (demo)")
    c.save()
    return buf.getvalue()


def seed(app):
    sm = app.appbuilder.sm
    instansi = Instansi(kode="DEMO", nama="Pemerintah Provinsi Demo", jenis="pemda")
    satker = Satker(instansi=instansi, kode="SKPD-DEMO", nama="Dinas Pendidikan (demo)", jenis="satker")
    kel = db.session.execute(select(Wilayah).where(Wilayah.level == "kelurahan")).scalars().first()
    penyedia = Penyedia(
        nama="CV Alat Tulis Demo",
        npwp="012345678901234",
        nib="1234567890123",
        is_umkm=True,
        telepon="081200000000",
        alamat="Jl. Demo No. 1",
        kelurahan_code=kel.code,
    )
    db.session.add_all([instansi, satker, penyedia])
    db.session.commit()
    password = os.urandom(12).hex() + "Aa1!"  # nobody logs in: the demo acts through the services

    def user(username, role, email, **org):
        u = sm.add_user(username, username.upper(), "Demo", email, sm.find_role(role), password=password)
        assert u, f"user {username} not created"
        for key, value in org.items():
            setattr(u, key, value)
        db.session.commit()
        return u

    pp = user("pp_demo", "PP", "pp.demo@dinas.demo.go.id", satker_id=satker.id)
    ppk = user("ppk_demo", "PPK", "ppk.demo@dinas.demo.go.id", satker_id=satker.id)
    user("penyedia_demo", "Penyedia", "penjualan@atk-demo.co.id", penyedia_id=penyedia.id)
    kategori = db.session.execute(select(Kategori).where(Kategori.level == 2)).scalars().first()
    produk = Produk(
        penyedia_id=penyedia.id,
        kategori_id=kategori.id,
        nama="Kertas HVS A4 80 gsm (rim)",
        harga=100_000,
        ppn_persen=Decimal("11"),
        ppnbm_persen=Decimal("0"),
        min_pesan=1,
        max_pesan=100,
        stok=100,
        ketersediaan="ready",
        deskripsi="Kertas fotokopi A4, 500 lembar per rim.",
        status="tayang",
        satuan="rim",
        version=1,
        created_at=clock.now(),
    )
    rup = Rup(kode="RUP-DEMO-001", nama="Belanja Alat Tulis Kantor", tahun=clock.now().year, satker=satker,
              pagu=50_000_000, terpakai=0)  # fmt: skip
    db.session.add_all([produk, rup])
    db.session.commit()
    return pp, ppk, produk, rup


# --- the demonstration -------------------------------------------------------------------------------------


def main():
    global ORDER_ID, SMTP_HANDLER
    smtp = SMTP_HANDLER = Collector()
    controller = Controller(smtp, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    workers = []
    app = create_app("development")
    ctx = app.app_context()
    ctx.push()
    try:
        step("Set-up: a fresh database, a Huey store, a shared clock file and an SMTP server")
        say(f"   directory     {TMP}")
        say(f"   database      {ENV['DATABASE_URL']} (migrated now)")
        say(f"   huey          {ENV['HUEY_URL']} ({type(huey).__name__})")
        say(f"   clock file    {ENV['CLOCK_OFFSET_FILE']}")
        say(f"   SMTP server   aiosmtpd on 127.0.0.1:{SMTP_PORT}")
        if ARGS.huey_url:
            huey.storage.flush_all()  # a spare database: leftovers of an earlier run must not run now
        upgrade(directory=os.path.join(ROOT, "migrations"))
        ensure_roles()
        from app import seed as seed_module

        seed_module.load_reference()
        pp, ppk, produk, rup = seed(app)
        tasks.bind(app)

        step("A Katalog order and the PP's first price proposal (service layer, clock offset 0)")
        p = katalog.checkout.checkout(
            pp,
            lines=[{"produk_id": produk.id, "qty": 10}],
            dokumen_persiapan=("persiapan.pdf", pdf_bytes()),
            rup_id=rup.id,
            ppk_id=ppk.id,
            alamat_kirim="Jl. Gunung Sahari Raya No. 4, Jakarta Pusat",
            jenis_pengiriman="Dikirim ke kantor",
            tanggal_tiba_diminta=clock.today_local() + timedelta(days=14),
            opsi_kirim="kurir_penyedia",
        )
        ORDER_ID = p.id
        p = katalog.jalankan(p.id, "ajukan_nego", pp, harga={p.items[0].id: 90_000}, catatan="Mohon harga 90 ribu.")
        due = active_deadline().due_at
        say(f"   now {wib(clock.now())}; RUP {rup.kode} terpakai {rupiah(db.session.get(Rup, rup.id).terpakai)}")
        show_order()
        check(abs((due - clock.now()) - timedelta(hours=72)) < timedelta(minutes=1), "due 3x24 h after the proposal")

        step("Worker A starts; at start it runs its periodic tasks (sweep, outbox) once")
        worker_a = Worker("A").start()
        workers.append(worker_a)
        wait_for("the negotiation email is sent", all_sent)
        for row in outbox():
            say(f"   sent: {row.to_addr}: {row.subject}")

        step("Clock to 23 h 59 min before the deadline: the 24 h reminder is due; the SMTP server stalls")
        set_clock(due - timedelta(hours=23, minutes=59), "deadline - 23h59m")
        smtp.stall.set()
        result = wake_sweep()
        say(f"   worker A sweep: {result}")
        check(result == {"fired": 0, "reminded": 1}, "not fired; one reminder queued")
        wake_outbox()
        wait_for("worker A in the SMTP conversation", lambda: smtp.stalled and outbox("sending"))
        row = outbox("sending")[0]
        say(f"   outbox #{row.id} '{row.subject}' to {row.to_addr}: {row.status}, attempt {row.attempts}")
        rc = worker_a.kill(signal.SIGKILL)
        say(f"   worker A killed with SIGKILL mid-send (exit {rc})")
        check(len(smtp.messages()) == 1, "the SMTP server did not get the reminder (A died before DATA)")
        smtp.stall.clear()
        db.session.remove()
        show_order()
        say(f"   outbox: {[(r.id, r.status) for r in outbox()]}")
        check(active_deadline().status == "aktif", "the deadline is still there, active")
        killed_row = row.id

        step("Worker B starts (-f drops any lock A left); clock to 1 min before the deadline")
        worker_b = Worker("B").start()
        workers.append(worker_b)
        set_clock(due - timedelta(minutes=1), "deadline - 1 min")
        result = wake_sweep()
        say(f"   worker B sweep: {result}")
        check(result["fired"] == 0, "not fired a minute before 3x24 h")
        wake_outbox()  # A's claim is older than MAIL_CLAIM_TIMEOUT (on the moved clock): reclaimed and sent
        wait_for("every email sent", all_sent)
        show_order()
        p = order()
        check(p.status == "nego_pp", "the order is still open (Negosiasi Diajukan PP)")
        check(db.session.get(EmailOutbox, killed_row).attempts == 2, "the killed send was retried once, by B")

        step("Clock to 1 min past the deadline (3x24 h + 1 min)")
        set_clock(due + timedelta(minutes=1), "deadline + 1 min")
        result = wake_sweep()
        say(f"   worker B sweep: {result}")
        check(result["fired"] == 1, "the deadline fired")
        wake_outbox()
        wait_for("the Batal Otomatis emails sent", lambda: all_sent() and len(outbox()) >= 5)
        again = wake_sweep()
        say(f"   worker B sweeps again: {again}")
        check(again == {"fired": 0, "reminded": 0}, "a second sweep changes nothing")
        rc = worker_b.kill(signal.SIGINT)
        say(f"   worker B stopped with SIGINT (exit {rc})")

        report(due, rup)
    except Exception as e:
        FAILED.append(f"{type(e).__name__}: {e}")
        say(f"\n!! {type(e).__name__}: {e}")
        for w in workers:
            say(f"--- worker {w.name} log (last lines) ---\n{w.tail()}")
    finally:
        for w in workers:
            w.kill(signal.SIGKILL)
        controller.stop()
        if ARGS.huey_url:
            try:
                huey.storage.flush_all()
            except Exception as e:  # e.g. Redis down: already reported above
                say(f"   (could not empty {ARGS.huey_url}: {e})")
        db.session.remove()
        ctx.pop()
    say()
    if FAILED:
        say(f"RESULT: FAILED ({len(FAILED)}): " + "; ".join(FAILED))
        say(f"kept {TMP} for inspection")
        return 1
    say("RESULT: all checks passed")
    if ARGS.keep:
        say(f"kept {TMP}")
    else:
        shutil.rmtree(TMP, ignore_errors=True)
    return 0


def report(due, rup):
    db.session.remove()
    step("Result")
    p, d = order(), active_deadline()
    say(f"   order {p.nomor}: {p.status_label}")
    say(
        f"   deadline #{d.id}: kind={d.kind} status={d.status} due={wib(d.due_at)} closed={wib(d.closed_at)} "
        f"created={wib(d.created_at)}"
    )
    reminders = db.session.execute(
        select(DeadlineReminder)
        .where(DeadlineReminder.deadline_id == d.id)
        .order_by(DeadlineReminder.minutes_before.desc())
    ).scalars()
    say("   reminders: " + ", ".join(f"{r.minutes_before // 60} h before (at {wib(r.sent_at)})" for r in reminders))
    for run in db.session.execute(select(SweepRun).order_by(SweepRun.name)).scalars():
        say(f"   sweep_run {run.name}: last {wib(run.last_finished_at)}: {run.last_result}")
    check(p.status == "batal_otomatis", "order status Batal Otomatis")
    check(d.status == "kedaluwarsa" and d.closed_at >= due, "deadline row kedaluwarsa, closed after its due time")
    check(db.session.get(Rup, rup.id).terpakai == 0, "the RUP budget was released")

    say()
    say("   emails received by the SMTP server:")
    received = smtp_messages()
    for i, (rcpt, msg) in enumerate(received, 1):
        sent = msg["Date"].datetime.astimezone(UTC).replace(tzinfo=None)  # the portal clock's time, moved
        say(f"   {i}. {wib(sent)}  to {', '.join(rcpt)}: {msg['Subject']}")
    ids = Counter(msg["Message-ID"] for _, msg in received)
    rows = outbox()
    expected = {mailer.message_id(r.idempotency_key) for r in rows}
    dupes = [m for m, n in ids.items() if n > 1]
    check(not dupes, f"no Message-ID received twice ({len(ids)} distinct of {len(received)} received)")
    unsent = [(r.id, r.status) for r in rows if r.status != "sent"]
    check(not unsent, f"no outbox row unsent ({len(rows)} rows, all sent)" if not unsent else f"unsent: {unsent}")
    check(set(ids) == expected, "every outbox row arrived, and nothing else did")
    subjects = [msg["Subject"] for _, msg in received]
    check(sum("Pengingat" in s for s in subjects) == 2, "two reminders (24 h and 3 h before)")
    check(sum(s.endswith("Batal Otomatis") for s in subjects) == 2, "Batal Otomatis to the PP and the Penyedia")


def smtp_messages():
    return SMTP_HANDLER.messages()


ORDER_ID = None
SMTP_HANDLER = None

if __name__ == "__main__":
    sys.exit(main())
