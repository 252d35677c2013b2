"""Every workflow table, row by row, through the services' own doors (EORDER, KATALOG, ADENDUM, PRODUK, PROFIL,
AKSES):

(a) the row's party takes it with valid input; the object reaches the row's target (version + 1, one audit row);
(b) everyone else, given the same valid input, is refused: Forbidden when they may see the object (the object's
    other parties, a second PP / PPK / Bendahara of the same satker, the Auditor, the Admin where it may not act,
    the portal itself on a person's step), NotFound when it is not theirs to see (another Penyedia company's user,
    officials of another satker); nothing changes (status, version, audit rows, outbox, documents);
(c) every (status, action) pair outside the table is refused: Conflict for whoever holds a role of that action,
    Forbidden for the others; nothing changes;
(d) apply() hands a row's guard only the fields the row accepts: unknown keys, other rows' fields, actor-like
    keys and the engine's own internal keys (`_signed`, `_lunas`, `_bendahara`, ...) never reach it, and a
    door does not pass the engine's own parameters (`note`, `wf`, `obj_id`) through;
and the rows' shape: a label wherever a button is drawn, `fields` a tuple of strings, one row per
(status, action, role).

No row is left out: the rows a person cannot take (panel None: Batal Otomatis, the bank's Pembayaran Diterima,
Kode Bayar Kedaluwarsa, Ditolak Otomatis) are taken by the portal (workflow.SYSTEM), as the deadline sweep and
the verified bank callback do.
"""

import dataclasses

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Adendum,
    AksesPengguna,
    AuditLog,
    Dokumen,
    EmailOutbox,
    KodeBayar,
    NegosiasiRonde,
    PengirimanEvent,
    Pesanan,
    PesananKatalog,
    Produk,
    ProfilPengguna,
)
from app.models.accounts import STATUS_AKSES, STATUS_VERIFIKASI
from app.models.catalog import STATUS_LISTING
from app.models.eorder import STATUS_PESANAN
from app.models.purchasing import STATUS_ADENDUM, STATUS_KATALOG
from app.services import catalog, eorder, katalog, scoping, verifikasi
from app.services.errors import Conflict, DomainError, Forbidden, NotFound
from app.services.katalog import adendum
from app.services.workflow import SYSTEM, apply
from tests.factories import PASS_PENYEDIA, PASS_PPK, pdf_bytes

SISTEM = "sistem"  # the `who` of the portal's own rows


def _count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _common_counts():
    return (_count(AuditLog), _count(EmailOutbox), _count(Dokumen))


class Tabel:
    """One workflow table and how to build, act on and inspect its objects in a test."""

    name = ""
    model = None
    module, attr = None, None  # where the door looks its Workflow up (test (d) swaps in a spying copy)

    @property
    def wf(self):
        return getattr(self.module, self.attr)

    def door(self, obj_id, action, actor, /, **data):
        raise NotImplementedError

    def states(self):
        raise NotImplementedError

    # (variant, who): the world a row needs (e.g. who asked for the cancellation) and the party taking it
    def cases(self, t):
        return [(None, who) for who in self.whos(t)]

    def whos(self, t):
        raise NotImplementedError

    def world(self, f, t, variant):
        raise NotImplementedError

    def obj(self, w):
        raise NotImplementedError

    def actor(self, w, who):
        return SYSTEM if who == SISTEM else w[who]

    def payload(self, f, w, t):
        return {}

    def outsiders(self, f, w, t, parties):
        """[(name, actor, the refusal expected)] of everyone who is not a party of row t in world w."""
        raise NotImplementedError

    def reach(self, f, state):
        raise NotImplementedError

    def insiders(self, w):
        """[(name, actor)] who may see an object in any status (for the pairs outside the table)."""
        raise NotImplementedError

    def snapshot(self, w):
        db.session.expire_all()
        obj = db.session.get(self.model, self.obj(w).id)
        return (obj.status, obj.version) + self.extra_snapshot(w, obj) + _common_counts()

    def extra_snapshot(self, w, obj):
        return ()


# --- E-Order --------------------------------------------------------------------------------------------


