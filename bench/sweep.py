"""The deadline sweep on the scale database: nothing due, then 10,000 due among 100,000 pending.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/portal_scale .venv/bin/python -m bench.sweep

Changes the database (it is a benchmark copy): tops the running deadlines up to --pending with pending
Verifikasi Profil requests (bulk, as seed-scale does), sends the reminders already due (untimed), times a
sweep with nothing due, then makes the --due earliest deadlines due and times the sweep that drains them,
counting statements; then makes --due running deadlines' 24 h reminders due and times that sweep.
"""

import argparse
import time
from datetime import date, timedelta

from sqlalchemy import delete, event, func, select, text, update

from app import create_app
from app.extensions import db
from app.models import Deadline, DeadlineReminder, Dokumen, PortalUser, ProfilPengguna
from app.seed_scale import Bulk, Ids, _sha
from app.services import clock, deadlines


class Counter:
    def __init__(self):
        self.n = 0

    def __call__(self, *_a):
        self.n += 1


def top_up(pending):
    """Add pending Verifikasi Profil requests (and their running deadline) up to `pending` running deadlines."""
    have = db.session.execute(select(func.count()).where(Deadline.status == "aktif")).scalar_one()
    need = pending - have
    if need <= 0:
        return 0
    now = clock.now().replace(microsecond=0)
    instansi = db.session.execute(text("SELECT id FROM instansi ORDER BY id")).scalars().all()
    pw = db.session.execute(select(PortalUser.password).limit(1)).scalar_one()
    ids = Ids(db.session)
    db.session.commit()
    bulk = Bulk(db.session.connection())
    start = ids(PortalUser)
    for i in range(need):
        uid = start if i == 0 else ids(PortalUser)
        submitted = now - timedelta(minutes=10 + i % 1800)  # due within 3x24 h, after the reminders' 24 h
        bulk.add(PortalUser, {"id": uid, "first_name": "Warga", "last_name": f"Bench {uid}",
                              "username": f"bench-{uid}", "password": pw, "active": True,
                              "email": f"bench-{uid}@scale.portal.local", "login_count": 0, "fail_login_count": 0,
                              "created_on": submitted, "changed_on": submitted, "session_version": 1})  # fmt: skip
        docs = []
        for jenis in ("selfie", "ktp"):
            did = ids(Dokumen)
            docs.append(did)
            bulk.add(Dokumen, {"id": did, "pesanan_id": None, "jenis": jenis, "filename": f"{jenis}.png",
                               "content_type": "image/png", "size": 100, "sha256": _sha("b", did),
                               "kode_verifikasi": None, "stored_name": f"bench-{did}.png", "uploaded_by_id": uid,
                               "uploaded_at": submitted})  # fmt: skip
        rid = ids(ProfilPengguna)
        due = submitted + timedelta(hours=72)
        bulk.add(ProfilPengguna, {"id": rid, "user_id": uid, "instansi_id": instansi[i % len(instansi)],
                                  "jenis_profil": "non_penyedia", "status_kepegawaian": "ASN", "nip": None,
                                  "nik": f"32{i:014d}", "nama_ktp": f"Warga Bench {uid}",
                                  "tanggal_lahir": date(1990, 1, 1), "selfie_id": docs[0], "ktp_id": docs[1],
                                  "status": "menunggu", "version": 1, "alasan": None, "submitted_at": submitted,
                                  "batas_waktu": due, "updated_at": submitted})  # fmt: skip
        bulk.add(Deadline, {"id": ids(Deadline), "kind": "verifikasi_profil", "entity": "profil_pengguna",
                            "entity_id": rid, "due_at": due, "status": "aktif", "created_at": submitted,
                            "closed_at": None, "note": None})  # fmt: skip
    bulk.flush()
    for name in ("ab_user", "dokumen", "profil_pengguna", "deadline"):
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text(f"SELECT setval('{name}_id_seq', (SELECT MAX(id) FROM {name}))"))
    db.session.commit()
    return need


def timed_sweep(label, **kw):
    c = Counter()
    event.listen(db.engine, "before_cursor_execute", c)
    t = time.perf_counter()
    result = deadlines.sweep(**kw)
    secs = time.perf_counter() - t
    event.remove(db.engine, "before_cursor_execute", c)
    print(f"| {label} | {secs:.3f} s | {result['fired']} | {result['reminded']} | {c.n} |")
    return secs, result, c.n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pending", type=int, default=100_000)
    ap.add_argument("--due", type=int, default=10_000)
    ap.add_argument("--budget", type=int, default=600, help="seconds; large, to time the whole drain")
    a = ap.parse_args()
    app = create_app()
    with app.app_context():
        added = top_up(a.pending)
        running = db.session.execute(select(func.count()).where(Deadline.status == "aktif")).scalar_one()
        print(f"running deadlines: {running} (added {added})")
        t = time.perf_counter()
        warm = deadlines.sweep(budget=a.budget)  # the reminders already due go out first (untimed)
        print(f"warm-up sweep (reminders already due): {warm} in {time.perf_counter() - t:.1f} s")
        print("| sweep | time | fired | reminded | SQL statements |")
        print("|---|---:|---:|---:|---:|")
        timed_sweep("nothing due")
        timed_sweep("nothing due (again)")
        now = clock.now()
        ids = (
            db.session.execute(
                select(Deadline.id).where(Deadline.status == "aktif").order_by(Deadline.due_at).limit(a.due)
            )
            .scalars()
            .all()
        )
        db.session.execute(update(Deadline).where(Deadline.id.in_(ids)).values(due_at=now - timedelta(minutes=1)))
        db.session.commit()
        kinds = db.session.execute(
            select(Deadline.kind, func.count()).where(Deadline.id.in_(ids)).group_by(Deadline.kind)
        ).all()
        print(f"made due: {len(ids)} {dict(kinds)}")
        secs, result, n = timed_sweep(f"{len(ids)} due", budget=a.budget)
        print(f"per deadline: {secs / max(1, result['fired']) * 1000:.2f} ms, {n / max(1, len(ids)):.1f} statements")
        timed_sweep("after the drain: nothing due")
        # reminders: --due running deadlines, their reminder rows forgotten, 23 h before their end
        ids = (
            db.session.execute(
                select(Deadline.id).where(Deadline.status == "aktif").order_by(Deadline.due_at).limit(a.due)
            )
            .scalars()
            .all()
        )
        db.session.execute(delete(DeadlineReminder).where(DeadlineReminder.deadline_id.in_(ids)))
        db.session.execute(update(Deadline).where(Deadline.id.in_(ids)).values(due_at=now + timedelta(hours=23)))
        db.session.commit()
        secs, result, n = timed_sweep(f"{len(ids)} reminders due")
        print(f"per reminder: {secs / max(1, result['reminded']) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
