"""The home page's read model: per role of the user, each queue that waits on them, with its count, its oldest
items, each item's deadline and a link.

A queue's membership is the transition table's own test (Workflow.where: the step's source state, role,
party and visible rules, called on the model class) inside the one scoping rule (scoping.visible_clause),
so "orders to confirm" is exactly the orders on which the Penyedia's Konfirmasi button would show. The cost
is fixed whatever the data: one statement for every count (capped at CAP, shown as "CAP+"), then one per
queue for its oldest items with their relations joined.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import (
    Adendum,
    AksesPengguna,
    Deadline,
    EmailOutbox,
    KeranjangKatalog,
    KodeBayar,
    Pesanan,
    PesananKatalog,
    Produk,
    ProfilPengguna,
)
from app.models.catalog import STATUS_LISTING
from app.roles import (
    ROLE_ADMIN,
    ROLE_AUDITOR,
    ROLE_BENDAHARA,
    ROLE_MANAJEMEN,
    ROLE_PEMBELI,
    ROLE_PENYEDIA,
    ROLE_PP,
    ROLE_PPK,
    ROLE_VERIFIKATOR,
)

from . import catalog, clock, eorder, katalog, scoping, verifikasi
from .katalog import adendum as adendum_service
from .katalog import pembayaran, pihak

CAP = 1000  # counts stop here ("1000+"): a queue that long needs its list page, not an exact figure
LIMIT = 5

PERAN = {
    ROLE_PEMBELI: _l("Pembeli"),
    ROLE_PENYEDIA: _l("Penyedia"),
    ROLE_PP: _l("Pejabat Pengadaan"),
    ROLE_PPK: _l("Pejabat Pembuat Komitmen"),
    ROLE_BENDAHARA: _l("Bendahara"),
    ROLE_VERIFIKATOR: _l("Verifikator"),
    ROLE_ADMIN: _l("Admin"),
    ROLE_MANAJEMEN: _l("Manajemen"),
    ROLE_AUDITOR: _l("Auditor"),
}


@dataclass
class Butir:
    """One item of a queue: what it is, with whom, its deadline (datetime: time left; date: a day) and a link."""

    judul: str
    keterangan: str
    url: str
    pk: int | None = None
    status: object = None
    batas: datetime | date | None = None
    batas_label: object = None
    jumlah: int | None = None


@dataclass
class Antrean:
    kunci: str
    judul: object
    jumlah: int = 0
    butir: list = field(default_factory=list)
    url: str | None = None
    # the table and actions the queue is made of (None: not a workflow queue); the tests check against them
    alur: object = None
    aksi: frozenset = frozenset()

    @property
    def lebih(self):
        """The count reached the cap (shown as "1000+")."""
        return self.jumlah >= CAP


@dataclass
class Bagian:
    """One role's part of the home page."""

    peran: str
    judul: object
    antrean: list = field(default_factory=list)
    tautan: list = field(default_factory=list)  # (label, url) for the summary roles


@dataclass
class _Q:
    """How one queue is read: its statement (already scoped), the order of its oldest items, how an item
    is shown, where the list is."""

    kunci: str
    judul: object
    stmt: object
    order: tuple
    show: object  # row -> Butir
    url: str | None = None
    options: tuple = ()
    alur: object = None
    aksi: frozenset = frozenset()
    items: list = field(default_factory=list)
    jumlah: int = 0


# --- the queues, per role -----------------------------------------------------------------------------------


def _sources(wf, user, actions):
    roles = scoping.roles_of(user)
    return sorted({t.source for t in wf.transitions if t.action in actions and roles & t.roles})


def _list_url(endpoint, sources):
    """The list page of the queue: on its one state's tab when it has one state."""
    return url_for(endpoint, status=sources[0]) if len(sources) == 1 else url_for(endpoint)


