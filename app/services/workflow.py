"""The workflow engine: a transition table per workflow and the one function that applies it.

apply() = load through scoping (404) -> role may ever do the action (403) -> find
(state, action) (409) -> party/ownership (403) -> keep only the row's fields -> guard (400, returns the
column changes) -> compare-and-set UPDATE on status + version (409 when someone else won) -> effect ->
audit row -> commit. Nothing else in the code base assigns a status.

A row also says how a person takes it: `fields` (what its action accepts from a form or JSON body;
anything else never reaches the guard), `panel` (where its button or form is drawn; None: nobody's
button, e.g. the portal's own steps), `label`, `style` and `visible` (show only when cheap checks pass).
The views draw their buttons from `Workflow.available()`, grouped by panel.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import tuple_, update
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.roles import ROLE_SISTEM

from . import audit, clock, predikat, scoping
from .errors import Conflict, DomainError, Forbidden, NotFound


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    roles: frozenset
    guard: Callable | None = None
    effect: Callable | None = None
    label: object = None
    style: str = "primary"
    # visible(obj, actor) -> bool: offer the button only when the guard could pass (cheap checks)
    visible: Callable | None = None
    # the inputs the action accepts (form fields / JSON keys); apply() drops every other key
    fields: tuple = ()
    # where the page draws it ("tombol": a plain button; "alasan": a form asking why; ...); None: no button
    panel: str | None = "tombol"
    # effect_many(ctxs): the effect for a set of records at once (apply_many); else effect(ctx) per record
    effect_many: Callable | None = None


def T(source, action, target, roles, guard=None, effect=None, label=None, style="primary", visible=None,
      fields=(), panel="tombol", effect_many=None):  # fmt: skip
    return Transition(
        source, action, target, frozenset(roles), guard, effect, label, style, visible, tuple(fields), panel,
        effect_many,
    )  # fmt: skip


class _Role:
    def __init__(self, name):
        self.name = name


class SystemActor:
    """The portal itself, acting when a deadline expires (Batal Otomatis and the like)."""

    id = None
    first_name = "Sistem"
    last_name = ""
    username = "sistem"
    satker_id = None
    penyedia_id = None
    is_authenticated = True
    roles = (_Role(ROLE_SISTEM),)


SYSTEM = SystemActor()


@dataclass
class Context:
    obj: object
    actor: object
    transition: Transition
    data: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Workflow:
    """A transition table with its model, labels and the party rule.

    (A docstring also keeps dataclass from rendering the lazy `noun` default at import.)"""

    entity: str
    model: type
    transitions: tuple
    labels: dict
    # party(obj, actor) -> bool: is the actor a party allowed to act on this object?
    party: Callable
    noun: object = _l("Data")
    # on_applied(ctx): notifications etc., inside the same transaction as the change
    on_applied: Callable | None = None
    # on_applied_many(ctxs): the same for a set of records (apply_many); else on_applied(ctx) per record
    on_applied_many: Callable | None = None

    def find(self, status, action):
        for t in self.transitions:
            if t.source == status and t.action == action:
                return t
        return None

    def actions(self):
        return sorted({t.action for t in self.transitions})

    def roles_for(self, action):
        return frozenset().union(*(t.roles for t in self.transitions if t.action == action))

    def fields_for(self, action):
        """Every input any row of this action accepts (what a view reads from the form)."""
        return tuple(dict.fromkeys(f for t in self.transitions if t.action == action for f in t.fields))

    def input(self, action, raw):
        """Only the fields the action's rows accept (so a stray `actor`, `note` or `expected_version` key in
        a form or JSON body can never reach apply())."""
        raw = raw if isinstance(raw, dict) else {}
        return {k: raw[k] for k in self.fields_for(action) if k in raw}

    def label(self, action):
        return next((t.label for t in self.transitions if t.action == action), action)

    def tabel(self):
        """The table as Markdown (states by their labels): what the README's state list is made from
        (`flask portal tabel <entity>`; a test keeps the README equal to it)."""
        out = ["| dari | aksi | ke | peran | isian | tombol |", "|---|---|---|---|---|---|"]
        for t in self.transitions:
            source, target = (str(self.labels.get(x, x)) for x in (t.source, t.target))
            fields = ", ".join(t.fields) or "-"
            out.append(
                f"| {source} | {t.action} | {target} | {', '.join(sorted(t.roles))} | {fields} | {t.panel or '-'} |"
            )
        return "\n".join(out)

    def panels(self, obj, actor):
        """{panel: {action: transition}} of the steps the actor may take now, for drawing the page."""
        out = {}
        for t in self.available(obj, actor):
            if t.panel is not None:
                out.setdefault(t.panel, {})[t.action] = t
        return out

    def where(self, actor, actions=None):
        """SQL: the rows on which the actor could take one of `actions` now (all actions when None) — the
        very test `available()` makes on one row (source state, role, party, visible), with the table's own
        party and visible functions called on the model class (they are written with app/services/predikat
        so one body reads a row or builds a clause). Callers add scoping.visible_clause."""
        roles = scoping.roles_of(actor)
        clauses = []
        for t in self.transitions:
            if (actions is None or t.action in actions) and roles & t.roles:
                visible = t.visible(self.model, actor) if t.visible else True
                part = predikat.semua(self.model.status == t.source, self.party(self.model, actor, t), visible)
                clauses.append(predikat.klausa(part))
        return predikat.klausa(predikat.salah_satu(*clauses))

    def available(self, obj, actor):
        """The transitions the actor could try now (drives the buttons shown)."""
        roles = scoping.roles_of(actor)
        out = []
        for t in self.transitions:
            if t.source == obj.status and roles & t.roles and self.party(obj, actor, t):
                if t.visible is None or t.visible(obj, actor):
                    out.append(t)
        return out


def _actor_role(actor, transition):
    roles = scoping.roles_of(actor) & transition.roles
    return sorted(roles)[0] if roles else None


def _check_action(wf, action, actor):
    """The action exists in the table and one of the actor's roles may ever take it (else 400/403)."""
    if action not in wf.actions():
        raise DomainError(_l("Aksi tidak dikenal."))
    if not (scoping.roles_of(actor) & wf.roles_for(action)):
        raise Forbidden(_l("Peran Anda tidak berwenang melakukan aksi ini."))


