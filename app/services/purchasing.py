"""Katalog v6 e-purchasing (SPEC §6 steps 1–3): PP checkout against a RUP, negotiation rounds
between PP and Penyedia, and the PPK's approval — a second transition table on the same engine.

Every step that waits for somebody starts a 3x24 h deadline (SPEC §7); the sweep expires it
through this table's `batal_otomatis` row, acted by the portal itself (workflow.SYSTEM).
"""

import re
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    NegosiasiHarga,
    NegosiasiRonde,
    PesananItem,
    PesananKatalog,
    PesananKatalogItem,
    PesananKatalogLayanan,
    PesanChat,
    PortalUser,
    Produk,
    Rup,
)
from app.models.purchasing import OPSI_KIRIM, STATUS_KATALOG
from app.security import ROLE_BENDAHARA, ROLE_PENYEDIA, ROLE_PP, ROLE_PPK, ROLE_SISTEM

from . import clock, deadlines, documents, money, notify, scoping
from .errors import Conflict, DomainError, Forbidden
from .workflow import SYSTEM, T, Workflow, apply, audit

PP, PPK, PENYEDIA, SISTEM = {ROLE_PP}, {ROLE_PPK}, {ROLE_PENYEDIA}, {ROLE_SISTEM}
BENDAHARA = {ROLE_BENDAHARA}
DOKUMEN_PERSIAPAN_MAX = 10 * 1024 * 1024
RESPONSE_HOURS = 72


# --- money ----------------------------------------------------------------------------------


def _hitung(p):
    """Lines at their current prices, PPN/PPnBM added per line, plus services and shipping."""
    for item in p.items:
        a = money.line_amounts(item.harga, item.qty, item.ppn_persen, item.ppnbm_persen)
        item.subtotal, item.ppn, item.ppnbm = a.subtotal, a.ppn, a.ppnbm
    lines = money.order_amounts(p.items)
    layanan = sum(x.harga for x in p.layanan)
    p.subtotal = lines.subtotal + layanan
    p.ppn, p.ppnbm = lines.ppn, lines.ppnbm
    p.total = p.subtotal + p.ppn + p.ppnbm + p.ongkir