def _eorder(user, kunci, judul, actions, batas=True):
    penyedia = ROLE_PENYEDIA in scoping.roles_of(user)
    sources = _sources(eorder.EORDER, user, actions)
    if sources == ["draft"]:
        url = url_for("KeranjangView.list")
    else:
        url = _list_url("PesananPenyediaView.list" if penyedia else "PesananPembeliView.list", sources)
    stmt = select(Pesanan).where(scoping.visible_clause(Pesanan, user), eorder.EORDER.where(user, actions))
    order = (func.coalesce(Pesanan.updated_at, Pesanan.created_at), Pesanan.id)

    def show(p):
        other = p.satker if ROLE_PENYEDIA in scoping.roles_of(user) else p.penyedia
        return Butir(
            judul=p.nomor if p.status != "draft" else str(_l("Keranjang %(penyedia)s", penyedia=p.penyedia)),
            keterangan=" · ".join(str(x) for x in (other, p.nama_kegiatan) if x),
            url=url_for("PesananView.detail", pk=p.id),
            pk=p.id,
            status=p.status_label,
            batas=p.tanggal_kegiatan if batas else None,
            batas_label=_l("Tanggal kegiatan"),
            jumlah=p.total,
        )

    options = (joinedload(Pesanan.satker), joinedload(Pesanan.penyedia))
    return _Q(kunci, judul, stmt, order, show, url=url, options=options, alur=eorder.EORDER, aksi=frozenset(actions))


def _katalog(user, kunci, judul, actions, url=None, item_url=None):
    url = url or _list_url("KatalogView.daftar", _sources(katalog.KATALOG, user, actions))
    stmt = select(PesananKatalog).where(
        scoping.visible_clause(PesananKatalog, user), katalog.KATALOG.where(user, actions)
    )
    order = (
        PesananKatalog.batas_waktu.is_(None),
        PesananKatalog.batas_waktu,
        func.coalesce(PesananKatalog.updated_at, PesananKatalog.created_at),
        PesananKatalog.id,
    )
    other_is_satker = ROLE_PENYEDIA in scoping.roles_of(user)

    def show(p):
        return Butir(
            judul=p.nomor,
            keterangan=str(p.satker if other_is_satker else p.penyedia),
            url=(item_url or (lambda p: url_for("KatalogView.detail", pk=p.id)))(p),
            pk=p.id,
            status=p.status_label,
            batas=p.batas_waktu,
            batas_label=_l("Batas waktu"),
            jumlah=p.total,
        )

    options = (joinedload(PesananKatalog.satker), joinedload(PesananKatalog.penyedia))
    return _Q(kunci, judul, stmt, order, show, url=url, options=options, alur=katalog.KATALOG, aksi=frozenset(actions))


def _adendum(user):
    due = (
        select(Deadline.due_at)
        .where(
            Deadline.kind == "adendum",
            Deadline.entity == "adendum",
            Deadline.entity_id == Adendum.id,
            Deadline.status == "aktif",
        )
        .correlate(Adendum)
        .scalar_subquery()
    )
    stmt = (
        select(Adendum, due.label("due"))
        .join(PesananKatalog, PesananKatalog.id == Adendum.pesanan_id)
        .where(scoping.visible_clause(Adendum, user), adendum_service.ADENDUM.where(user, {"terima", "tolak"}))
    )

    def show(row):
        a, batas = row
        return Butir(
            judul=a.nomor,
            keterangan=str(_l("Pesanan %(nomor)s", nomor=a.pesanan.nomor)),
            url=url_for("KatalogView.detail", pk=a.pesanan_id) + "#adendum",
            pk=a.id,
            status=a.status_label,
            batas=batas,
            batas_label=_l("Batas waktu"),
            jumlah=a.total_baru,
        )

    return _Q("adendum", _l("Adendum menunggu jawaban Anda"), stmt, (Adendum.created_at, Adendum.id), show,
              options=(joinedload(Adendum.pesanan),), alur=adendum_service.ADENDUM,
              aksi=frozenset({"terima", "tolak"}))  # fmt: skip