def _transition(wf, obj, action, actor):
    """The row the actor takes from the object's status (403 the other side's, 409 none now, 403 no party)."""
    rows = [t for t in wf.transitions if t.source == obj.status and t.action == action]
    mine = [t for t in rows if scoping.roles_of(actor) & t.roles]
    if rows and not mine:  # the step exists now, but it is the other side's to take
        raise Forbidden(_l("Peran Anda tidak berwenang melakukan aksi ini."))
    t = mine[0] if mine else None
    if t is None:
        raise Conflict(
            _l(
                "Aksi ini tidak dapat dilakukan karena status sekarang %(status)s.",
                status=wf.labels.get(obj.status, obj.status),
            )
        )
    if not wf.party(obj, actor, t):
        raise Forbidden(_l("Anda bukan pihak yang berwenang atas data ini."))
    return t


def apply(wf, obj_id, action, actor, expected_version=None, note=None, **data):
    try:
        obj = scoping.get_scoped(wf.model, obj_id, actor)
        _check_action(wf, action, actor)
        t = _transition(wf, obj, action, actor)
        if expected_version not in (None, "") and str(expected_version) != str(obj.version):
            raise Conflict(_l("Data ini baru saja diubah oleh pengguna lain. Muat ulang halaman lalu coba lagi."))
        data = {k: v for k, v in data.items() if k in t.fields}
        ctx = Context(obj=obj, actor=actor, transition=t, data=data)
        if t.guard:
            ctx.changes.update(t.guard(ctx) or {})
        version = obj.version
        now = clock.now()
        result = db.session.execute(
            update(wf.model)
            .where(wf.model.id == obj.id, wf.model.status == t.source, wf.model.version == version)
            .values(status=t.target, version=version + 1, updated_at=now, **ctx.changes)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise Conflict(_l("Data ini baru saja diubah oleh pengguna lain. Muat ulang halaman lalu coba lagi."))
        db.session.expire(obj)
        if t.effect:
            t.effect(ctx)
        if wf.on_applied:
            wf.on_applied(ctx)
        # A reason given with the action is the history's "why".
        note = note or (str(data["alasan"]).strip() if data.get("alasan") else None)
        audit.catat(wf.entity, obj.id, t.action, actor, t.source, t.target, note=note, role=_actor_role(actor, t))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(obj)
    return obj


def apply_many(wf, ids, action, actor):
    """apply() for a set of records, for the portal's own steps (the SYSTEM actor, deadline expiries): the
    same table rows, party rule and guards, then one compare-and-set UPDATE per group of records sharing
    (target, guard changes), the effects and on_applied for the set (effect_many / on_applied_many when the
    row or the table has them, else per record) and the audit rows in one insert. Does not commit: the
    caller commits once, with its own bookkeeping.

    Returns (applied ids, {id: message}) — a record refused by the rules or its guard, or changed by someone
    else meanwhile (apply()'s 409), is left out with the reason."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return [], {}
    try:
        _check_action(wf, action, actor)
    except DomainError as e:
        return [], dict.fromkeys(ids, str(e))
    model = wf.model
    objs = {
        o.id: o
        for o in db.session.execute(
            scoping.scoped_select(model, actor)
            .where(model.id.in_(ids))
            .execution_options(populate_existing=True)  # the compare-and-set needs the current version
        ).scalars()
    }
    errors = {i: str(NotFound().message) for i in ids if i not in objs}
    groups = {}  # (row index, guard changes) -> [Context]
    for i in ids:
        obj = objs.get(i)
        if obj is None:
            continue
        try:
            t = _transition(wf, obj, action, actor)
            ctx = Context(obj=obj, actor=actor, transition=t)
            if t.guard:
                ctx.changes.update(t.guard(ctx) or {})
        except DomainError as e:
            errors[i] = str(e)
            continue
        groups.setdefault((t.target, _frozen(ctx.changes, i)), []).append(ctx)
    now = clock.now()
    won = []
    for (target, _), ctxs in groups.items():
        changes = ctxs[0].changes
        # each record at the version and in the status its row was chosen from (rows from several states
        # going to one state share the UPDATE)
        seen = [(c.obj.id, c.obj.version, c.transition.source) for c in ctxs]
        applied = set(
            db.session.execute(
                update(model)
                .where(tuple_(model.id, model.version, model.status).in_(seen))
                .values(status=target, version=model.version + 1, updated_at=now, **changes)
                .returning(model.id)
                .execution_options(synchronize_session=False)
            ).scalars()
        )
        for c in ctxs:
            if c.obj.id not in applied:
                errors[c.obj.id] = str(_l(
                    "Data ini baru saja diubah oleh pengguna lain. Muat ulang halaman lalu coba lagi."
                ))  # fmt: skip
                continue
            # what the UPDATE wrote, as loaded state (apply() expires and reloads: one query per record)
            values = {"status": target, "version": c.obj.version + 1, "updated_at": now, **changes}
            for key, value in values.items():
                set_committed_value(c.obj, key, value)
            won.append(c)
    # rows sharing an effect_many run it once for all their records; a row's own effect runs per record
    by_effect = {}
    for c in won:
        t = c.transition
        by_effect.setdefault(t.effect_many or ("row", wf.transitions.index(t)), []).append(c)
    for key, ctxs in by_effect.items():
        if callable(key):
            key(ctxs)
        elif ctxs[0].transition.effect:
            for c in ctxs:
                c.transition.effect(c)
    if wf.on_applied_many:
        wf.on_applied_many(won)
    elif wf.on_applied:
        for c in won:
            wf.on_applied(c)
    audit.catat_many(
        [
            dict(entity=wf.entity, entity_id=c.obj.id, action=c.transition.action, actor=actor,
                 from_status=c.transition.source, to_status=c.transition.target,
                 role=_actor_role(actor, c.transition))
            for c in won
        ]
    )  # fmt: skip
    return [c.obj.id for c in won], errors


def _frozen(changes, record_id):
    """A hashable form of a guard's changes (records with equal changes share one UPDATE); an unhashable
    value keeps its record on an UPDATE of its own."""
    key = tuple(sorted(changes.items()))
    try:
        hash(key)
    except TypeError:
        return ("record", record_id)
    return key


def wajib_alasan(message=None, column="alasan", limit=2000):
    """A guard for the refusing steps: the reason is required and kept in `column` (and the history)."""

    def guard(ctx):
        alasan = (ctx.data.get("alasan") or "").strip()
        if not alasan:
            raise DomainError(message or _l("Alasan wajib diisi."))
        return {column: alasan[:limit]}

    return guard