class EOrder(Tabel):
    name, model, module, attr = "EORDER", Pesanan, eorder, "EORDER"
    ANSWERS = ("setujui_pembatalan", "tolak_pembatalan")

    def door(self, obj_id, action, actor, /, **data):
        return eorder.jalankan(obj_id, action, actor, **data)

    def states(self):
        return list(STATUS_PESANAN)

    def whos(self, t):
        return [k for role, k in (("Pembeli", "pembeli"), ("Penyedia", "penyedia_user")) if role in t.roles]

    def cases(self, t):
        if t.action in self.ANSWERS:  # the other side of whoever asked answers
            return [("pembeli", "penyedia_user"), ("penyedia_user", "pembeli")]
        return super().cases(t)

    def world(self, f, t, variant):
        until = {"draft": "detail", "dikirim": "dokumen"}.get(t.source, t.source)
        if t.action == "upload_dokumen":
            until = "dikirim"
        w = f.scenario(until=until)
        if t.action in self.ANSWERS:
            eorder.jalankan(w["pesanan"].id, "ajukan_pembatalan", w[variant], alasan="Kegiatan diundur")
        w["rekan"] = f.pembeli(satker=w["pesanan"].satker)  # a colleague buyer of the same BUMD
        return w

    def obj(self, w):
        return w["pesanan"]

    def payload(self, f, w, t):
        if t.action == "isi_detail":
            return f.detail(w["pembeli"])
        if t.action == "upload_dokumen":
            return {"jenis": "invoice", "data": pdf_bytes("Invoice"), "filename": "invoice.pdf"}
        if t.action == "konfirmasi_penerimaan":
            return {"jumlah_sesuai": True, "kondisi_baik": True, "waktu_tempat_sesuai": True, "catatan": "Lengkap"}
        if t.action == "beri_penilaian":
            return {"bintang": 5, "ulasan": "Mantap"}
        if "alasan" in t.fields:
            return {"alasan": "Alasan uji"}
        return {}

    def outsiders(self, f, w, t, parties):
        p = w["pesanan"]
        draft = t.source == "draft"
        out = [
            ("auditor", f.user("Auditor"), Forbidden),
            ("admin", f.user("Admin"), Forbidden),
            # a Draft is its buyer's own: nobody else of the satker even sees it
            ("ppk satker sama", f.user("PPK", satker=p.satker), NotFound if draft else Forbidden),
            ("pp satker sama", f.user("PP", satker=p.satker), NotFound if draft else Forbidden),
            ("pembeli satker lain", f.pembeli(), NotFound),
            ("penyedia lain", f.penyedia_user(), NotFound),
            ("sistem", SYSTEM, Forbidden),
        ]
        # the order's own buyer side: a colleague is a party of an ordered order, never of another's cart
        pembeli_party = "pembeli" in parties
        if not pembeli_party or draft:
            out.append(("rekan pembeli", w["rekan"], NotFound if draft else Forbidden))
        if not pembeli_party:
            out.append(("pembeli", w["pembeli"], Forbidden))
        if "penyedia_user" not in parties:
            out.append(("penyedia", w["penyedia_user"], NotFound if draft else Forbidden))
        return out

    def reach(self, f, state):
        if state == "dibatalkan":
            w = f.scenario(until="dipesan")
            eorder.jalankan(w["pesanan"].id, "tolak", w["penyedia_user"], alasan="Bahan habis")
            return w
        return f.scenario(until="detail" if state == "draft" else state)

    def insiders(self, w):
        out = [("pembeli", w["pembeli"]), ("sistem", SYSTEM)]
        if w["pesanan"].status != "draft":  # a cart is not the supplier's business
            out.append(("penyedia", w["penyedia_user"]))
        return out

    def extra_snapshot(self, w, obj):
        stock = tuple(db.session.execute(select(Produk.stok).order_by(Produk.id)).scalars())
        return (obj.total, obj.pembatalan_oleh, obj.alamat_id, stock)


# --- Katalog --------------------------------------------------------------------------------------------

# What a row needs of the order beyond its status (the factory's options)
KATALOG_SETUP = {
    ("diproses_penyedia", "minta_pickup"): dict(opsi_kirim="pihak_ketiga", kurir_nama="JNE", ongkir_estimasi=50_000),
    ("pesanan_tiba", "ttd_bast"): dict(ttd_bast=False),
    ("ls_dokumen", "lanjutkan_bayar"): dict(dokumen_ls=True),
    ("dikembalikan", "unggah_faktur"): dict(metode="ls"),
    ("dikembalikan", "unggah_bukti_potong"): dict(metode="ls"),
    ("kkp_menunggu", "lunas"): dict(pemegang="lain"),
    ("kkp_menunggu", "kirim_ulang_tautan"): dict(pemegang="lain"),
}
KATALOG_WHO = {"PP": "pp", "PPK": "ppk", "Penyedia": "supplier", "Bendahara": "bendahara", "Sistem": SISTEM}