def _kode_bayar(user):
    """Active payment codes of the orders the user is the Bendahara of (pihak.bendahara_id, the party rule)."""
    stmt = (
        select(KodeBayar)
        .join(PesananKatalog, PesananKatalog.id == KodeBayar.pesanan_id)
        .where(
            scoping.visible_clause(PesananKatalog, user),
            KodeBayar.status == "aktif",
            pihak.bendahara_id(PesananKatalog) == user.id,
        )
    )

    def show(k):
        return Butir(
            judul=k.kode,
            keterangan=str(_l("Pesanan %(nomor)s", nomor=k.pesanan.nomor)),
            url=url_for("PembayaranView.kode", kode_id=k.id),
            pk=k.id,
            batas=k.berlaku_sampai,
            batas_label=_l("Berlaku sampai"),
            jumlah=k.jumlah,
        )

    return _Q("kode_bayar", _l("Kode bayar yang akan kedaluwarsa"), stmt, (KodeBayar.berlaku_sampai, KodeBayar.id),
              show, url=url_for("PembayaranView.antrean", status="kode_bayar_terbit"),
              options=(joinedload(KodeBayar.pesanan),))  # fmt: skip


def _verifikasi(user, model, wf, kind, judul, terlambat=False):
    stmt = select(model).where(scoping.visible_clause(model, user), wf.where(user, {"setujui"}))
    if terlambat:
        stmt = stmt.where(model.batas_waktu <= clock.now())

    def show(r):
        nama = getattr(r, "nama_ktp", None) or r.user.nama_lengkap or r.user.username
        return Butir(
            judul=nama,
            keterangan=str(r.instansi),
            url=url_for("VerifikasiView.detail", kind=kind, pk=r.id),
            pk=r.id,
            status=_l("Menunggu Verifikasi"),
            batas=r.batas_waktu,
            batas_label=_l("Batas 3x24 jam"),
        )

    url = url_for("VerifikasiView.index", terlambat=1) if terlambat else url_for("VerifikasiView.index")
    return _Q(f"{kind}{'_terlambat' if terlambat else ''}", judul, stmt, (model.batas_waktu, model.id), show,
              url=url, options=(joinedload(model.user), joinedload(model.instansi)), alur=wf,
              aksi=frozenset({"setujui"}))  # fmt: skip


def _produk(user):
    stmt = select(Produk).where(scoping.visible_clause(Produk, user), catalog.PRODUK.where(user, {"setujui"}))

    def show(p):
        return Butir(
            judul=p.nama,
            keterangan=str(p.penyedia),
            url=url_for("ProdukApprovalView.show", pk=p.id),
            pk=p.id,
            status=STATUS_LISTING.get(p.status, p.status),
            jumlah=p.harga,
        )

    order = (func.coalesce(Produk.updated_at, Produk.created_at), Produk.id)
    url = url_for("ProdukApprovalView.list")
    return _Q("produk", _l("Produk menunggu persetujuan"), stmt, order, show, url=url,
              options=(joinedload(Produk.penyedia),), alur=catalog.PRODUK, aksi=frozenset({"setujui"}))  # fmt: skip


def _email_gagal(user):
    stmt = select(EmailOutbox).where(EmailOutbox.status == "failed")

    def show(m):
        return Butir(judul=m.subject, keterangan=m.to_addr, url=url_for("OperasiView.index"), pk=m.id)

    return _Q("email_gagal", _l("Email gagal terkirim"), stmt, (EmailOutbox.created_at.desc(), EmailOutbox.id), show,
              url=url_for("OperasiView.index"))  # fmt: skip


def _keranjang(user):
    stmt = select(KeranjangKatalog).where(KeranjangKatalog.user_id == user.id)

    def show(k):
        return Butir(
            judul=k.produk.nama,
            keterangan=str(k.produk.penyedia),
            url=url_for("KeranjangKatalogView.index"),
            pk=k.id,
        )

    return _Q("keranjang", _l("Keranjang Katalog belum di-checkout"), stmt,
              (KeranjangKatalog.created_at, KeranjangKatalog.id), show, url=url_for("KeranjangKatalogView.index"),
              options=(joinedload(KeranjangKatalog.produk).joinedload(Produk.penyedia),))  # fmt: skip


