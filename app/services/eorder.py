"""E-Order (SPEC §5): the transition table and the named operations views, API and tests call."""

from datetime import date, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Alamat, AuditLog, Pesanan, PesananItem, Produk, Ulasan
from app.models.eorder import METODE_BAYAR, STATUS_PESANAN
from app.models.organisations import Penyedia
from app.roles import ROLE_PEMBELI, ROLE_PENYEDIA

from . import audit, batas, catalog, clock, documents, money, notify, predikat, scoping
from .errors import Conflict, DomainError, Forbidden
from .workflow import T, Workflow, apply

PEMBELI, PENYEDIA = {ROLE_PEMBELI}, {ROLE_PENYEDIA}
KEDUANYA = {ROLE_PEMBELI, ROLE_PENYEDIA}


# --- guards: validate, return the column changes -------------------------------------------


def _as_date(value):
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_l("Tanggal kegiatan tidak valid.")) from None


def _as_time(value):
    if value is None or isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_l("Waktu kegiatan tidak valid.")) from None


def _isi_detail(ctx):
    d, actor = ctx.data, ctx.actor
    changes = {}
    if d.get("alamat_id"):
        try:
            alamat = db.session.get(Alamat, int(d["alamat_id"]))
        except (TypeError, ValueError):
            alamat = None
        if alamat is None or alamat.user_id != actor.id:
            raise DomainError(_l("Alamat pengiriman tidak ditemukan di daftar alamat Anda."))
        changes["alamat_id"] = alamat.id
    if "tanggal_kegiatan" in d:
        changes["tanggal_kegiatan"] = _as_date(d["tanggal_kegiatan"] or None)
    if "waktu_kegiatan" in d:
        changes["waktu_kegiatan"] = _as_time(d["waktu_kegiatan"] or None)
    for key, limit in (("nama_kegiatan", 200), ("catatan", 2000)):
        if key in d:
            value = d[key]
            if value is not None and not isinstance(value, str):
                raise DomainError(_l("Isian tidak valid."))
            changes[key] = (value or "").strip()[:limit] or None
    if d.get("metode_bayar"):
        if d["metode_bayar"] not in METODE_BAYAR:
            raise DomainError(_l("Metode pembayaran tidak dikenal."))
        changes["metode_bayar"] = d["metode_bayar"]
    return changes


def _detail_lengkap(ctx):
    p = ctx.obj
    if not p.alamat_id:
        raise DomainError(_l("Lengkapi detail pesanan terlebih dahulu: pilih alamat pengiriman."))
    if not p.tanggal_kegiatan or not p.waktu_kegiatan:
        raise DomainError(_l("Lengkapi detail pesanan terlebih dahulu: tanggal dan waktu kegiatan."))
    if not p.nama_kegiatan:
        raise DomainError(_l("Lengkapi detail pesanan terlebih dahulu: nama kegiatan."))
    if not p.items:
        raise DomainError(_l("Keranjang pesanan ini kosong."))
    today = clock.today_local()
    if p.tanggal_kegiatan < today:
        raise DomainError(_l("Tanggal kegiatan sudah lewat."))
    for item in p.items:
        produk = item.produk
        if produk.status != "tayang":
            raise DomainError(_l("Produk %(nama)s tidak lagi tayang.", nama=produk.nama))
        if produk.ketersediaan == "h1" and p.tanggal_kegiatan <= today:
            raise DomainError(
                _l(
                    "Produk %(nama)s berketersediaan H-1: tanggal kegiatan paling cepat besok.",
                    nama=produk.nama,
                )
            )
        catalog.cek_jumlah(produk, item.qty)
    # The order keeps the address as it was when ordered, whatever later happens to the address book.
    return {"alamat_kirim": _alamat_teks(p.alamat)}


def _alamat_teks(a):
    parts = [a.nama, a.jalan, f"Kel. {a.kelurahan}", f"Kec. {a.kecamatan}", str(a.kota), str(a.provinsi), a.kode_pos]
    return ", ".join(str(x) for x in parts if x)


def _konfirmasi(ctx):
    """The supplier moves the order on only when no cancellation request waits for an answer."""
    if ctx.obj.pembatalan_oleh:
        raise Conflict(_l("Ada pengajuan pembatalan yang belum dijawab."))
    return {}