def katalog_payload(w, t):
    """Valid input for a Katalog row (the same the service tests and the views give)."""
    p, a = w["pesanan"], t.action
    item = p.items[0]
    if a in ("ajukan_nego", "tawar"):
        return {"harga": {item.id: 85_000}, "catatan": "Harga uji"}
    if a in ("batalkan", "tolak_ppk", "kembalikan"):
        return {"alasan": "Alasan uji"}
    if a == "buat_pesanan":
        return {"passphrase": PASS_PPK, "klausul": "Barang dikemas per ruangan."}
    if a in ("ttd_sp", "ttd_bast"):
        return {"passphrase": PASS_PENYEDIA}
    if a in ("kirim", "catat_pengiriman"):
        return {"lokasi": "Gudang Cakung", "status": "Barang dikirim"}
    if a == "terima_barang":
        periksa = {i.id: {"qty_diterima": i.qty, "kondisi": "Baik", "sesuai": True} for i in p.items}
        return {"periksa": periksa, "passphrase": PASS_PPK}
    if a == "pilih_kkp":
        return {"pemegang": "ppk"}
    if a == "unggah_faktur":
        return {"berkas": pdf_bytes("Faktur"), "nama_berkas": "faktur.pdf", "jenis_tagihan": "faktur_pajak"}
    if a == "unggah_bukti_potong":
        return {"jenis_pph": "pph22", "jumlah_pph": "13.500", "berkas": pdf_bytes("Bukti"), "nama_berkas": "bp.pdf"}
    if a == "ajukan_bendahara":
        ls = katalog.pihak.pembayaran_of(p).metode == "ls"
        return {"bendahara_id": (w["bud"] if ls else w["bp"]).id}
    if a == "konfirmasi_bayar":
        return {"dokumen_diperiksa": "1"}
    if a == "lunas" and t.source == "kode_bayar_terbit":
        kode = w["kode"]
        return {"kode": kode.kode, "jumlah": kode.jumlah, "referensi": "BANK-REF-1", "oleh": "Bank"}
    if a == "lunas":
        return {"token": w["kkp_token"], "setuju": "1"}
    if a == "bayar_kkp":
        return {"setuju": "1"}
    return {}


class Katalog(Tabel):
    name, model, module, attr = "KATALOG", PesananKatalog, katalog, "KATALOG"

    def door(self, obj_id, action, actor, /, **data):
        return katalog.jalankan(obj_id, action, actor, **data)

    def states(self):
        return list(STATUS_KATALOG)

    def whos(self, t):
        return [KATALOG_WHO[r] for r in sorted(t.roles)]

    def world(self, f, t, variant):
        return f.katalog(t.source, **KATALOG_SETUP.get((t.source, t.action), {}))

    def obj(self, w):
        return w["pesanan"]

    def payload(self, f, w, t):
        return katalog_payload(w, t)

    def outsiders(self, f, w, t, parties):
        satker, other = w["satker"], f.satker("satker")
        row = katalog.pihak.pembayaran_of(w["pesanan"])
        akses = "bud" if row is not None and row.metode == "ls" else "bendahara_pengeluaran"
        out = [
            # officials of the order's own satker who are not its parties: they see it, take none of its steps
            ("pp lain satker sama", f.user("PP", satker=satker), Forbidden),
            ("ppk lain satker sama", f.tte(f.user("PPK", satker=satker), PASS_PPK), Forbidden),
            ("bendahara lain satker sama", f.bendahara(satker, akses), Forbidden),
            ("auditor", f.user("Auditor"), Forbidden),
            ("admin", f.user("Admin"), Forbidden),
            ("penyedia lain", f.tte(f.penyedia_user(), PASS_PENYEDIA), NotFound),
            ("pp satker lain", f.user("PP", satker=other), NotFound),
            ("ppk satker lain", f.tte(f.user("PPK", satker=other), PASS_PPK), NotFound),
            ("bendahara satker lain", f.bendahara(other, akses), NotFound),
        ]
        own = [("pp", w["pp"]), ("ppk", w["ppk"]), ("supplier", w["supplier"]), (SISTEM, SYSTEM)]
        chosen = w.get("bendahara")
        own += [(k, w[k]) for k in ("bp", "bud") if k in w and (chosen is None or w[k].id != chosen.id)]
        if chosen is not None:
            own.append(("bendahara", chosen))
        return out + [(f"{k} pesanan ini", u, Forbidden) for k, u in own if k not in parties]

    def reach(self, f, state):
        return f.katalog(state)

    def insiders(self, w):
        out = [("pp", w["pp"]), ("ppk", w["ppk"]), ("supplier", w["supplier"]), ("sistem", SYSTEM)]
        return out + [(k, w[k]) for k in ("bp", "bud") if k in w]

    def extra_snapshot(self, w, obj):
        row = katalog.pihak.pembayaran_of(obj)
        pay = None
        if row is not None:
            pay = (row.metode, row.bendahara_id, row.tagihan_dokumen_id, row.bukti_potong_dokumen_id,
                   row.tanpa_bukti_potong, row.kkp_token_hash, row.dibayar_at)  # fmt: skip
        counts = tuple(_count(m, m.pesanan_id == obj.id) for m in (KodeBayar, NegosiasiRonde, PengirimanEvent))
        return (obj.total, obj.sp_dokumen_id, obj.bast_dokumen_id, obj.pickup_diminta_at, obj.alasan, pay) + counts


