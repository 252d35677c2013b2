"""Deadlines (SPEC §7): rows written by the step that starts them, swept by one periodic job.

The sweep fires each due row through a compare-and-set (aktif -> kedaluwarsa) in the same
transaction as its expiry action, so a second sweep, or two workers sweeping at once, changes
nothing more, and a worker that was down catches up on its next run. Reminders are rows too
(one per deadline and offset), so each goes out once.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import and_, bindparam, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import AksesPengguna, Deadline, DeadlineReminder, ProfilPengguna, SweepRun
from app.roles import ROLE_ADMIN, ROLE_VERIFIKATOR

from . import audit, clock, notify
from .errors import DomainError, NotFound
from .workflow import SYSTEM

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    """What a deadline kind does: on_expiry(deadline) in the sweep's transaction; whom to remind."""

    on_expiry: object
    recipients: object  # recipients(deadline) -> [(email, subject, body)]
    reminders_hours: tuple = (24, 3)
    # on_expiry_many(deadlines) -> {deadline id: why it was refused}: on_expiry for a set, in one transaction
    # (kinds sharing the function are fired together); None: on_expiry per deadline
    on_expiry_many: object = None
    # recipients_many(deadlines) -> {deadline id: [(email, subject, body)]}: recipients for a set (the sweep's
    # reminders go in batches); None: recipients per deadline
    recipients_many: object = None


KINDS = {}


def register(name, on_expiry, recipients, reminders_hours=(24, 3), on_expiry_many=None, recipients_many=None):
    KINDS[name] = Kind(on_expiry, recipients, tuple(reminders_hours), on_expiry_many, recipients_many)


def mulai(kind, entity, entity_id, due_at, note=None):
    """Start a deadline in the caller's transaction (replacing a running one of the same kind)."""
    tutup(kind, entity, entity_id, status="batal")
    db.session.add(
        Deadline(
            kind=kind,
            entity=entity,
            entity_id=entity_id,
            due_at=due_at,
            status="aktif",
            created_at=clock.now(),
            note=note,
        )
    )
    db.session.flush()


def tutup(kind, entity, entity_id, status="selesai"):
    """End the running deadline of this kind, in the caller's transaction (the step ended in time)."""
    db.session.execute(
        update(Deadline)
        .where(
            Deadline.kind == kind,
            Deadline.entity == entity,
            Deadline.entity_id == entity_id,
            Deadline.status == "aktif",
        )
        .values(status=status, closed_at=clock.now())
        .execution_options(synchronize_session=False)
    )


def tutup_many(kinds, entity, entity_ids, status="selesai"):
    """tutup() for a set of records and kinds, in one UPDATE (the sweep's expiries in sets)."""
    db.session.execute(
        update(Deadline)
        .where(
            Deadline.kind.in_(kinds),
            Deadline.entity == entity,
            Deadline.entity_id.in_(entity_ids),
            Deadline.status == "aktif",
        )
        .values(status=status, closed_at=clock.now())
        .execution_options(synchronize_session=False)
    )


def sisa(deadline_row, now=None):
    return deadline_row.due_at - (now or clock.now())


def batas(kind, entity, entity_id):
    """When the running deadline of this kind is due (None when none runs): pages show the time left."""
    return db.session.execute(
        select(Deadline.due_at).where(
            Deadline.kind == kind,
            Deadline.entity == entity,
            Deadline.entity_id == entity_id,
            Deadline.status == "aktif",
        )
    ).scalar_one_or_none()