def _bendahara_url(p):
    return url_for("PembayaranView.detail", pk=p.id)


def _queues(user, role):
    k = _katalog
    if role == ROLE_PEMBELI:
        return [
            _eorder(user, "draft", _l("Keranjang yang belum dipesan"), {"konfirmasi_pesanan"}),
            _eorder(user, "terima", _l("Pesanan untuk dikonfirmasi diterima"), {"konfirmasi_penerimaan"}),
            _eorder(user, "nilai", _l("Pesanan untuk dinilai"), {"beri_penilaian"}, batas=False),
            _eorder(user, "pembatalan", _l("Pengajuan pembatalan untuk dijawab"), {"setujui_pembatalan"}),
        ]
    if role == ROLE_PENYEDIA:
        return [
            _eorder(user, "konfirmasi", _l("Pesanan E-Order untuk dikonfirmasi"), {"konfirmasi"}),
            _eorder(user, "kirim", _l("Pesanan E-Order untuk dikirim"), {"kirim"}),
            _eorder(user, "dokumen", _l("Pesanan dikirim: unggah Invoice dan Kwitansi"), {"upload_dokumen"}),
            _eorder(user, "pembatalan", _l("Pengajuan pembatalan untuk dijawab"), {"setujui_pembatalan"}),
            k(user, "nego", _l("Negosiasi Katalog untuk dijawab"), {"tawar", "terima"}),
            k(user, "ttd_sp", _l("Surat Pesanan untuk ditandatangani"), {"ttd_sp"}),
            k(user, "kirim_katalog", _l("Pesanan Katalog untuk dikirim"), {"kirim"}),
            k(user, "ttd_bast", _l("BAST untuk ditandatangani"), {"ttd_bast"}),
            k(user, "faktur", _l("Faktur pajak untuk diunggah"), {"unggah_faktur"}),
            _adendum(user),
        ]
    if role == ROLE_PP:
        return [
            k(user, "nego", _l("Negosiasi untuk dijawab"), {"ajukan_nego", "terima"}),
            k(user, "ke_ppk", _l("Negosiasi selesai: ajukan ke PPK"), {"ajukan_ppk"}),
            _keranjang(user),
        ]
    if role == ROLE_PPK:
        bayar = {"unggah_bukti_potong", "lanjutkan_bayar", "ajukan_bendahara", "bayar_kkp", "kirim_ulang_tautan"}
        return [
            k(user, "persetujuan", _l("Persetujuan dan Surat Pesanan untuk ditandatangani"), {"buat_pesanan"}),
            k(user, "bast", _l("Barang tiba: periksa dan tanda tangani BAST"), {"terima_barang"}),
            _adendum(user),
            k(
                user,
                "metode",
                _l("Metode pembayaran untuk dipilih"),
                set(pembayaran.AKSI_METODE.values()),
                url=url_for("PembayaranView.ppk"),
            ),  # fmt: skip
            k(user, "bayar", _l("Langkah pembayaran berikutnya"), bayar, url=url_for("PembayaranView.ppk")),
        ]
    if role == ROLE_BENDAHARA:
        antrean = url_for("PembayaranView.antrean")
        return [
            k(
                user,
                "konfirmasi_bayar",
                _l("Pembayaran untuk dikonfirmasi"),
                {"konfirmasi_bayar"},
                url=antrean,
                item_url=_bendahara_url,
            ),  # fmt: skip
            k(
                user,
                "terbitkan_ulang",
                _l("Kode bayar kedaluwarsa: terbitkan ulang"),
                {"terbitkan_ulang"},
                url=antrean,
                item_url=_bendahara_url,
            ),  # fmt: skip
            _kode_bayar(user),
        ]
    if role == ROLE_VERIFIKATOR:
        return [
            _verifikasi(user, ProfilPengguna, verifikasi.PROFIL, "profil", _l("Verifikasi Profil")),
            _verifikasi(user, AksesPengguna, verifikasi.AKSES, "akses", _l("Verifikasi Akses")),
        ]
    if role == ROLE_ADMIN:
        return [
            _produk(user),
            _verifikasi(
                user,
                ProfilPengguna,
                verifikasi.PROFIL,
                "profil",
                _l("Verifikasi Profil melewati 3x24 jam"),
                terlambat=True,
            ),  # fmt: skip
            _verifikasi(
                user, AksesPengguna, verifikasi.AKSES, "akses", _l("Verifikasi Akses melewati 3x24 jam"), terlambat=True
            ),  # fmt: skip
            _email_gagal(user),
        ]
    return []