# --- Adendum --------------------------------------------------------------------------------------------


class AdendumTabel(Tabel):
    name, model, module, attr = "ADENDUM", Adendum, adendum, "ADENDUM"

    def door(self, obj_id, action, actor, /, **data):
        return adendum.jawab(obj_id, action, actor, **data)

    def states(self):
        return list(STATUS_ADENDUM)

    def cases(self, t):
        if "Sistem" in t.roles:
            return [("ppk", SISTEM)]
        # the other side of the proposer answers: the Penyedia a PPK's addendum, the PPK a Penyedia's
        return [("ppk", "supplier"), ("penyedia", "ppk")]

    def world(self, f, t, variant):
        return f.adendum(pengusul=variant)

    def obj(self, w):
        return w["adendum"]

    def payload(self, f, w, t):
        if t.action == "terima":
            return {"passphrase": PASS_PPK if w["penjawab"].id == w["ppk"].id else PASS_PENYEDIA}
        if t.action == "tolak":
            return {"alasan": "Tidak sesuai anggaran"}
        return {}

    def outsiders(self, f, w, t, parties):
        satker, other = w["satker"], f.satker("satker")
        out = [
            ("ppk lain satker sama", f.tte(f.user("PPK", satker=satker), PASS_PPK), Forbidden),
            ("pp pesanan ini", w["pp"], Forbidden),
            ("bendahara satker sama", f.bendahara(satker), Forbidden),
            ("auditor", f.user("Auditor"), Forbidden),
            ("admin", f.user("Admin"), Forbidden),
            ("penyedia lain", f.tte(f.penyedia_user(), PASS_PENYEDIA), NotFound),
            ("ppk satker lain", f.tte(f.user("PPK", satker=other), PASS_PPK), NotFound),
        ]
        own = [("ppk", w["ppk"]), ("supplier", w["supplier"]), (SISTEM, SYSTEM)]
        return out + [(f"{k} pesanan ini", u, Forbidden) for k, u in own if k not in parties]

    def reach(self, f, state):
        return f.adendum(until=state)

    def insiders(self, w):
        return [("ppk", w["ppk"]), ("supplier", w["supplier"]), ("pp", w["pp"]), ("sistem", SYSTEM)]

    def extra_snapshot(self, w, obj):
        p = db.session.get(PesananKatalog, obj.pesanan_id)
        return (obj.alasan, obj.dokumen_id, p.status, p.version, p.total, p.ongkir)


# --- Produk ---------------------------------------------------------------------------------------------