def _fire(deadline_id, now):
    """Fire one due deadline; exactly one caller wins the compare-and-set (the row read back by RETURNING)."""
    row = db.session.execute(
        update(Deadline)
        .where(Deadline.id == deadline_id, Deadline.status == "aktif", Deadline.due_at <= now)
        .values(status="kedaluwarsa", closed_at=now)
        .returning(Deadline.id, Deadline.kind, Deadline.entity, Deadline.entity_id, Deadline.due_at, Deadline.note)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        db.session.rollback()
        return False
    kind = KINDS.get(row.kind)
    try:
        if kind is not None:
            kind.on_expiry(row)
        db.session.commit()
        return True
    except DomainError as e:
        # The record moved on without closing its deadline: record why and let it go.
        db.session.rollback()
        db.session.execute(
            update(Deadline)
            .where(Deadline.id == deadline_id, Deadline.status == "aktif")
            .values(status="batal", closed_at=now, note=str(e)[:250])
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return False


def _fire_many(on_expiry_many, ids, now):
    """Fire a set of due deadlines of kinds sharing on_expiry_many in one transaction: the same
    compare-and-set as _fire for all of them, the expiries as a set, the refused ones marked `batal` with
    their reason. Returns how many fired, or None when the set failed (rolled back: the caller fires them
    one by one, so one bad record does not hold back the others)."""
    try:
        rows = db.session.execute(
            update(Deadline)
            .where(Deadline.id.in_(ids), Deadline.status == "aktif", Deadline.due_at <= now)
            .values(status="kedaluwarsa", closed_at=now)
            .returning(Deadline.id, Deadline.kind, Deadline.entity, Deadline.entity_id, Deadline.due_at, Deadline.note)
            .execution_options(synchronize_session=False)
        ).all()
        if not rows:
            db.session.rollback()
            return 0
        refused = on_expiry_many(rows) or {}
        if refused:
            # the records moved on without closing their deadlines: record why and let them go (as _fire)
            table = Deadline.__table__  # Core: one executemany (the ORM form wants primary keys by name)
            db.session.execute(
                update(table)
                .where(table.c.id == bindparam("did"))
                .values(status="batal", closed_at=now, note=bindparam("why")),
                [{"did": d, "why": str(why)[:250]} for d, why in refused.items()],
            )
        db.session.commit()
        return len(rows) - len(refused)
    except Exception:
        db.session.rollback()
        log.exception("deadline sweep: a set of %d failed; firing them one by one", len(ids))
        return None


def _reminder_groups():
    """{reminder hours: [kinds]}: kinds sharing their reminder offsets are looked up by one query."""
    groups = {}
    for name, kind in KINDS.items():
        if kind.reminders_hours:
            groups.setdefault(tuple(sorted(set(kind.reminders_hours))), []).append(name)
    return groups


def _reminders_due(now, batch):
    """The running deadlines with a reminder due and not yet recorded: one query per group of kinds,
    served by ix_deadline_aktif_due (due_at within the largest offset) and uq_reminder_once."""
    out = []
    for hours, kinds in _reminder_groups().items():
        sent = [
            ~exists().where(DeadlineReminder.deadline_id == Deadline.id, DeadlineReminder.minutes_before == h * 60)
            for h in hours
        ]
        pending = or_(*(and_(Deadline.due_at <= now + timedelta(hours=h), s) for h, s in zip(hours, sent, strict=True)))
        out += db.session.execute(
            select(Deadline.id, Deadline.kind, Deadline.entity, Deadline.entity_id, Deadline.due_at, Deadline.note)
            .where(
                Deadline.status == "aktif",
                Deadline.due_at > now,
                Deadline.due_at <= now + timedelta(hours=max(hours)),
                Deadline.kind.in_(kinds),
                pending,
            )
            .order_by(Deadline.due_at)
            .limit(batch)
        ).all()
    return out


def _remind(row, now, sent=()):
    """Send the nearest reminder that is due (once); earlier missed ones are marked, not sent late."""
    kind = KINDS.get(row.kind)
    if kind is None:
        return 0
    due = [h for h in kind.reminders_hours if row.due_at - timedelta(hours=h) <= now]
    todo = [h for h in due if h * 60 not in sent]
    if not todo:
        return 0
    try:
        db.session.execute(
            insert(DeadlineReminder),
            [{"deadline_id": row.id, "minutes_before": h * 60, "sent_at": now} for h in todo],
        )  # the unique (deadline, offset) row: a concurrent sweep loses here
        for email, subject, body in kind.recipients(row):
            notify.queue_email(email, subject, body, key=f"pengingat:{row.id}:{min(todo)}:{email}")
        db.session.commit()
        return 1
    except IntegrityError:
        db.session.rollback()
        return 0


def _remind_many(rows, now, sent):
    """_remind for a batch: the reminder rows in one insert, the recipients by each kind's recipients_many
    (else per deadline), the outbox rows in one insert, one commit. Returns how many deadlines were reminded,
    or None when the set failed (rolled back; a concurrent sweep's reminder row, say): the caller then goes
    one deadline at a time."""
    todo = []  # (row, hours not yet recorded whose time has come)
    for row in rows:
        kind = KINDS.get(row.kind)
        if kind is None:
            continue
        due = [h for h in kind.reminders_hours if row.due_at - timedelta(hours=h) <= now]
        hours = [h for h in due if h * 60 not in sent.get(row.id, ())]
        if hours:
            todo.append((row, hours))
    if not todo:
        return 0
    try:
        db.session.execute(
            insert(DeadlineReminder),
            [{"deadline_id": row.id, "minutes_before": h * 60, "sent_at": now} for row, hours in todo for h in hours],
        )  # the unique (deadline, offset) rows: a concurrent sweep makes this insert fail, and the set with it
        by_fn, recipients = {}, {}
        for row, _ in todo:
            kind = KINDS[row.kind]
            if kind.recipients_many is None:
                recipients[row.id] = kind.recipients(row)
            else:
                by_fn.setdefault(kind.recipients_many, []).append(row)
        for fn, group in by_fn.items():
            recipients.update(fn(group))
        notify.queue_emails(
            [
                dict(to_addr=email, subject=subject, body=body, key=f"pengingat:{row.id}:{min(hours)}:{email}")
                for row, hours in todo
                for email, subject, body in recipients.get(row.id, [])
            ]
        )
        db.session.commit()
        return len(todo)
    except Exception:
        db.session.rollback()
        log.exception("deadline sweep: %d reminders as a set failed; sending them one by one", len(todo))
        return None


def sweep(now=None, limit=500, budget=None):
    """Fire every due deadline and send the reminders that are due. Safe to run again at any time.

    Drains: batches of `limit` until nothing is due or `budget` seconds (DEADLINE_SWEEP_BUDGET_SECONDS)
    are spent, so a backlog goes in one run instead of one batch a minute; what is left waits for the next."""
    now = now or clock.now()
    budget = current_app.config.get("DEADLINE_SWEEP_BUDGET_SECONDS", 50) if budget is None else budget
    stop = time.monotonic() + budget
    _mark("sweep_deadlines", started=now)
    fired = reminded = 0
    while time.monotonic() < stop:
        due = db.session.execute(
            select(Deadline.id, Deadline.kind)
            .where(Deadline.status == "aktif", Deadline.due_at <= now)
            .order_by(Deadline.due_at)
            .limit(limit)
        ).all()
        db.session.rollback()
        if not due:
            break
        sets, single = {}, []
        for i, name in due:
            many = getattr(KINDS.get(name), "on_expiry_many", None)
            if many is None:
                single.append(i)
            else:
                sets.setdefault(many, []).append(i)
        for many, ids in sets.items():
            n = _fire_many(many, ids, now)
            if n is None:
                single += ids
            else:
                fired += n
        for i in single:
            fired += _fire(i, now)
            if time.monotonic() >= stop:
                break
    while time.monotonic() < stop:
        rows = _reminders_due(now, limit)
        if not rows:
            break
        sent = {}
        for d, m in db.session.execute(
            select(DeadlineReminder.deadline_id, DeadlineReminder.minutes_before).where(
                DeadlineReminder.deadline_id.in_([r.id for r in rows])
            )
        ):
            sent.setdefault(d, set()).add(m)
        done = len(rows)
        n = _remind_many(rows, now, sent)
        if n is None:  # the set failed (rolled back): one deadline at a time, each wins or loses alone
            done = 0
            for row in rows:
                done += 1
                reminded += _remind(row, now, sent.get(row.id, ()))
                if time.monotonic() >= stop:
                    break
        else:
            reminded += n
        db.session.rollback()
        if done < len(rows) or len(rows) < limit:
            break
    result = f"fired {fired}, reminded {reminded}"
    _mark("sweep_deadlines", finished=clock.now(), result=result)
    return {"fired": fired, "reminded": reminded}


def _mark(name, started=None, finished=None, result=None):
    run = db.session.get(SweepRun, name) or SweepRun(name=name)
    if started:
        run.last_started_at = started
    if finished:
        run.last_finished_at = finished
        run.last_result = result
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:  # two sweeps creating the row at once
        db.session.rollback()


# --- kinds of this portal ---------------------------------------------------------------------


def _verification_kinds():
    models = {"profil_pengguna": ProfilPengguna, "akses_pengguna": AksesPengguna}

    def _requests(rows):
        """{(entity, id): request} with its user and instansi, one query per kind of request."""
        reqs = {}
        for entity in {r.entity for r in rows}:
            model = models[entity]
            ids = [r.entity_id for r in rows if r.entity == entity]
            stmt = select(model).options(joinedload(model.user), joinedload(model.instansi)).where(model.id.in_(ids))
            reqs.update({(entity, q.id): q for q in db.session.execute(stmt).unique().scalars()})
        return reqs

    def reminder(row):
        return reminder_many([row])[row.id]

    def reminder_many(rows):
        """{deadline id: [(email, subject, body)]}: the reminders of a set of requests to their instansi's
        Verifikators; the requests and the Verifikators by one query each."""
        reqs = _requests(rows)
        verifiers = {}
        for _, email, instansi_id in notify.penerima_peran(ROLE_VERIFIKATOR, {q.instansi_id for q in reqs.values()}):
            verifiers.setdefault(instansi_id, []).append(email)
        out = {}
        for row in rows:
            req = reqs.get((row.entity, row.entity_id))
            if req is None:
                out[row.id] = []
                continue
            with force_locale("id"):
                subject = gettext("Pengingat: permintaan verifikasi menunggu (batas %(jam)s jam)", jam=_hours_left(row))
                body = gettext(
                    "Permintaan verifikasi dari %(user)s menunggu keputusan Anda sebelum batas 3x24 jam.",
                    user=req.user.username,
                )
            out[row.id] = [(email, subject, body) for email in verifiers.get(req.instansi_id, [])]
        return out

    def escalate(row):
        refused = escalate_many([row])
        if refused:
            raise DomainError(refused[row.id])

    def escalate_many(rows):
        """The escalation of a set of requests past 3x24 h to every Admin: the requests by one query per kind,
        the Admins' emails once, the outbox rows and the audit rows by one insert each. Returns the refused
        ones ({deadline id: why}: decided meanwhile)."""
        reqs = _requests(rows)
        refused, emails, audits = {}, [], []
        admins = [email for _, email, _ in notify.penerima_peran(ROLE_ADMIN)]
        note = gettext("Melewati 3x24 jam")
        for row in rows:
            req = reqs.get((row.entity, row.entity_id))
            if req is None or req.status != "menunggu":
                refused[row.id] = gettext("Permintaan sudah diputuskan.") if req else str(NotFound().message)
                continue
            with force_locale("id"):
                subject = gettext("Eskalasi: verifikasi melewati 3x24 jam")
                body = gettext(
                    "Permintaan verifikasi dari %(user)s (%(instansi)s) belum diputuskan dalam 3x24 jam. "
                    "Mohon tindak lanjuti di Antrean Verifikasi.",
                    user=req.user.username,
                    instansi=req.instansi.nama,
                )
            emails += [dict(to_addr=e, subject=subject, body=body, key=f"eskalasi:{row.id}:{e}") for e in admins]
            audits.append(
                dict(entity=row.entity, entity_id=row.entity_id, action="eskalasi", actor=_system(), note=note)
            )
        notify.queue_emails(emails)
        audit.catat_many(audits)
        return refused

    hours = current_app.config.get("DEADLINE_REMINDER_HOURS", (24, 3))
    for name in ("verifikasi_profil", "verifikasi_akses"):
        register(name, escalate, reminder, hours, on_expiry_many=escalate_many, recipients_many=reminder_many)


def _hours_left(row):
    return max(0, int(sisa(row).total_seconds() // 3600))


def _system():
    return SYSTEM


def init_app(app):
    with app.app_context():
        _verification_kinds()
