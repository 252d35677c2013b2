"""Katalog v6 e-purchasing (SPEC §6): one transition table assembled from the steps' rows, and the one door
(`jalankan`) every view, the API, the jobs and the tests use.

The steps, one module each, in the order an order takes them:
  checkout        the PP orders against a RUP (creates the order; not a transition)
  negosiasi       price rounds PP <-> Penyedia, to the PPK; the PP-Penyedia chat
  surat_pesanan   the PPK's decision, the SP signed by the PPK then the Penyedia
  pengiriman      shipping events, pickup, Lacak Pengiriman
  bast            inspection and the BAST signed by the PPK then the Penyedia
  penilaian       the PPK's ratings (not a transition)
  adendum         changes to a signed SP: a workflow of its own (ADENDUM)
  pembayaran      LS, UP kode bayar, UP KKP
and the shared modules they import: bersama (row helper, waits, letters), angka (amounts, RUP, stock),
pihak (the party rule and who acts next), bank (callback bookkeeping, KKP link), antrean (page queries),
pratinjau_ttd (the letter read before it is signed).
No step imports this package; each step's ROWS are its part of the table.
"""

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import CallbackPembayaran, KodeBayar, PesananKatalog
from app.models.purchasing import STATUS_KATALOG

from .. import clock, deadlines, gateway, scoping
from ..errors import Conflict, DomainError, Forbidden, NotFound
from ..workflow import SYSTEM, Workflow, apply, apply_many
from . import (
    adendum,
    angka,
    antrean,
    bank,
    bast,
    bersama,
    checkout,
    halaman,
    negosiasi,
    pembayaran,
    pengiriman,
    penilaian,
    pihak,
    pratinjau_ttd,
    surat_pesanan,
)

__all__ = ["KATALOG", "jalankan", "adendum", "angka", "antrean", "bank", "bast", "bersama", "checkout", "halaman"]
__all__ += ["negosiasi", "pembayaran", "penilaian", "pengiriman", "pihak", "pratinjau_ttd", "surat_pesanan"]

KATALOG = Workflow(
    entity=bersama.ENTITY,
    model=PesananKatalog,
    transitions=negosiasi.ROWS + surat_pesanan.ROWS + pengiriman.ROWS + bast.ROWS + pembayaran.ROWS,
    labels=STATUS_KATALOG,
    party=pihak.is_party,
    noun=_l("Pesanan"),
    on_applied=pihak.beri_tahu,
    on_applied_many=pihak.beri_tahu_many,
)


def jalankan(pesanan_id, action, actor, expected_version=None, **data):
    """One step of a Katalog order by a person; only the fields the action's rows accept pass."""
    return apply(KATALOG, pesanan_id, action, actor, expected_version=expected_version, **KATALOG.input(action, data))


def halaman_detail(p, user):
    """The order page's context for this user (buttons from the table's rows, by panel)."""
    return halaman.detail(KATALOG, p, user)


# the letters read before they are signed (pratinjau_ttd), by the step that signs them
PRATINJAU = {"sp": "buat_pesanan", "bast": "terima_barang"}


def _boleh_langkah(p, action, actor):
    """May the actor take `action` on the order now: apply()'s own checks (role, state, party, visible),
    without taking it."""
    roles = scoping.roles_of(actor)
    if not roles & KATALOG.roles_for(action):
        raise Forbidden(_l("Peran Anda tidak berwenang melakukan aksi ini."))
    rows = [t for t in KATALOG.transitions if t.source == p.status and t.action == action]
    mine = [t for t in rows if roles & t.roles]
    if rows and not mine:
        raise Forbidden(_l("Peran Anda tidak berwenang melakukan aksi ini."))
    if not mine:
        status = KATALOG.labels.get(p.status, p.status)
        raise Conflict(_l("Aksi ini tidak dapat dilakukan karena status sekarang %(status)s.", status=status))
    if not KATALOG.party(p, actor, mine[0]) or (mine[0].visible and not mine[0].visible(p, actor)):
        raise Forbidden(_l("Anda bukan pihak yang berwenang atas data ini."))


def pratinjau_dokumen(pesanan_id, jenis, actor, data):
    """(filename, unsigned PDF bytes) of the letter the actor is about to sign — "sp" (Buat Pesanan: `klausul`),
    "bast" (Pesanan Tiba: `periksa`, `bast_nomor`) or "adendum" (`data` is the addendum's changes) — made by
    the very function its signing step uses. Only for whom may take that step now; changes nothing."""
    if jenis == "adendum":
        return adendum.pratinjau_surat(pesanan_id, actor, data)
    action = PRATINJAU.get(jenis)
    if action is None:
        raise NotFound()
    p = scoping.get_scoped(PesananKatalog, pesanan_id, actor)
    _boleh_langkah(p, action, actor)
    data = KATALOG.input(action, data)
    if jenis == "sp":
        return surat_pesanan.pratinjau_sp(p, data.get("klausul"))
    return bast.pratinjau_bast(p, data.get("periksa"), data.get("bast_nomor"))


# --- the portal's own steps: the bank's callback and the KKP holder's link --------------------------