class ProdukTabel(Tabel):
    name, model, module, attr = "PRODUK", Produk, catalog, "PRODUK"

    def door(self, obj_id, action, actor, /, **data):
        return catalog.jalankan(obj_id, action, actor, **data)

    def states(self):
        return list(STATUS_LISTING)

    def whos(self, t):
        return [k for role, k in (("Penyedia", "supplier"), ("Admin", "admin")) if role in t.roles]

    def world(self, f, t, variant):
        return self.reach(f, t.source)

    def obj(self, w):
        return w["produk"]

    def payload(self, f, w, t):
        return {"alasan": "Foto produk buram"} if t.action == "tolak" else {}

    def outsiders(self, f, w, t, parties):
        tayang = t.source == "tayang"  # buyers see only what is Tayang
        out = [
            ("penyedia lain", f.penyedia_user(), NotFound),
            ("auditor", f.user("Auditor"), Forbidden),
            ("pembeli", f.pembeli(), Forbidden if tayang else NotFound),
            ("pp", f.user("PP", satker=f.satker("satker")), Forbidden if tayang else NotFound),
            ("sistem", SYSTEM, Forbidden),
        ]
        if "admin" not in parties:
            out.append(("admin", w["admin"], Forbidden))
        if "supplier" not in parties:
            out.append(("penyedia produk ini", w["supplier"], Forbidden))
        return out

    def reach(self, f, state):
        penyedia = f.penyedia()
        return dict(penyedia=penyedia, supplier=f.penyedia_user(penyedia), admin=f.user("Admin"),
                    produk=f.produk(penyedia, status=state))  # fmt: skip

    def insiders(self, w):
        return [("supplier", w["supplier"]), ("admin", w["admin"]), ("sistem", SYSTEM)]

    def extra_snapshot(self, w, obj):
        return (obj.alasan_tolak,)


# --- Verifikasi Profil and Akses ------------------------------------------------------------------------


class Verifikasi(Tabel):
    module = verifikasi

    def whos(self, t):
        return ["verifikator", "admin"]

    def world(self, f, t, variant):
        return self.reach(f, t.source)

    def payload(self, f, w, t):
        return {"alasan": "Dokumen buram"} if t.action in ("tolak", "cabut") else {}

    def outsiders(self, f, w, t, parties):
        return [
            ("pemohon sendiri", w["pemohon"], Forbidden),  # nobody verifies themselves
            ("verifikator instansi lain", f.user("Verifikator", satker=f.satker("skpd")), NotFound),
            ("auditor", f.user("Auditor"), NotFound),  # identity documents are not for oversight
            ("pp satker itu", f.user("PP", satker=w["satker"]), NotFound),
            ("penyedia", f.penyedia_user(), NotFound),
            ("sistem", SYSTEM, Forbidden),
        ]

    def insiders(self, w):
        return [("verifikator", w["verifikator"]), ("admin", w["admin"]), ("sistem", SYSTEM)]

    def extra_snapshot(self, w, obj):
        user = w["pemohon"]
        db.session.refresh(user)
        return (obj.alasan, user.first_name, user.satker_id, tuple(sorted(user.role_names)))


class Profil(Verifikasi):
    name, model, attr = "PROFIL", ProfilPengguna, "PROFIL"

    def door(self, obj_id, action, actor, /, **data):
        return verifikasi.putuskan_profil(obj_id, action, actor, **data)

    def states(self):
        return list(STATUS_VERIFIKASI)

    def obj(self, w):
        return w["profil"]

    def reach(self, f, state):
        w = f.profil(state)
        w["admin"] = f.user("Admin")
        return w


class Akses(Verifikasi):
    name, model, attr = "AKSES", AksesPengguna, "AKSES"

    def door(self, obj_id, action, actor, /, **data):
        return verifikasi.putuskan_akses(obj_id, action, actor, **data)

    def states(self):
        return list(STATUS_AKSES)

    def obj(self, w):
        return w["akses"]

    def reach(self, f, state):
        w = f.akses(state)
        w["admin"] = f.user("Admin")
        return w


TABLES = (EOrder(), Katalog(), AdendumTabel(), ProdukTabel(), Profil(), Akses())


def _rid(tabel, t):
    return f"{tabel.name}:{t.source}-{t.action}"