def _anggaran(p, new_total):
    """Move the RUP commitment to `new_total` atomically; refuse when the RUP's remainder is short."""
    delta = new_total - (p.anggaran_terpakai or 0)
    if delta == 0:
        return
    res = db.session.execute(
        update(Rup)
        .where(Rup.id == p.rup_id, Rup.terpakai + delta <= Rup.pagu, Rup.terpakai + delta >= 0)
        .values(terpakai=Rup.terpakai + delta)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:
        rup = db.session.get(Rup, p.rup_id)
        db.session.refresh(rup)
        raise DomainError(
            _l(
                "Sisa anggaran RUP %(kode)s (%(sisa)s) tidak mencukupi untuk pesanan ini (%(total)s).",
                kode=rup.kode,
                sisa=money.format_rupiah(rup.sisa),
                total=money.format_rupiah(new_total),
            )
        )
    p.anggaran_terpakai = new_total


def harga_terendah(produk_id):
    """The lowest unit price this product ever sold for (agreed Katalog prices and E-Order sales)."""
    katalog = db.session.execute(
        select(func.min(PesananKatalogItem.harga))
        .join(PesananKatalog, PesananKatalogItem.pesanan_id == PesananKatalog.id)
        .where(
            PesananKatalogItem.produk_id == produk_id,
            PesananKatalog.status.notin_(("menunggu_negosiasi", "nego_pp", "nego_penyedia", "dibatalkan")),
            PesananKatalog.status != "batal_otomatis",
        )
    ).scalar_one_or_none()
    from app.models import Pesanan

    eorder = db.session.execute(
        select(func.min(PesananItem.harga_satuan))
        .join(Pesanan, PesananItem.pesanan_id == Pesanan.id)
        .where(PesananItem.produk_id == produk_id, Pesanan.status == "selesai")
    ).scalar_one_or_none()
    found = [x for x in (katalog, eorder) if x is not None]
    return min(found) if found else None


# --- checkout (creates the order) ------------------------------------------------------------


_ANGKA = re.compile(r"[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+")


def _as_int(value, message, minimum=0, maximum=money.ANGKA_MAKS):
    """A whole number as typed (`1250000` or `1.250.000`); anything else ("10,5", "1e3", "²") is refused."""
    if isinstance(value, bool):
        raise DomainError(message)
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not _ANGKA.fullmatch(text):
            raise DomainError(message)
        number = int(text.replace(".", ""))
    if number < minimum or number > maximum:
        raise DomainError(message)
    return number


def checkout(pp, lines, dokumen_persiapan, rup_id, ppk_id, alamat_kirim, jenis_pengiriman, tanggal_tiba_diminta,
             opsi_kirim, tahapan_pengiriman=1, kurir_nama=None, ongkir_estimasi=0, estimasi_hari=None,
             keranjang_ids=None):  # fmt: skip
    """PP checks out cart lines of one Penyedia: lines = [{produk_id, qty, varian_id?, layanan_ids?}]
    (a variant's own price and "Produk — Varian" name; services at their own price);
    dokumen_persiapan = (filename, PDF bytes). Commits the order's total on the RUP.
    keranjang_ids: the PP's cart lines (KeranjangKatalog) these lines come from, removed in the
    same commit as the order (a line already gone, e.g. checked out in another tab, is a 409)."""
    # Local imports: the catalogue's variant/service rules and the cart model (no import cycle).
    from sqlalchemy import delete

    from app.models import KeranjangKatalog, KeranjangKatalogLayanan

    from .catalog import layanan_dari, varian_dari

    try:
        if ROLE_PP not in scoping.roles_of(pp) or not pp.satker_id:
            raise Forbidden(_l("Hanya Pejabat Pengadaan yang dapat melakukan checkout."))
        if not lines:
            raise DomainError(_l("Pilih minimal satu produk dari keranjang."))
        produk = []
        for line in lines:
            p = scoping.get_scoped(Produk, line.get("produk_id"), pp)
            if p.status != "tayang":
                raise DomainError(_l("Produk %(nama)s tidak tayang.", nama=p.nama))
            qty = _as_int(line.get("qty"), _l("Jumlah pesanan tidak valid."), minimum=1)
            if qty < p.min_pesan or qty > p.max_pesan:
                raise DomainError(
                    _l(
                        "Jumlah %(nama)s harus antara %(min)s dan %(max)s.",
                        nama=p.nama,
                        min=p.min_pesan,
                        max=p.max_pesan,
                    )
                )
            varian = varian_dari(p, line.get("varian_id"))
            produk.append((p, qty, varian, layanan_dari(p, line.get("layanan_ids"))))
        per_produk = {}  # lines of one Ready Stock product (e.g. two variants) share its stock
        for p, qty, _, _ in produk:
            per_produk[p] = per_produk.get(p, 0) + qty
        for p, qty in per_produk.items():
            if p.ketersediaan == "ready" and qty > p.stok:
                raise DomainError(_l("Stok %(nama)s tersisa %(stok)s.", nama=p.nama, stok=p.stok))
        if len({p.penyedia_id for p, _, _, _ in produk}) != 1:
            raise DomainError(_l("Satu pesanan hanya untuk satu Penyedia; checkout per Penyedia."))
        rup = db.session.get(Rup, scoping.as_id(rup_id)) if scoping.as_id(rup_id) else None
        if rup is None or rup.satker_id != pp.satker_id:
            raise DomainError(_l("Pilih RUP satuan kerja Anda."))
        ppk = db.session.get(PortalUser, scoping.as_id(ppk_id)) if scoping.as_id(ppk_id) else None
        if ppk is None or ppk.satker_id != pp.satker_id or ROLE_PPK not in {r.name for r in ppk.roles}:
            raise DomainError(_l("Pilih PPK dari satuan kerja yang sama."))
        if opsi_kirim not in OPSI_KIRIM:
            raise DomainError(_l("Pilih opsi pengiriman."))
        if opsi_kirim == "pihak_ketiga" and not (kurir_nama or "").strip():
            raise DomainError(_l("Isi nama kurir pihak ketiga."))
        if not (alamat_kirim or "").strip() or not (jenis_pengiriman or "").strip():
            raise DomainError(_l("Isi alamat dan jenis pengiriman."))
        if not isinstance(tanggal_tiba_diminta, date):
            try:
                tanggal_tiba_diminta = date.fromisoformat(str(tanggal_tiba_diminta))
            except ValueError:
                raise DomainError(_l("Tanggal tiba tidak valid.")) from None
        if tanggal_tiba_diminta <= clock.today_local():
            raise DomainError(_l("Tanggal tiba yang diminta paling cepat besok."))
        tahapan = _as_int(tahapan_pengiriman, _l("Tahapan pengiriman tidak valid."), minimum=1, maximum=100)
        if len(jenis_pengiriman.strip()) > 40 or len((kurir_nama or "").strip()) > 80:
            raise DomainError(_l("Jenis pengiriman paling panjang 40 karakter dan nama kurir 80 karakter."))
        ongkir_estimasi = _as_int(ongkir_estimasi or 0, _l("Estimasi ongkos kirim tidak valid."))
        name, data = dokumen_persiapan
        documents.check_upload(data, allowed=(documents.PDF,), max_bytes=DOKUMEN_PERSIAPAN_MAX)
        if keranjang_ids:
            ids = {int(i) for i in keranjang_ids}
            own = select(KeranjangKatalog.id).where(KeranjangKatalog.id.in_(ids), KeranjangKatalog.user_id == pp.id)
            db.session.execute(delete(KeranjangKatalogLayanan).where(KeranjangKatalogLayanan.keranjang_id.in_(own)))
            gone = db.session.execute(
                delete(KeranjangKatalog).where(KeranjangKatalog.id.in_(ids), KeranjangKatalog.user_id == pp.id)
            )
            if gone.rowcount != len(ids):
                raise Conflict(_l("Keranjang Anda sudah berubah (mungkin di tab lain). Muat ulang lalu checkout lagi."))

        now = clock.now()
        p = PesananKatalog(
            nomor=f"TMP-{pp.id}-{now.timestamp()}",
            status="menunggu_negosiasi",
            version=1,
            satker_id=pp.satker_id,
            pp_id=pp.id,
            ppk_id=ppk.id,
            penyedia_id=produk[0][0].penyedia_id,
            rup_id=rup.id,
            alamat_kirim=alamat_kirim.strip(),
            jenis_pengiriman=jenis_pengiriman.strip(),
            tahapan_pengiriman=tahapan,
            tanggal_tiba_diminta=tanggal_tiba_diminta,
            opsi_kirim=opsi_kirim,
            kurir_nama=(kurir_nama or "").strip() or None,
            ongkir_estimasi=ongkir_estimasi,
            estimasi_hari=estimasi_hari,
            # A third-party courier's estimate is what the order pays; Kurir Penyedia is negotiated.
            ongkir=ongkir_estimasi if opsi_kirim == "pihak_ketiga" else 0,
            anggaran_terpakai=0,
            created_at=now,
        )
        for prod, qty, varian, layanan in produk:
            harga = varian.harga if varian is not None else prod.harga
            p.items.append(
                PesananKatalogItem(
                    produk_id=prod.id,
                    varian_id=varian.id if varian is not None else None,
                    nama=f"{prod.nama} — {varian.nama}"[:250] if varian is not None else prod.nama,
                    satuan=prod.satuan,
                    qty=qty,
                    harga_katalog=harga,
                    harga=harga,
                    ppn_persen=prod.ppn_persen,
                    ppnbm_persen=prod.ppnbm_persen,
                    subtotal=0,
                    ppn=0,
                    ppnbm=0,
                )
            )
            for lay in layanan:
                if lay.id in {x.layanan_id for x in p.layanan}:
                    continue  # a service is charged once per order, however many lines (variants) ask for it
                p.layanan.append(
                    PesananKatalogLayanan(layanan_id=lay.id, nama=lay.nama, harga_katalog=lay.harga, harga=lay.harga)
                )
        _hitung(p)
        if p.total > rup.sisa:  # early, so a refused checkout writes no file; the compare-and-set below decides
            raise DomainError(
                _l(
                    "Sisa anggaran RUP %(kode)s (%(sisa)s) tidak mencukupi untuk pesanan ini (%(total)s).",
                    kode=rup.kode,
                    sisa=money.format_rupiah(rup.sisa),
                    total=money.format_rupiah(p.total),
                )
            )
        doc = documents.simpan(data, "persiapan", name or "persiapan.pdf", pp, documents.PDF)
        p.dokumen_persiapan_id = doc.id
        db.session.add(p)
        db.session.flush()
        p.nomor = f"KAT/{clock.to_local(now).year}/{p.id:06d}"
        _anggaran(p, p.total)
        audit("pesanan_katalog", p.id, "checkout", pp, None, p.status, role=ROLE_PP)
        audit("dokumen", doc.id, "unggah", pp, note=f"persiapan e-purchasing {p.nomor}")
        db.session.commit()
        return p
    except Exception:
        db.session.rollback()
        raise


# --- negotiation guards and effects ----------------------------------------------------------


def _proposal(ctx):
    """Validate a price proposal: {item_id: price}, {layanan_id: price}, ongkir (Kurir Penyedia only)."""
    p, d = ctx.obj, ctx.data
    harga = d.get("harga") or {}
    layanan = d.get("harga_layanan") or {}
    items = {i.id: i for i in p.items}
    services = {x.id: x for x in p.layanan}
    prices = {}
    for key, value in harga.items():
        item = items.get(scoping.as_id(key))
        if item is None:
            raise DomainError(_l("Baris pesanan tidak dikenal."))
        prices[("item", item.id)] = _as_int(value, _l("Harga harus bilangan bulat Rupiah lebih dari nol."), 1)
    for key, value in layanan.items():
        svc = services.get(scoping.as_id(key))
        if svc is None:
            raise DomainError(_l("Layanan tambahan tidak dikenal."))
        prices[("layanan", svc.id)] = _as_int(value, _l("Harga harus bilangan bulat Rupiah lebih dari nol."), 1)
    ongkir = p.ongkir
    if d.get("ongkir") not in (None, ""):
        if p.opsi_kirim != "kurir_penyedia":
            raise DomainError(_l("Ongkos kirim hanya dinegosiasikan untuk Kurir Penyedia."))
        ongkir = _as_int(d["ongkir"], _l("Ongkos kirim tidak valid."))
    if not prices and ongkir == p.ongkir:
        raise DomainError(_l("Ajukan minimal satu harga."))
    ctx.data["_prices"], ctx.data["_ongkir"] = prices, ongkir
    return {}


def _record_round(ctx, oleh):
    p, actor = ctx.obj, ctx.actor
    # No flush half-way: the database checks total = subtotal + taxes + shipping on every write.
    with db.session.no_autoflush:
        for (kind, key), price in ctx.data["_prices"].items():
            target = next(i for i in (p.items if kind == "item" else p.layanan) if i.id == key)
            target.harga = price
        p.ongkir = ctx.data["_ongkir"]
        _hitung(p)
    _anggaran(p, p.total)
    nomor = (db.session.execute(select(func.max(NegosiasiRonde.nomor_ronde)).where(
        NegosiasiRonde.pesanan_id == p.id)).scalar_one() or 0) + 1  # fmt: skip
    ronde = NegosiasiRonde(
        pesanan_id=p.id,
        nomor_ronde=nomor,
        oleh=oleh,
        user_id=actor.id,
        ongkir=p.ongkir,
        total=p.total,
        catatan=(ctx.data.get("catatan") or "").strip()[:2000] or None,
        created_at=clock.now(),
    )
    for item in p.items:
        ronde.harga.append(NegosiasiHarga(item_id=item.id, harga=item.harga))
    for svc in p.layanan:
        ronde.harga.append(NegosiasiHarga(layanan_id=svc.id, harga=svc.harga))
    db.session.add(ronde)


def _ajukan_pp(ctx):
    _record_round(ctx, "pp")
    _tunggu(ctx, "negosiasi")


def _tawar_penyedia(ctx):
    _record_round(ctx, "penyedia")
    _tunggu(ctx, "negosiasi")


def _tunggu(ctx, kind):
    due = clock.now() + timedelta(hours=current_app.config.get("KATALOG_RESPONSE_HOURS", RESPONSE_HOURS))
    deadlines.mulai(kind, "pesanan_katalog", ctx.obj.id, due)
    ctx.obj.batas_waktu = due


def _selesai_tunggu(ctx):
    for kind in ("negosiasi", "persetujuan_ppk", "ttd_sp"):
        deadlines.tutup(kind, "pesanan_katalog", ctx.obj.id)
    ctx.obj.batas_waktu = None


def _ke_ppk(ctx):
    _selesai_tunggu(ctx)
    _tunggu(ctx, "persetujuan_ppk")


def _alasan(ctx):
    alasan = (ctx.data.get("alasan") or "").strip()
    if not alasan:
        raise DomainError(_l("Alasan wajib diisi."))
    return {"alasan": alasan[:2000]}


def _otomatis(ctx):
    return {"alasan": str(_l("Batas waktu 3x24 jam terlewati."))}


def _lepas_anggaran(ctx):
    _selesai_tunggu(ctx)
    p = ctx.obj
    _anggaran(p, 0)


# --- Surat Pesanan (SPEC §6 step 4) ------------------------------------------------------------


def _nomor_dokumen(p, column, signed_at, setting, default, now):
    """`{prefix}/{satker}/{year}/{seq}` from a configurable format; seq counts the satker's documents of the year."""
    year = clock.to_local(now).year
    count = db.session.execute(
        select(func.count(PesananKatalog.id)).where(
            PesananKatalog.satker_id == p.satker_id,
            column.isnot(None),
            func.extract("year", signed_at) == year,
        )
    ).scalar_one()
    return current_app.config.get(setting, default).format(satker=p.satker.kode, year=year, seq=count + 1)


def sp_nomor(p, now):
    return _nomor_dokumen(
        p, PesananKatalog.sp_nomor, PesananKatalog.sp_ttd_ppk_at, "SP_NOMOR_FORMAT", "SP/{satker}/{year}/{seq:05d}", now
    )


def _sp_data(p, nomor, now, klausul=None):
    lines = [
        {
            "nama": i.nama,
            "qty": i.qty,
            "satuan": i.satuan,
            "harga_satuan": i.harga,
            "subtotal": i.subtotal,
            "ppn": i.ppn,
            "ppnbm": i.ppnbm,
        }
        for i in p.items
    ]
    layanan = [{"nama": x.nama, "harga": x.harga} for x in p.layanan]
    lines_subtotal = sum(i.subtotal for i in p.items)
    return {
        "nomor": nomor,
        "tanggal": clock.to_local(now).date(),
        "satker": {"nama": p.satker.nama, "alamat": p.satker.alamat or "-"},
        "ppk": {"nama": f"{p.ppk.first_name} {p.ppk.last_name}".strip(), "nip": p.ppk.nrk or "-"},
        "penyedia": {"nama": p.penyedia.nama, "npwp": p.penyedia.npwp or "-", "alamat": p.penyedia.alamat or "-"},
        "rup": {"kode": p.rup.kode, "nama": p.rup.nama},
        "lines": lines,
        "layanan": layanan,
        "ongkir": p.ongkir,
        "totals": {
            "subtotal": lines_subtotal,
            "layanan": p.subtotal - lines_subtotal,
            "ppn": p.ppn,
            "ppnbm": p.ppnbm,
            "ongkir": p.ongkir,
            "total": p.total,
        },
        "klausul": [c.strip() for c in ((p.klausul if klausul is None else klausul) or "").splitlines() if c.strip()],
        "jadwal": {"tanggal_kirim": p.tanggal_tiba_diminta},
    }


def _store_pdf(data, jenis, name, actor, now):
    return documents.simpan(data, jenis, name, actor, documents.PDF)


def _buat_sp(ctx):
    """Guard of Buat Pesanan: build the SP with the PPK's clauses and sign it with the PPK's TTE.

    Signing happens before the compare-and-set on purpose: tte.sign_pdf commits its own attempt
    counter, and a wrong passphrase must leave the order exactly as it was."""
    from . import dokumen_pdf, tte

    p, actor, now = ctx.obj, ctx.actor, clock.now()
    klausul = (ctx.data.get("klausul") or "").strip()[:4000]
    nomor = sp_nomor(p, now)
    # the clauses reach the order only through the returned changes: a wrong passphrase keeps none of them
    pdf = dokumen_pdf.surat_pesanan_pdf(_sp_data(p, nomor, now, klausul=klausul))
    ctx.data["_signed"] = tte.sign_pdf(actor, pdf, ctx.data.get("passphrase"), reason=f"Surat Pesanan {nomor}")
    ctx.data["_nomor"] = nomor
    return {"sp_nomor": nomor, "sp_ttd_ppk_at": now, "klausul": klausul or None}


def _simpan_sp(ctx):
    p = ctx.obj
    doc = _store_pdf(ctx.data["_signed"], "surat_pesanan", f"{ctx.data['_nomor']}.pdf", ctx.actor, clock.now())
    p.sp_dokumen_id = doc.id
    _selesai_tunggu(ctx)
    _tunggu(ctx, "ttd_sp")


def kebutuhan_stok(items):
    """{produk_id: units} of order lines (two variants of one product share its stock)."""
    need = {}
    for item in items:
        need[item.produk_id] = need.get(item.produk_id, 0) + item.qty
    return need


def _cek_stok(need):
    for produk_id, qty in sorted(need.items()):
        prod = db.session.get(Produk, produk_id)
        if prod is not None and prod.ketersediaan == "ready" and qty > 0 and prod.stok < qty:
            raise DomainError(_l("Stok %(nama)s tersisa %(stok)s.", nama=prod.nama, stok=prod.stok))


def ambil_stok(need):
    """Ready Stock is taken when the Penyedia signs the SP (its commitment) and follows accepted addenda
    (a negative need gives units back); a conditional UPDATE, so two orders never take the last units twice."""
    for produk_id, qty in sorted(need.items()):
        prod = db.session.get(Produk, produk_id)
        if qty == 0 or prod is None or prod.ketersediaan != "ready":
            continue
        res = db.session.execute(
            update(Produk)
            .where(Produk.id == produk_id, Produk.stok >= qty)
            .values(stok=Produk.stok - qty)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:
            db.session.refresh(prod)
            raise DomainError(_l("Stok %(nama)s tersisa %(stok)s.", nama=prod.nama, stok=prod.stok))


def _ttd_penyedia(ctx):
    from app.models import Dokumen

    from . import tte

    p = ctx.obj
    _cek_stok(kebutuhan_stok(p.items))  # before signing: a refusal signs nothing
    doc = db.session.get(Dokumen, p.sp_dokumen_id)
    ctx.data["_signed"] = tte.sign_pdf(ctx.actor, documents.read(doc.stored_name), ctx.data.get("passphrase"),
                                       reason=f"Surat Pesanan {p.sp_nomor}")  # fmt: skip
    return {"sp_ttd_penyedia_at": clock.now()}


def _simpan_sp_penyedia(ctx):
    p = ctx.obj
    ambil_stok(kebutuhan_stok(p.items))
    doc = _store_pdf(ctx.data["_signed"], "surat_pesanan", f"{p.sp_nomor}.pdf", ctx.actor, clock.now())
    p.sp_dokumen_id = doc.id
    _selesai_tunggu(ctx)


# --- Pengiriman (SPEC §6 step 5) -----------------------------------------------------------------


def _event(ctx):
    d = ctx.data
    lokasi, status = (d.get("lokasi") or "").strip(), (d.get("status") or "").strip()
    if not lokasi or not status:
        raise DomainError(_l("Isi lokasi dan status pengiriman."))
    waktu = d.get("waktu") or clock.now()
    if not isinstance(waktu, datetime):
        try:
            # typed in Jakarta time; stored as UTC like every time in the portal
            typed = datetime.fromisoformat(str(waktu))
            if typed.tzinfo is not None:
                raise ValueError("times are typed in WIB, without an offset")
            waktu = typed.replace(tzinfo=clock.WIB).astimezone(UTC).replace(tzinfo=None)
        except (ValueError, OverflowError):
            raise DomainError(_l("Waktu pengiriman tidak valid.")) from None
    # an event is something that happened: not in the future, not before the SP was signed
    signed = ctx.obj.sp_ttd_penyedia_at
    if waktu > clock.now() + timedelta(minutes=5) or (signed and waktu < signed - timedelta(minutes=5)):
        raise DomainError(_l("Waktu pengiriman harus antara penandatanganan Surat Pesanan dan sekarang."))
    ctx.data["_event"] = dict(waktu=waktu, lokasi=lokasi[:200], status=status[:200], catatan=d.get("catatan"))
    return {}


def _simpan_event(ctx):
    from app.models import PengirimanEvent

    db.session.add(
        PengirimanEvent(pesanan_id=ctx.obj.id, user_id=ctx.actor.id, created_at=clock.now(), **ctx.data["_event"])
    )


def _pickup(ctx):
    p = ctx.obj
    if p.opsi_kirim != "pihak_ketiga":
        raise DomainError(_l("Permintaan pickup hanya untuk kurir pihak ketiga."))
    if p.pickup_diminta_at:
        raise Conflict(_l("Pickup sudah diminta."))
    from .adendum import pending

    if pending(p):  # after the pickup no addendum may change the order, so answer the pending one first
        raise Conflict(_l("Selesaikan adendum yang menunggu jawaban sebelum meminta pickup."))
    return {"pickup_diminta_at": clock.now()}


def lacak(p):
    from app.models import PengirimanEvent

    stmt = select(PengirimanEvent).where(PengirimanEvent.pesanan_id == p.id).order_by(PengirimanEvent.waktu)
    return db.session.execute(stmt).scalars().all()


# --- BAST (SPEC §6 step 6) ---------------------------------------------------------------------------


def bast_nomor(p, now):
    return _nomor_dokumen(
        p, PesananKatalog.bast_nomor, PesananKatalog.bast_ttd_ppk_at, "BAST_NOMOR_FORMAT",
        "BAST/{satker}/{year}/{seq:05d}", now,
    )  # fmt: skip


def _periksa(ctx):
    """PPK's inspection + BAST number (auto unless typed, unique), then the BAST signed by the PPK."""
    from . import dokumen_pdf, tte

    p, d, now = ctx.obj, ctx.data, clock.now()
    from .adendum import pending

    if pending(p):
        raise Conflict(_l("Selesaikan adendum yang menunggu jawaban sebelum BAST."))
    periksa = d.get("periksa") or {}
    rows = []
    for item in p.items:
        row = periksa.get(item.id) or periksa.get(str(item.id))
        if not row:
            raise DomainError(_l("Isi pemeriksaan untuk setiap barang."))
        qty = _as_int(row.get("qty_diterima"), _l("Jumlah diterima tidak valid."))
        if qty > item.qty:
            raise DomainError(_l("Jumlah diterima %(nama)s melebihi jumlah pesanan.", nama=item.nama))
        kondisi = (row.get("kondisi") or "").strip() or str(_l("Baik"))
        rows.append((item, qty, kondisi[:40], row.get("sesuai") is True, (row.get("catatan") or "").strip() or None))
    nomor = (d.get("bast_nomor") or "").strip() or bast_nomor(p, now)
    if len(nomor) > 60:
        raise DomainError(_l("Nomor BAST paling panjang 60 karakter."))
    taken = db.session.execute(
        select(PesananKatalog.id).where(PesananKatalog.bast_nomor == nomor, PesananKatalog.id != p.id)
    ).first()
    if taken:
        raise Conflict(_l("Nomor BAST %(nomor)s sudah dipakai.", nomor=nomor))
    data = {
        "nomor": nomor,
        "tanggal": clock.to_local(now).date(),
        "satker": {"nama": p.satker.nama, "alamat": p.satker.alamat or "-"},
        "ppk": {"nama": f"{p.ppk.first_name} {p.ppk.last_name}".strip(), "nip": p.ppk.nrk or "-"},
        "penyedia": {"nama": p.penyedia.nama, "npwp": p.penyedia.npwp or "-", "alamat": p.penyedia.alamat or "-"},
        "sp_nomor": p.sp_nomor,
        "lines": [
            {"nama": i.nama, "satuan": i.satuan, "qty_dipesan": i.qty, "qty_diterima": q, "kondisi": k,
             "sesuai": s, "catatan": c}
            for i, q, k, s, c in rows
        ],
        "total": p.total,
    }  # fmt: skip
    pdf = dokumen_pdf.bast_pdf(data)
    ctx.data["_signed"] = tte.sign_pdf(ctx.actor, pdf, d.get("passphrase"), reason=f"BAST {nomor}")
    ctx.data["_rows"] = rows
    return {"bast_nomor": nomor, "bast_ttd_ppk_at": now}


def _simpan_bast(ctx):
    from app.models import BastItem

    p = ctx.obj
    for item, qty, kondisi, sesuai, catatan in ctx.data["_rows"]:
        db.session.add(BastItem(pesanan_id=p.id, item_id=item.id, qty_diterima=qty, kondisi=kondisi,
                                sesuai=1 if sesuai else 0, catatan=catatan))  # fmt: skip
    doc = _store_pdf(ctx.data["_signed"], "bast", f"{p.bast_nomor}.pdf", ctx.actor, clock.now())
    p.bast_dokumen_id = doc.id


def _ttd_bast(ctx):
    from app.models import Dokumen

    from . import tte

    p = ctx.obj
    if p.bast_ttd_penyedia_at:
        raise Conflict(_l("BAST sudah ditandatangani Penyedia."))
    doc = db.session.get(Dokumen, p.bast_dokumen_id)
    ctx.data["_signed"] = tte.sign_pdf(ctx.actor, documents.read(doc.stored_name), ctx.data.get("passphrase"),
                                       reason=f"BAST {p.bast_nomor}")  # fmt: skip
    return {"bast_ttd_penyedia_at": clock.now()}


def _simpan_bast_penyedia(ctx):
    p = ctx.obj
    p.bast_dokumen_id = _store_pdf(ctx.data["_signed"], "bast", f"{p.bast_nomor}.pdf", ctx.actor, clock.now()).id


# --- Penilaian (SPEC §6 step 7) ----------------------------------------------------------------------


def beri_penilaian(pesanan_id, actor, jenis, bintang, ulasan=None):
    """The PPK rates the order, the supplier's service and (Kurir Penyedia only) its courier; once each."""
    from app.models import PenilaianKatalog, Penyedia
    from app.models.purchasing import JENIS_PENILAIAN

    try:
        p = scoping.get_scoped(PesananKatalog, pesanan_id, actor)
        if actor.id != p.ppk_id:
            raise Forbidden(_l("Penilaian diberikan oleh PPK pesanan ini."))
        if not p.bast_ttd_ppk_at:  # now or later: any step after the BAST, payment included
            raise Conflict(_l("Penilaian dapat diberikan setelah pesanan tiba."))
        if jenis not in JENIS_PENILAIAN or (jenis == "kurir" and p.opsi_kirim != "kurir_penyedia"):
            raise DomainError(_l("Jenis penilaian tidak berlaku untuk pesanan ini."))
        bintang = _as_int(bintang, _l("Penilaian harus 1 sampai 5 bintang."), 1)
        if bintang > 5:
            raise DomainError(_l("Penilaian harus 1 sampai 5 bintang."))
        if db.session.execute(select(PenilaianKatalog.id).filter_by(pesanan_id=p.id, jenis=jenis)).first():
            raise Conflict(_l("Penilaian ini sudah diberikan."))
        teks = (ulasan or "").strip()[:2000] or None
        row = PenilaianKatalog(pesanan_id=p.id, jenis=jenis, bintang=bintang, ulasan=teks, user_id=actor.id,
                               created_at=clock.now())  # fmt: skip
        db.session.add(row)
        if jenis == "pesanan":
            for produk_id in sorted({item.produk_id for item in p.items}):  # two variants: one product, once
                db.session.execute(update(Produk).where(Produk.id == produk_id).values(
                    rating_total=Produk.rating_total + bintang, rating_count=Produk.rating_count + 1))  # fmt: skip
        else:  # the supplier's rating shown in the catalog counts its service and its courier
            db.session.execute(update(Penyedia).where(Penyedia.id == p.penyedia_id).values(
                rating_total=Penyedia.rating_total + bintang, rating_count=Penyedia.rating_count + 1))  # fmt: skip
        audit("pesanan_katalog", p.id, f"penilaian_{jenis}", actor, note=f"{bintang}/5", role=ROLE_PPK)
        db.session.commit()
    except IntegrityError:  # the same rating submitted twice at once: the unique key kept one
        db.session.rollback()
        raise Conflict(_l("Penilaian ini sudah diberikan.")) from None
    except Exception:
        db.session.rollback()
        raise


# --- the table (SPEC §6 steps 1–6) --------------------------------------------------------------

LABELS = {
    "ajukan_nego": _l("Ajukan Negosiasi"),
    "tawar": _l("Ajukan Tawaran Balik"),
    "terima": _l("Terima Negosiasi"),
    "batalkan": _l("Batalkan Pesanan"),
    "batal_otomatis": _l("Batal Otomatis"),
    "ajukan_ppk": _l("Ajukan ke PPK"),
    "tolak_ppk": _l("Tolak"),
    "buat_pesanan": _l("Buat Pesanan"),
    "ttd_sp": _l("Tanda Tangani Surat Pesanan"),
    "kirim": _l("Kirim"),
    "catat_pengiriman": _l("Catat Pengiriman"),
    "minta_pickup": _l("Minta Pickup"),
    "terima_barang": _l("Periksa dan Tanda Tangani BAST"),
    "ttd_bast": _l("Tanda Tangani BAST"),
    # Pembayaran (SPEC §6 step 9)
    "pilih_ls": _l("Bayar dengan LS"),
    "pilih_up": _l("Bayar dengan UP Kode Bayar"),
    "pilih_kkp": _l("Bayar dengan UP KKP"),
    "unggah_faktur": _l("Unggah Faktur Pajak"),
    "unggah_bukti_potong": _l("Simpan Bukti Potong PPh"),
    "lanjutkan_bayar": _l("Lanjutkan Pembayaran"),
    "ajukan_bendahara": _l("Ajukan ke Bendahara"),
    "konfirmasi_bayar": _l("Konfirmasi dan Terbitkan Kode Bayar"),
    "kembalikan": _l("Kembalikan ke PPK"),
    "lunas": _l("Pembayaran Diterima"),
    "kode_kedaluwarsa": _l("Kode Bayar Kedaluwarsa"),
    "terbitkan_ulang": _l("Terbitkan Kode Bayar Baru"),
    "bayar_kkp": _l("Bayar dengan KKP"),
    "kirim_ulang_tautan": _l("Kirim Ulang Tautan KKP"),
    "ganti_metode": _l("Ganti Metode Pembayaran"),
}
STYLES = {"batalkan": "danger", "tolak_ppk": "danger", "batal_otomatis": "danger", "kembalikan": "danger",
          "kode_kedaluwarsa": "danger", "ganti_metode": "default"}  # fmt: skip


def _t(source, action, target, roles, guard=None, effect=None):
    return T(source, action, target, roles, guard, effect, LABELS[action], STYLES.get(action, "primary"))


def _bayar(name):
    """A guard or effect of app/services/pembayaran.py, imported when it runs (that module imports this one)."""

    def call(ctx):
        from . import pembayaran

        return getattr(pembayaran, name)(ctx)

    call.__name__ = name
    return call


def _tb(source, action, target, roles, effect=None):
    """A payment row of the table: guard pembayaran.<action>, effect pembayaran.<effect> (by name)."""
    return _t(source, action, target, roles, _bayar(action), _bayar(effect) if effect else None)


NEGO_OPEN = ("menunggu_negosiasi", "nego_pp", "nego_penyedia", "nego_selesai")
# fmt: off
TRANSITIONS = (
    _t("menunggu_negosiasi",  "ajukan_nego",    "nego_pp",           PP,       _proposal,     _ajukan_pp),
    _t("nego_penyedia",       "ajukan_nego",    "nego_pp",           PP,       _proposal,     _ajukan_pp),
    _t("nego_pp",             "tawar",          "nego_penyedia",     PENYEDIA, _proposal,     _tawar_penyedia),
    _t("nego_pp",             "terima",         "nego_selesai",      PENYEDIA, None,          _selesai_tunggu),
    _t("nego_penyedia",       "terima",         "nego_selesai",      PP,       None,          _selesai_tunggu),
    _t("nego_selesai",        "ajukan_ppk",     "menunggu_ppk",      PP,       None,          _ke_ppk),
    _t("menunggu_ppk",        "tolak_ppk",      "ditolak_ppk",       PPK,      _alasan,       _lepas_anggaran),
    _t("menunggu_ppk",        "buat_pesanan",   "konfirmasi_penyedia", PPK,    _buat_sp,      _simpan_sp),
    _t("konfirmasi_penyedia", "ttd_sp",         "diproses_penyedia", PENYEDIA, _ttd_penyedia, _simpan_sp_penyedia),
    _t("diproses_penyedia",   "kirim",          "dalam_pengiriman",  PENYEDIA, _event,        _simpan_event),
    _t("diproses_penyedia",   "catat_pengiriman", "diproses_penyedia", PENYEDIA, _event,      _simpan_event),
    _t("dalam_pengiriman",    "catat_pengiriman", "dalam_pengiriman",  PENYEDIA, _event,      _simpan_event),
    _t("diproses_penyedia",   "minta_pickup",   "diproses_penyedia", PENYEDIA, _pickup),
    _t("dalam_pengiriman",    "terima_barang",  "pesanan_tiba",      PPK,      _periksa,      _simpan_bast),
    _t("pesanan_tiba",        "ttd_bast",       "pesanan_tiba",      PENYEDIA, _ttd_bast,     _simpan_bast_penyedia),
    _t("nego_pp",             "batal_otomatis", "batal_otomatis",    SISTEM,   _otomatis,     _lepas_anggaran),
    _t("nego_penyedia",       "batal_otomatis", "batal_otomatis",    SISTEM,   _otomatis,     _lepas_anggaran),
    _t("menunggu_ppk",        "batal_otomatis", "batal_otomatis",    SISTEM,   _otomatis,     _lepas_anggaran),
    _t("konfirmasi_penyedia", "batal_otomatis", "batal_otomatis",    SISTEM,   _otomatis,     _lepas_anggaran),
) + tuple(
    _t(state,                 "batalkan",       "dibatalkan",        PP | PENYEDIA, _alasan,  _lepas_anggaran)
    for state in NEGO_OPEN
) + (
    # Pembayaran (SPEC §6 step 9): the guard is pembayaran.<action>, the effect pembayaran.<name> (_tb)
    _tb("pesanan_tiba",       "pilih_ls",            "ls_dokumen",         PPK,       "simpan_metode"),
    _tb("pesanan_tiba",       "pilih_up",            "pilih_bendahara",    PPK,       "simpan_metode"),
    _tb("pesanan_tiba",       "pilih_kkp",           "kkp_menunggu",       PPK,       "simpan_metode"),
    _tb("ls_dokumen",         "unggah_faktur",       "ls_dokumen",         PENYEDIA,  "simpan_faktur"),
    _tb("dikembalikan",       "unggah_faktur",       "dikembalikan",       PENYEDIA,  "simpan_faktur"),
    _tb("ls_dokumen",         "unggah_bukti_potong", "ls_dokumen",         PPK,       "simpan_bukti_potong"),
    _tb("dikembalikan",       "unggah_bukti_potong", "dikembalikan",       PPK,       "simpan_bukti_potong"),
    _tb("ls_dokumen",         "lanjutkan_bayar",     "pilih_bendahara",    PPK),
    _tb("pilih_bendahara",    "ajukan_bendahara",    "menunggu_bendahara", PPK,       "simpan_bendahara"),
    _tb("dikembalikan",       "ajukan_bendahara",    "menunggu_bendahara", PPK,       "simpan_bendahara"),
    _tb("menunggu_bendahara", "konfirmasi_bayar",    "kode_bayar_terbit",  BENDAHARA, "simpan_kode"),
    _tb("menunggu_bendahara", "kembalikan",          "dikembalikan",       BENDAHARA),
    _tb("kode_bayar_terbit",  "lunas",               "selesai",            SISTEM,    "simpan_lunas"),
    _tb("kode_bayar_terbit",  "kode_kedaluwarsa",    "kode_kedaluwarsa",   SISTEM,    "simpan_kedaluwarsa"),
    _tb("kode_kedaluwarsa",   "terbitkan_ulang",     "kode_bayar_terbit",  BENDAHARA, "simpan_kode"),
    _tb("kkp_menunggu",       "bayar_kkp",           "selesai",            PPK,       "simpan_lunas"),
    _tb("kkp_menunggu",       "lunas",               "selesai",            SISTEM,    "simpan_lunas"),
    _tb("kkp_menunggu",       "kirim_ulang_tautan",  "kkp_menunggu",       PPK,       "simpan_tautan_baru"),
) + tuple(
    _tb(state,                "ganti_metode",        "pesanan_tiba",       PPK,       "simpan_ganti_metode")
    for state in ("ls_dokumen", "pilih_bendahara", "dikembalikan", "kkp_menunggu")
)
# fmt: on
FIELDS = {
    "ajukan_nego": ("harga", "harga_layanan", "ongkir", "catatan"),
    "tawar": ("harga", "harga_layanan", "ongkir", "catatan"),
    "batalkan": ("alasan",),
    "tolak_ppk": ("alasan",),
    "buat_pesanan": ("klausul", "passphrase"),
    "ttd_sp": ("passphrase",),
    "kirim": ("waktu", "lokasi", "status", "catatan"),
    "catat_pengiriman": ("waktu", "lokasi", "status", "catatan"),
    "terima_barang": ("periksa", "bast_nomor", "passphrase"),
    "ttd_bast": ("passphrase",),
    "pilih_kkp": ("pemegang", "nama_pemegang", "email_pemegang"),
    "unggah_faktur": ("berkas", "nama_berkas", "jenis_tagihan", "nomor_tagihan"),
    "unggah_bukti_potong": ("berkas", "nama_berkas", "jenis_pph", "jumlah_pph", "tanpa_bukti_potong"),
    "ajukan_bendahara": ("bendahara_id",),
    "konfirmasi_bayar": ("dokumen_diperiksa",),
    "kembalikan": ("alasan",),
    "bayar_kkp": ("setuju",),
}


def _is_party(p, actor, transition):
    roles = scoping.roles_of(actor) & transition.roles
    if ROLE_SISTEM in roles:
        return True
    if ROLE_PENYEDIA in roles and actor.penyedia_id == p.penyedia_id:
        return True
    if ROLE_PP in roles and actor.id == p.pp_id:
        return True
    if ROLE_BENDAHARA in roles:  # the BUD / Bendahara Pengeluaran the PPK sent the payment to
        from .pembayaran import bendahara_id

        if actor.id == bendahara_id(p):
            return True
    return ROLE_PPK in roles and actor.id == p.ppk_id


def _pihak_berikut(p, status):
    """Who must act next in this status (they get the email and the reminders)."""
    penyedia = notify.penyedia_emails(p.penyedia_id)
    return {
        "nego_pp": penyedia,
        "nego_penyedia": [p.pp.email],
        "nego_selesai": [p.pp.email],
        "menunggu_ppk": [p.ppk.email],
        "konfirmasi_penyedia": penyedia,
        "diproses_penyedia": [p.pp.email, p.ppk.email],
        "dalam_pengiriman": [p.pp.email, p.ppk.email],
        "pesanan_tiba": penyedia,
    }.get(status) or _pihak_pembayaran(p, status)


def _pihak_pembayaran(p, status):
    from .pembayaran import STATUS_BAYAR, pihak_berikut

    return pihak_berikut(p, status) if status in STATUS_BAYAR else None


def _notify(ctx):
    p, t = ctx.obj, ctx.transition
    next_party = _pihak_berikut(p, t.target) or [p.pp.email] + notify.penyedia_emails(p.penyedia_id)
    with force_locale("id"):
        subject = gettext("Pesanan %(nomor)s: %(status)s", nomor=p.nomor, status=str(STATUS_KATALOG[t.target]))
        body = gettext(
            "Pesanan %(nomor)s kini berstatus %(status)s setelah aksi %(aksi)s.\n"
            "Buka portal untuk melihat rincian dan langkah berikutnya.",
            nomor=p.nomor,
            status=str(STATUS_KATALOG[t.target]),
            aksi=str(t.label),
        )
    for email in sorted({e for e in next_party if e}):
        notify.queue_email(email, subject, body, key=f"katalog:{p.id}:v{p.version}:{email}")


KATALOG = Workflow(
    entity="pesanan_katalog",
    model=PesananKatalog,
    transitions=TRANSITIONS,
    labels=STATUS_KATALOG,
    party=_is_party,
    noun=_l("Pesanan"),
    on_applied=_notify,
)


def jalankan(pesanan_id, action, actor, expected_version=None, **data):
    data = {k: data[k] for k in FIELDS.get(action, ()) if k in data}
    return apply(KATALOG, pesanan_id, action, actor, expected_version=expected_version, **data)


def kirim_chat(pesanan_id, actor, teks):
    """A message about the order, between its PP and its Penyedia."""
    try:
        p = scoping.get_scoped(PesananKatalog, pesanan_id, actor)
        if not (actor.id == p.pp_id or actor.penyedia_id == p.penyedia_id):
            raise Forbidden(_l("Hanya PP dan Penyedia pesanan ini yang dapat berdiskusi."))
        teks = (teks or "").strip()
        if not teks:
            raise DomainError(_l("Pesan kosong."))
        msg = PesanChat(pesanan_id=p.id, user_id=actor.id, teks=teks[:4000], created_at=clock.now())
        db.session.add(msg)
        db.session.commit()
        return msg
    except Exception:
        db.session.rollback()
        raise


def riwayat_negosiasi(p):
    return (
        db.session.execute(
            select(NegosiasiRonde).where(NegosiasiRonde.pesanan_id == p.id).order_by(NegosiasiRonde.nomor_ronde)
        )
        .scalars()
        .all()
    )


def _deadline_kinds():
    def expire(row):
        apply(KATALOG, row.entity_id, "batal_otomatis", SYSTEM)

    def remind(row):
        p = db.session.get(PesananKatalog, row.entity_id)
        who = _pihak_berikut(p, p.status) or []
        with force_locale("id"):
            subject = gettext("Pengingat: pesanan %(nomor)s menunggu tanggapan Anda", nomor=p.nomor)
            body = gettext(
                "Pesanan %(nomor)s (%(status)s) batal otomatis bila tidak ditanggapi sebelum batas waktu.",
                nomor=p.nomor,
                status=str(p.status_label),
            )
        return [(email, subject, body) for email in who]

    for kind in ("negosiasi", "persetujuan_ppk", "ttd_sp"):
        deadlines.register(kind, expire, remind, current_app.config.get("DEADLINE_REMINDER_HOURS", (24, 3)))


def init_app(app):
    with app.app_context():
        _deadline_kinds()