def terima_callback(body, headers):
    """A bank/gateway "paid" notification: verified (HMAC, age), processed once per event id.

    Returns {"hasil": "lunas" | "duplikat", ...}; raises CallbackDitolak (401) for a forged or stale one,
    NotFound for an unknown code, Conflict for a code already paid or expired (nothing changes then)."""
    data = gateway.gateway().verifikasi_callback(body, headers)
    seen = db.session.execute(
        select(CallbackPembayaran.id).where(CallbackPembayaran.event_id == data["event_id"])
    ).first()
    if seen:
        return {"hasil": "duplikat", "event_id": data["event_id"]}
    kode = db.session.execute(select(KodeBayar).where(KodeBayar.kode == data["referensi"])).scalar_one_or_none()
    if kode is None:
        bank.catat_ditolak(data, 0, _l("Kode bayar tidak dikenal."))
        raise NotFound(_l("Kode bayar tidak dikenal."))
    pesanan_id, nomor = kode.pesanan_id, kode.pesanan.nomor
    db.session.add(
        CallbackPembayaran(
            event_id=data["event_id"],
            referensi=data["referensi"],
            jumlah=data["jumlah"],
            diterima_at=clock.now(),
            body=body.decode("utf-8", "replace")[:4000],
        )  # fmt: skip
    )
    try:
        apply(
            KATALOG,
            pesanan_id,
            "lunas",
            SYSTEM,
            note=f"kode bayar {data['referensi']}, referensi bank {data['referensi_bank']}",
            kode=data["referensi"],
            jumlah=data["jumlah"],
            referensi=data["referensi_bank"],
            oleh="Bank",
        )
    except IntegrityError:  # the same event processed at this very moment by another worker
        db.session.rollback()
        return {"hasil": "duplikat", "event_id": data["event_id"]}
    except DomainError as e:  # a code paid or expired meanwhile: the money moved at the bank all the same
        db.session.rollback()
        bank.catat_ditolak(data, pesanan_id, e)
        raise
    return {"hasil": "lunas", "pesanan": nomor, "event_id": data["event_id"]}


def simulasikan_lunas(kode_id, actor):
    """The "Bayar (Simulasi Bank)" button: the simulator builds the bank's signed callback, which then goes
    through terima_callback like any other. Only the order's Bendahara, only while simulation is on."""
    kode = db.session.get(KodeBayar, scoping.as_id(kode_id)) if scoping.as_id(kode_id) else None
    if kode is None:
        raise NotFound()
    p = scoping.get_scoped(PesananKatalog, kode.pesanan_id, actor)
    if pihak.bendahara_id(p) != actor.id:
        raise Forbidden(_l("Hanya Bendahara pesanan ini yang membayar kode bayarnya."))
    gw = gateway.gateway()
    if not getattr(gw, "simulasi", False):
        raise Forbidden(_l("Simulasi pembayaran tidak aktif."))
    body, headers = gw.simulasikan_lunas(kode.kode, kode.jumlah)
    return terima_callback(body, headers)


def bayar_dengan_tautan(token, setuju):
    """The other KKP holder pays through the emailed single-use link (no login: the link is the credential)."""
    row, p = bank.cek_tautan(token)
    return apply(
        KATALOG,
        p.id,
        "lunas",
        SYSTEM,
        note=f"KKP oleh {row.kkp_nama} <{row.kkp_email}> melalui tautan",
        token=token,
        setuju=setuju,
    )


# --- deadlines ---------------------------------------------------------------------------------------


def _expire_many(action):
    """on_expiry_many of the order's deadlines: `action` taken by the portal on the set (apply_many); the
    sweep commits. Two due deadlines of one order go in turns, so the second meets the order's new status
    and is refused as apply() would refuse it."""

    def expire(rows):
        refused, pending = {}, list(rows)
        while pending:
            first, rest = {}, []
            for r in pending:
                if r.entity_id in first:
                    rest.append(r)
                else:
                    first[r.entity_id] = r.id
            _, errors = apply_many(KATALOG, list(first), action, SYSTEM)
            refused.update({first[e]: why for e, why in errors.items()})
            pending = rest
        return refused

    return expire


def init_app(app):
    """Register the deadline kinds: each expiry is a step of the table, taken by the portal."""

    def batal(row):
        apply(KATALOG, row.entity_id, "batal_otomatis", SYSTEM)

    def kode_kedaluwarsa(row):
        apply(KATALOG, row.entity_id, "kode_kedaluwarsa", SYSTEM)

    with app.app_context():
        hours = current_app.config.get("DEADLINE_REMINDER_HOURS", (24, 3))
        batal_many, kode_many = _expire_many("batal_otomatis"), _expire_many("kode_kedaluwarsa")
        for kind in bersama.WAITS:
            deadlines.register(
                kind, batal, pihak.pengingat, hours, on_expiry_many=batal_many, recipients_many=pihak.pengingat_many
            )
        deadlines.register("kode_bayar", kode_kedaluwarsa, pembayaran.pengingat_kode, hours, on_expiry_many=kode_many)
    adendum.init_app(app)