ROW_CASES = [
    pytest.param(tabel, t, variant, who, id=f"{_rid(tabel, t)}[{who}{'/' + variant if variant else ''}]")
    for tabel in TABLES
    for t in tabel.wf.transitions
    for variant, who in tabel.cases(t)
]
# one case per row and world variant: every party of it, against everyone else
WORLD_CASES = [
    pytest.param(
        tabel,
        t,
        variant,
        [w for v, w in tabel.cases(t) if v == variant],
        id=_rid(tabel, t) + (f"[{variant}]" if variant else ""),
    )  # fmt: skip
    for tabel in TABLES
    for t in tabel.wf.transitions
    for variant in dict.fromkeys(v for v, _ in tabel.cases(t))
]
# one party per row for what reaches the guard
FIRST_CASES = [
    pytest.param(tabel, t, *tabel.cases(t)[0], id=_rid(tabel, t)) for tabel in TABLES for t in tabel.wf.transitions
]
STATE_CASES = [
    pytest.param(tabel, state, id=f"{tabel.name}:{state}")
    for tabel in TABLES
    for state in tabel.states()
    if any(tabel.wf.find(state, a) is None for a in tabel.wf.actions())
]


def _last_audit(tabel, obj_id):
    return db.session.execute(
        select(AuditLog)
        .where(AuditLog.entity == tabel.wf.entity, AuditLog.entity_id == obj_id)
        .order_by(AuditLog.id.desc())
        .limit(1)
    ).scalar_one()


def _refusal(call):
    """The DomainError subclass `call` raised, or None when it went through."""
    try:
        call()
    except DomainError as e:
        return type(e)
    return None


# --- (a) the row's party takes it --------------------------------------------------------------------------


@pytest.mark.parametrize("tabel,t,variant,who", ROW_CASES)
def test_the_party_takes_the_row(f, tabel, t, variant, who):
    w = tabel.world(f, t, variant)
    obj = tabel.obj(w)
    assert obj.status == t.source
    data = tabel.payload(f, w, t)
    version = obj.version
    obj = tabel.door(obj.id, t.action, tabel.actor(w, who), **data)
    assert (obj.status, obj.version) == (t.target, version + 1)
    audit = _last_audit(tabel, obj.id)
    assert (audit.action, audit.from_status, audit.to_status) == (t.action, t.source, t.target)


# --- (b) everyone else is refused and nothing changes ------------------------------------------------------


@pytest.mark.parametrize("tabel,t,variant,parties", WORLD_CASES)
def test_everyone_else_is_refused(f, tabel, t, variant, parties):
    w = tabel.world(f, t, variant)
    obj_id = tabel.obj(w).id
    data = tabel.payload(f, w, t)
    outsiders = tabel.outsiders(f, w, t, parties)
    before = tabel.snapshot(w)
    wrong = []
    for name, actor, expected in outsiders:
        got = _refusal(lambda actor=actor: tabel.door(obj_id, t.action, actor, **data))
        if got is not expected:
            wrong.append(f"{name}: expected {expected.__name__}, got {getattr(got, '__name__', 'no refusal')}")
        if tabel.snapshot(w) != before:
            wrong.append(f"{name}: the refusal changed something")
            break
    assert not wrong, wrong


# --- (c) the pairs outside the table ------------------------------------------------------------------------


@pytest.mark.parametrize("tabel,state", STATE_CASES)
def test_pairs_outside_the_table_are_refused(f, tabel, state):
    w = tabel.reach(f, state)
    obj_id = tabel.obj(w).id
    assert tabel.obj(w).status == state
    before = tabel.snapshot(w)
    wf, wrong = tabel.wf, []
    outside = [a for a in wf.actions() if wf.find(state, a) is None]
    for action in outside:
        for name, actor in tabel.insiders(w):
            expected = Conflict if scoping.roles_of(actor) & wf.roles_for(action) else Forbidden
            got = _refusal(lambda action=action, actor=actor: tabel.door(obj_id, action, actor, alasan="Uji"))
            if got is not expected:
                wrong.append(f"({state}, {action}) by {name}: expected {expected.__name__}, "
                             f"got {getattr(got, '__name__', 'no refusal')}")  # fmt: skip
    assert not wrong, wrong
    assert tabel.snapshot(w) == before


# --- (d) what reaches a guard ------------------------------------------------------------------------------

# the engine's own keys (what guards leave for their effects) and keys naming people, statuses, orders
INTERNAL = {
    "_signed": b"%PDF-palsu",
    "_nomor": "SP/PALSU",
    "_prices": {},
    "_ongkir": 0,
    "_event": {},
    "_rows": [],
    "_rincian": None,
    "_pemegang": ("Palsu", "palsu@uji.local"),
    "_berkas": None,
    "_bukti": None,
    "_bendahara": None,
    "_kode": None,
    "_lunas": {"referensi": "PALSU", "oleh": "Palsu", "kode": None},
    "_token": True,
    "_figures": {},
    "_version": 0,
}
ACTOR_LIKE = {"status": "selesai", "version": 999, "user_id": 1, "pp_id": 1, "ppk_id": 1, "penyedia_id": 1,
              "bendahara_id": 1, "oleh": "Palsu", "bukan_isian": "x"}  # fmt: skip