def _ringkasan(user):
    """Manajemen / Auditor: orders in progress, as two counts with the links to the dashboard and reports."""
    selesai_eorder = ("draft", "selesai", "dibatalkan")
    selesai_katalog = ("selesai", "ditolak_ppk", "dibatalkan", "batal_otomatis")
    return [
        _Q(
            "eorder_berjalan",
            _l("Pesanan E-Order berjalan"),
            select(Pesanan).where(scoping.visible_clause(Pesanan, user), Pesanan.status.notin_(selesai_eorder)),
            (Pesanan.created_at, Pesanan.id),
            lambda p: None,
        ),  # fmt: skip
        _Q(
            "katalog_berjalan",
            _l("Pesanan Katalog berjalan"),
            select(PesananKatalog).where(
                scoping.visible_clause(PesananKatalog, user), PesananKatalog.status.notin_(selesai_katalog)
            ),
            (PesananKatalog.created_at, PesananKatalog.id),
            lambda p: None,
        ),  # fmt: skip
    ]


SUMMARY_ROLES = (ROLE_MANAJEMEN, ROLE_AUDITOR)
ORDER = (ROLE_ADMIN, ROLE_VERIFIKATOR, ROLE_PEMBELI, ROLE_PENYEDIA, ROLE_PP, ROLE_PPK, ROLE_BENDAHARA)


def _capped_count(stmt):
    inner = stmt.with_only_columns(stmt.selected_columns[0]).limit(CAP).subquery()
    return select(func.count()).select_from(inner).scalar_subquery()


def beranda(user, limit=LIMIT):
    """[Bagian] for each role of the user that has queues, in a fixed order; a fixed number of statements."""
    roles = scoping.roles_of(user)
    parts = []
    for role in ORDER:
        if role in roles:
            parts.append((role, _queues(user, role)))
    summary = [r for r in SUMMARY_ROLES if r in roles]
    if summary:
        parts.append((summary[0], _ringkasan(user)))
    queues = [q for _, qs in parts for q in qs]
    if queues:  # every count in one statement
        counts = db.session.execute(select(*[_capped_count(q.stmt) for q in queues])).one()
        for q, n in zip(queues, counts, strict=True):
            q.jumlah = n
    for role, qs in parts:
        if role in SUMMARY_ROLES:
            continue
        for q in qs:
            # asked even when the count is 0, so the page's cost is the same whatever the data
            stmt = q.stmt.options(*q.options).order_by(*q.order).limit(limit)
            rows = db.session.execute(stmt)
            q.items = [q.show(r) for r in (rows.all() if q.kunci == "adendum" else rows.scalars().all())]
    out = []
    for role, qs in parts:
        bagian = Bagian(peran=role, judul=PERAN.get(role, role))
        bagian.antrean = [Antrean(q.kunci, q.judul, q.jumlah, q.items, q.url, q.alur, q.aksi) for q in qs]
        if role in SUMMARY_ROLES:
            bagian.tautan = [(_l("Dasbor"), "/dasbor/"), (_l("Laporan"), "/laporan/")]
        out.append(bagian)
    return out