def _kurangi_stok(ctx):
    for item in ctx.obj.items:
        if item.produk.ketersediaan != "ready":
            continue
        res = db.session.execute(
            update(Produk)
            .where(Produk.id == item.produk_id, Produk.stok >= item.qty)
            .values(stok=Produk.stok - item.qty)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:
            raise Conflict(_l("Stok %(nama)s tidak mencukupi.", nama=item.nama_produk))


def _kembalikan_stok(ctx):
    if ctx.transition.source != "diproses":
        return
    for item in ctx.obj.items:
        if item.produk.ketersediaan == "ready":
            db.session.execute(
                update(Produk)
                .where(Produk.id == item.produk_id)
                .values(stok=Produk.stok + item.qty)
                .execution_options(synchronize_session=False)
            )


def _ada_alasan(ctx):
    alasan = (ctx.data.get("alasan") or "").strip()
    if not alasan:
        raise DomainError(_l("Alasan wajib diisi."))
    return {"alasan_tolak": alasan}


def _upload_dokumen(ctx):
    jenis = ctx.data.get("jenis")
    if jenis not in ("invoice", "kwitansi"):
        raise DomainError(_l("Jenis dokumen harus Invoice atau Kwitansi."))
    data = ctx.data.get("data") or b""
    ctx.data["content_type"] = documents.check_upload(data)
    return {}


def _simpan_dokumen(ctx):
    d = ctx.data
    documents.simpan(d["data"], d["jenis"], d.get("filename"), ctx.actor, d["content_type"], pesanan_id=ctx.obj.id)


def _penerimaan(ctx):
    d = ctx.data
    # Only a real True counts as ticked: "false" from a JSON body must not confirm anything.
    if not all(d.get(k) is True for k in ("jumlah_sesuai", "kondisi_baik", "waktu_tempat_sesuai")):
        raise DomainError(_l("Centang ketiga pemeriksaan: jumlah sesuai, kondisi baik, serta waktu dan lokasi sesuai."))
    jenis = {x.jenis for x in ctx.obj.dokumen}
    if not {"invoice", "kwitansi"} <= jenis:
        raise DomainError(_l("Penerimaan belum dapat dikonfirmasi: Penyedia belum mengunggah Invoice dan Kwitansi."))
    return {
        "jumlah_sesuai": True,
        "kondisi_baik": True,
        "waktu_tempat_sesuai": True,
        "catatan_penerimaan": str(d.get("catatan") or "").strip()[:2000] or None,
    }


def _penilaian(ctx):
    try:
        bintang = int(ctx.data.get("bintang"))
    except (TypeError, ValueError):
        bintang = 0
    if not 1 <= bintang <= 5:
        raise DomainError(_l("Penilaian harus 1 sampai 5 bintang."))
    if not str(ctx.data.get("ulasan") or "").strip():
        raise DomainError(_l("Tulis ulasan singkat tentang pesanan ini."))
    ctx.data["bintang"] = bintang
    return {}


def _simpan_ulasan(ctx):
    p, bintang = ctx.obj, ctx.data["bintang"]
    teks = str(ctx.data.get("ulasan")).strip()[:2000]
    for produk_id in sorted({i.produk_id for i in p.items}):
        db.session.add(
            Ulasan(
                produk_id=produk_id,
                penyedia_id=p.penyedia_id,
                pesanan_id=p.id,
                user_id=ctx.actor.id,
                bintang=bintang,
                teks=teks,
                created_at=clock.now(),
            )
        )
        catalog.tambah_rating(Produk, produk_id, bintang)
    catalog.tambah_rating(Penyedia, p.penyedia_id, bintang)


def _pihak(actor):
    return "penyedia" if ROLE_PENYEDIA in scoping.roles_of(actor) else "pembeli"


def _ajukan_batal(ctx):
    if ctx.obj.pembatalan_oleh:
        raise Conflict(_l("Pembatalan sudah diajukan dan menunggu jawaban."))
    alasan = (ctx.data.get("alasan") or "").strip()
    if not alasan:
        raise DomainError(_l("Alasan pembatalan wajib diisi."))
    return {"pembatalan_oleh": _pihak(ctx.actor), "alasan_pembatalan": alasan}


def _jawab_batal(ctx):
    if not ctx.obj.pembatalan_oleh:
        raise Conflict(_l("Tidak ada pengajuan pembatalan untuk dijawab."))
    if ctx.obj.pembatalan_oleh == _pihak(ctx.actor):
        raise Forbidden(_l("Pengajuan pembatalan harus dijawab oleh pihak lain."))
    if ctx.transition.action == "tolak_pembatalan":
        return {"pembatalan_oleh": None, "alasan_pembatalan": None}
    return {"pembatalan_oleh": None}


# `visible` and `party` read a row or build a clause (predikat): the home page's queues are these rules.
def _tanpa_ajuan(obj, actor):
    return predikat.kosong(obj.pembatalan_oleh)


def _perlu_jawaban(obj, actor):
    return predikat.semua(predikat.ada(obj.pembatalan_oleh), obj.pembatalan_oleh != _pihak(actor))


# --- the table (SPEC §5) -------------------------------------------------------------------

LABELS = {
    "isi_detail": _l("Simpan Detail"),
    "konfirmasi_pesanan": _l("Konfirmasi Pesanan"),
    "batalkan": _l("Batalkan Pesanan"),
    "konfirmasi": _l("Konfirmasi"),
    "tolak": _l("Tolak"),
    "kirim": _l("Kirim"),
    "upload_dokumen": _l("Unggah Dokumen"),
    "konfirmasi_penerimaan": _l("Konfirmasi Penerimaan"),
    "beri_penilaian": _l("Beri Penilaian"),
    "ajukan_pembatalan": _l("Ajukan Pembatalan"),
    "setujui_pembatalan": _l("Setujui Pembatalan"),
    "tolak_pembatalan": _l("Tolak Pembatalan"),
}
STYLES = {"batalkan": "danger", "tolak": "danger", "setujui_pembatalan": "danger", "ajukan_pembatalan": "warning"}


def _t(source, action, target, roles, guard=None, effect=None, visible=None, fields=(), panel="tombol"):
    label, style = LABELS[action], STYLES.get(action, "primary")
    return T(source, action, target, roles, guard, effect, label, style, visible, fields, panel)


# What each action accepts from a form or a JSON body (anything else never reaches the guard).
DETAIL = ("alamat_id", "tanggal_kegiatan", "waktu_kegiatan", "nama_kegiatan", "catatan", "metode_bayar")
ALASAN = ("alasan",)
BERKAS = ("jenis", "data", "filename")
TERIMA = ("jumlah_sesuai", "kondisi_baik", "waktu_tempat_sesuai", "catatan")
NILAI = ("bintang", "ulasan")

# fmt: off
# from, action, to, who, guard, effect, when the button is shown, accepted fields, where the page draws it
TRANSITIONS = (
    _t("draft",    "isi_detail",            "draft",      PEMBELI,  _isi_detail,     None,             None,           DETAIL, "detail"),
    _t("draft",    "konfirmasi_pesanan",    "dipesan",    PEMBELI,  _detail_lengkap),
    _t("draft",    "batalkan",              "dibatalkan", PEMBELI),
    _t("dipesan",  "konfirmasi",            "diproses",   PENYEDIA, _konfirmasi,     _kurangi_stok,    _tanpa_ajuan),
    _t("dipesan",  "tolak",                 "dibatalkan", PENYEDIA, _ada_alasan,     None,             _tanpa_ajuan,   ALASAN, "alasan"),
    _t("diproses", "kirim",                 "dikirim",    PENYEDIA, _konfirmasi,     None,             _tanpa_ajuan),
    _t("dikirim",  "upload_dokumen",        "dikirim",    PENYEDIA, _upload_dokumen, _simpan_dokumen,  None,           BERKAS, "dokumen"),
    _t("dikirim",  "konfirmasi_penerimaan", "diterima",   PEMBELI,  _penerimaan,     None,             None,           TERIMA, "penerimaan"),
    _t("diterima", "beri_penilaian",        "selesai",    PEMBELI,  _penilaian,      _simpan_ulasan,   None,           NILAI,  "penilaian"),
    _t("dipesan",  "ajukan_pembatalan",     "dipesan",    KEDUANYA, _ajukan_batal,   None,             _tanpa_ajuan,   ALASAN, "alasan"),
    _t("diproses", "ajukan_pembatalan",     "diproses",   KEDUANYA, _ajukan_batal,   None,             _tanpa_ajuan,   ALASAN, "alasan"),
    _t("dipesan",  "setujui_pembatalan",    "dibatalkan", KEDUANYA, _jawab_batal,    None,             _perlu_jawaban),
    _t("diproses", "setujui_pembatalan",    "dibatalkan", KEDUANYA, _jawab_batal,    _kembalikan_stok, _perlu_jawaban),
    _t("dipesan",  "tolak_pembatalan",      "dipesan",    KEDUANYA, _jawab_batal,    None,             _perlu_jawaban),
    _t("diproses", "tolak_pembatalan",      "diproses",   KEDUANYA, _jawab_batal,    None,             _perlu_jawaban),
)
# fmt: on


def _is_party(pesanan, actor, transition):
    roles = scoping.roles_of(actor) & transition.roles
    return predikat.salah_satu(
        predikat.semua(ROLE_PENYEDIA in roles, bool(actor.penyedia_id), pesanan.penyedia_id == actor.penyedia_id),
        predikat.semua(
            ROLE_PEMBELI in roles,
            bool(actor.satker_id),
            pesanan.satker_id == actor.satker_id,
            # A cart belongs to the buyer who filled it; ordered orders to the whole BUMD.
            predikat.salah_satu(pesanan.status != "draft", pesanan.pembeli_id == actor.id),
        ),
    )


def _notify(ctx):
    p = ctx.obj
    t = ctx.transition
    if t.action == "isi_detail":
        return
    recipients = [p.pembeli.email]
    if t.target != "draft":
        recipients += notify.penyedia_emails(p.penyedia_id)
    notify.pesanan_berubah(p, recipients, t.label, STATUS_PESANAN[t.target])


EORDER = Workflow(
    entity="pesanan",
    model=Pesanan,
    transitions=TRANSITIONS,
    labels=STATUS_PESANAN,
    party=_is_party,
    noun=_l("Pesanan"),
    on_applied=_notify,
)


def jalankan(pesanan_id, action, actor, expected_version=None, **data):
    """Apply an E-Order action; the one door every caller uses. Only the action's fields pass (so a stray
    `wf` or `note` key cannot reach apply()); apply() then keeps only the fields of the row it finds."""
    return apply(EORDER, pesanan_id, action, actor, expected_version=expected_version, **EORDER.input(action, data))


# --- the cart: creating Draft orders and their lines ------------------------------------------


def _hitung_ulang(pesanan):
    for item in pesanan.items:
        a = money.line_amounts(item.harga_satuan, item.qty, item.ppn_persen, item.ppnbm_persen)
        item.subtotal, item.ppn, item.ppnbm = a.subtotal, a.ppn, a.ppnbm
    total = money.order_amounts(pesanan.items)
    pesanan.subtotal, pesanan.ppn, pesanan.ppnbm, pesanan.total = total.subtotal, total.ppn, total.ppnbm, total.total


def _cas_version(pesanan, version):
    """Compare-and-set for edits of a Draft's lines, so two tabs cannot both win."""
    res = db.session.execute(
        update(Pesanan)
        .where(Pesanan.id == pesanan.id, Pesanan.version == version, Pesanan.status == "draft")
        .values(version=version + 1, updated_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:
        raise Conflict(_l("Data ini baru saja diubah oleh pengguna lain. Muat ulang halaman lalu coba lagi."))


def tambah_ke_keranjang(actor, produk_id, qty):
    """Add a product to the buyer's Draft for that supplier (one Draft per supplier).

    Two quick clicks may both try to create the Draft; the partial unique index lets one
    win and the other retries once, then finds and extends that Draft."""
    try:
        return _tambah(actor, produk_id, qty)
    except IntegrityError:
        return _tambah(actor, produk_id, qty)


def _tambah(actor, produk_id, qty):
    try:
        if ROLE_PEMBELI not in scoping.roles_of(actor) or not actor.satker_id:
            raise Forbidden(_l("Hanya Pembeli yang dapat memesan."))
        qty = batas.jumlah(qty, _l("Jumlah pesanan harus berupa bilangan bulat."))
        if qty < 1:
            raise DomainError(_l("Jumlah pesanan minimal 1."))
        produk = scoping.get_scoped(Produk, produk_id, actor)
        if produk.status != "tayang":
            raise DomainError(_l("Produk ini tidak tayang."))
        pesanan = db.session.execute(
            select(Pesanan).where(
                Pesanan.pembeli_id == actor.id, Pesanan.penyedia_id == produk.penyedia_id, Pesanan.status == "draft"
            )
        ).scalar_one_or_none()
        now = clock.now()
        if pesanan is None:
            utama = catalog.alamat_utama(actor)  # a new Draft ships to the buyer's Utama address until changed
            pesanan = Pesanan(
                nomor=f"TMP-{actor.id}-{now.timestamp()}",
                status="draft",
                version=1,
                satker_id=actor.satker_id,
                pembeli_id=actor.id,
                penyedia_id=produk.penyedia_id,
                metode_bayar="cod",
                alamat_id=utama.id if utama is not None else None,
                created_at=now,
            )
            db.session.add(pesanan)
            db.session.flush()
            pesanan.nomor = f"EO/{clock.to_local(now).year}/{pesanan.id:06d}"
            audit.catat("pesanan", pesanan.id, "buat", actor, None, "draft", role=ROLE_PEMBELI)
        else:
            _cas_version(pesanan, pesanan.version)
        item = next((i for i in pesanan.items if i.produk_id == produk.id), None)
        new_qty = qty + (item.qty if item else 0)
        catalog.cek_jumlah(produk, new_qty)
        if item is None:
            item = PesananItem(
                produk_id=produk.id,
                nama_produk=produk.nama,
                harga_satuan=produk.harga,
                qty=new_qty,
                ppn_persen=produk.ppn_persen,
                ppnbm_persen=produk.ppnbm_persen,
                subtotal=0,
                ppn=0,
                ppnbm=0,
            )
            pesanan.items.append(item)
        else:
            item.qty = new_qty
        _hitung_ulang(pesanan)
        audit.catat(
            "pesanan",
            pesanan.id,
            "tambah_item",
            actor,
            "draft",
            "draft",
            note=f"{produk.nama} × {qty}",
            role=ROLE_PEMBELI,
        )
        db.session.commit()
        return pesanan
    except Exception:
        db.session.rollback()
        raise


def ubah_item(actor, pesanan_id, item_id, qty):
    """Change (qty > 0) or remove (qty == 0) a line of the buyer's own Draft."""
    try:
        pesanan = scoping.get_scoped(Pesanan, pesanan_id, actor)
        if pesanan.status != "draft" or pesanan.pembeli_id != actor.id:
            raise Conflict(_l("Hanya keranjang (Draft) milik Anda yang dapat diubah."))
        item = next((i for i in pesanan.items if i.id == int(item_id)), None)
        if item is None:
            raise DomainError(_l("Baris pesanan tidak ditemukan."))
        qty = batas.jumlah(qty, _l("Jumlah pesanan harus berupa bilangan bulat."))
        _cas_version(pesanan, pesanan.version)
        if qty <= 0:
            pesanan.items.remove(item)
            note = f"{item.nama_produk} dihapus"
        else:
            catalog.cek_jumlah(item.produk, qty)
            item.qty = qty
            note = f"{item.nama_produk} → {qty}"
        _hitung_ulang(pesanan)
        audit.catat("pesanan", pesanan.id, "ubah_item", actor, "draft", "draft", note=note, role=ROLE_PEMBELI)
        db.session.commit()
        return pesanan
    except Exception:
        db.session.rollback()
        raise


def riwayat(pesanan):
    return (
        db.session.execute(
            select(AuditLog)
            .where(AuditLog.entity == "pesanan", AuditLog.entity_id == pesanan.id)
            .order_by(AuditLog.at, AuditLog.id)
        )
        .scalars()
        .all()
    )


ACTION_LABELS = LABELS | {
    "buat": _l("Buat Keranjang"),
    "tambah_item": _l("Tambah ke Keranjang"),
    "ubah_item": _l("Ubah Keranjang"),
}