def _spying(wf, seen):
    """The workflow with each guard wrapped to record what reaches it (then doing what it did)."""

    def spy(guard):
        def wrapped(ctx):
            seen.append(dict(ctx.data))
            return guard(ctx) if guard else {}

        return wrapped

    rows = tuple(dataclasses.replace(t, guard=spy(t.guard)) for t in wf.transitions)
    return dataclasses.replace(wf, transitions=rows)


def _junk(tabel, t):
    """Keys row t does not accept: the engine's internal ones, actor-like ones, other rows' fields."""
    others = {k: "x" for k in set().union(*(r.fields for r in tabel.wf.transitions)) - set(t.fields)}
    actor_like = {k: v for k, v in ACTOR_LIKE.items() if k not in t.fields}  # e.g. `oleh` is the bank's to give
    return {**INTERNAL, **actor_like, **others}


@pytest.mark.parametrize("tabel,t,variant,who", FIRST_CASES)
def test_apply_hands_the_guard_only_the_rows_fields(f, tabel, t, variant, who):
    w = tabel.world(f, t, variant)
    payload = tabel.payload(f, w, t)
    seen = []
    data = {**_junk(tabel, t), **payload}
    obj = apply(_spying(tabel.wf, seen), tabel.obj(w).id, t.action, tabel.actor(w, who), **data)
    assert seen == [{k: v for k, v in payload.items() if k in t.fields}]
    assert obj.status == t.target


# a person's row of each table with an easy world and no reason (whose text would be the audit note)
PLAIN_ROWS = {
    "EORDER": ("dipesan", "konfirmasi", "penyedia_user"),
    "KATALOG": ("nego_selesai", "ajukan_ppk", "pp"),
    "ADENDUM": ("diajukan", "terima", "supplier"),
    "PRODUK": ("draft", "ajukan", "supplier"),
    "PROFIL": ("menunggu", "setujui", "verifikator"),
    "AKSES": ("menunggu", "setujui", "verifikator"),
}


@pytest.mark.parametrize("tabel", TABLES, ids=lambda tabel: tabel.name)
def test_a_door_passes_on_only_the_rows_fields(f, monkeypatch, tabel):
    """The services' doors (jalankan, jawab, putuskan_*) are what views, the API and jobs call with a form or
    JSON body: neither the engine's own parameters (`note`, `wf`, `obj_id`) nor stray keys get through."""
    source, action, who = PLAIN_ROWS[tabel.name]
    t = tabel.wf.find(source, action)
    variant = next(v for v, x in tabel.cases(t) if x == who)
    w = tabel.world(f, t, variant)
    payload = tabel.payload(f, w, t)
    data = {**_junk(tabel, t), "note": "catatan palsu", "wf": "x", "obj_id": 999_999, **payload}
    seen = []
    monkeypatch.setattr(tabel.module, tabel.attr, _spying(tabel.wf, seen))
    try:
        obj = tabel.door(tabel.obj(w).id, action, tabel.actor(w, who), **data)
    except TypeError as e:
        pytest.fail(f"the door hands its keyword arguments to apply() unfiltered: {e}")
    assert seen == [payload]
    assert obj.status == t.target
    assert _last_audit(tabel, obj.id).note != "catatan palsu"


# --- the rows' shape ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("tabel", TABLES, ids=lambda tabel: tabel.name)
def test_the_rows_are_well_formed(tabel):
    wf, seen = tabel.wf, {}
    for t in wf.transitions:
        assert t.source in wf.labels and t.target in wf.labels, t
        assert isinstance(t.fields, tuple) and all(isinstance(x, str) and x for x in t.fields), t
        assert len(set(t.fields)) == len(t.fields), t
        if t.panel is not None:
            assert t.label is not None and str(t.label).strip(), t
        for role in t.roles:  # one row per (status, action, role): apply() takes the first that matches
            assert (t.source, t.action, role) not in seen, (t, seen[(t.source, t.action, role)])
            seen[(t.source, t.action, role)] = t
