"""Checkout (SPEC §6 step 1): the PP orders lines of one Penyedia against a RUP of the satker, with the
preparation document; the order starts in Menunggu Negosiasi and its total is committed on the RUP."""

import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    KeranjangKatalog,
    KeranjangKatalogLayanan,
    PesananKatalog,
    PesananKatalogItem,
    PesananKatalogLayanan,
    PortalUser,
    Produk,
    Rup,
)
from app.models.purchasing import OPSI_KIRIM
from app.roles import ROLE_PP, ROLE_PPK

from .. import audit, catalog, clock, documents, money, scoping
from ..errors import Conflict, DomainError, Forbidden
from . import angka
from .bersama import ENTITY

DOKUMEN_PERSIAPAN_MAX = 10 * 1024 * 1024
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# What the checkout form sends besides the lines and the preparation document (checkout()'s arguments).
ISIAN = (
    "rup_id",
    "ppk_id",
    "alamat_kirim",
    "jenis_pengiriman",
    "tahapan_pengiriman",
    "tanggal_tiba_diminta",
    "opsi_kirim",
    "kurir_nama",
    "ongkir_estimasi",
    "estimasi_hari",
)


def checkout(pp, lines, dokumen_persiapan, rup_id, ppk_id, alamat_kirim, jenis_pengiriman, tanggal_tiba_diminta,
             opsi_kirim, tahapan_pengiriman=1, kurir_nama=None, ongkir_estimasi=0, estimasi_hari=None,
             keranjang_ids=None, token=None):  # fmt: skip
    """PP checks out cart lines of one Penyedia: lines = [{produk_id, qty, varian_id?, layanan_ids?}]
    (a variant's own price and "Produk — Varian" name; services at their own price);
    dokumen_persiapan = (filename, PDF bytes). Commits the order's total on the RUP.
    keranjang_ids: the PP's cart lines (KeranjangKatalog) these lines come from, removed in the
    same commit as the order (a line already gone, e.g. checked out in another tab, is a 409).
    token: the checkout form's one-time token, kept with the order (unique): the same form posted again,
    even twenty times at once, returns the one order it made (`p.sudah_ada` is then True) and commits,
    stores and audits nothing more."""
    if token is not None and not (isinstance(token, str) and TOKEN.fullmatch(token)):
        raise DomainError(_l("Formulir checkout tidak valid. Muat ulang halaman checkout lalu coba lagi."))
    if token and (sudah := dari_token(pp, token)) is not None:
        return sudah
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
            qty = angka.bulat(line.get("qty"), _l("Jumlah pesanan tidak valid."), minimum=1)
            if qty < p.min_pesan or qty > p.max_pesan:
                raise DomainError(
                    _l(
                        "Jumlah %(nama)s harus antara %(min)s dan %(max)s.",
                        nama=p.nama,
                        min=p.min_pesan,
                        max=p.max_pesan,
                    )
                )
            varian = catalog.varian_dari(p, line.get("varian_id"))
            produk.append((p, qty, varian, catalog.layanan_dari(p, line.get("layanan_ids"))))
        # the very counting the SP's signature takes stock by: a variant with its own stock apart, the rest
        # of a product's lines (two variants without their own stock) sharing the product's
        lines_stok = [SimpleNamespace(produk_id=p.id, varian_id=v.id if v else None, qty=q) for p, q, v, _ in produk]
        angka.cek_stok(angka.kebutuhan_stok(lines_stok))
        if len({p.penyedia_id for p, _, _, _ in produk}) != 1:
            raise DomainError(_l("Satu pesanan hanya untuk satu Penyedia; checkout per Penyedia."))
        if not catalog.penyedia_aktif(produk[0][0].penyedia_id):
            raise DomainError(
                _l(
                    "Penyedia %(nama)s belum memiliki pengguna aktif yang dapat menanggapi pesanan; pilih produk "
                    "Penyedia lain.",
                    nama=produk[0][0].penyedia.nama,
                )
            )
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
        tahapan = angka.bulat(tahapan_pengiriman, _l("Tahapan pengiriman tidak valid."), minimum=1, maximum=100)
        if len(jenis_pengiriman.strip()) > 40 or len((kurir_nama or "").strip()) > 80:
            raise DomainError(_l("Jenis pengiriman paling panjang 40 karakter dan nama kurir 80 karakter."))
        ongkir_estimasi = angka.bulat(ongkir_estimasi or 0, _l("Estimasi ongkos kirim tidak valid."))
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
            checkout_token=token or None,
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
            # Kurir Penyedia's shipping is the Penyedia's own taxable delivery; a courier's bill is passed on
            ongkir_ppn_persen=money.PPN_DEFAULT if opsi_kirim == "kurir_penyedia" else Decimal(0),
            ongkir_ppnbm_persen=Decimal(0),
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
                    PesananKatalogLayanan(
                        layanan_id=lay.id,
                        nama=lay.nama,
                        harga_katalog=lay.harga,
                        harga=lay.harga,
                        ppn_persen=lay.ppn_persen,
                        ppnbm_persen=lay.ppnbm_persen,
                    )
                )
        angka.hitung(p)
        if p.total > rup.sisa:  # early, so a refused checkout writes no file; the compare-and-set below decides
            raise angka.anggaran_kurang(rup, p.total)
        doc = documents.simpan(data, "persiapan", name or "persiapan.pdf", pp, documents.PDF)
        p.dokumen_persiapan_id = doc.id
        db.session.add(p)
        db.session.flush()
        p.nomor = f"KAT/{clock.to_local(now).year}/{p.id:06d}"
        angka.pakai_anggaran(p, p.total)
        audit.catat(ENTITY, p.id, "checkout", pp, None, p.status, role=ROLE_PP)
        audit.catat("dokumen", doc.id, "unggah", pp, note=f"persiapan e-purchasing {p.nomor}")
        db.session.commit()
        p.sudah_ada = False
        return p
    except IntegrityError:
        db.session.rollback()
        sudah = dari_token(pp, token) if token else None
        if sudah is None:
            raise
        return sudah  # the same form, posted at the same moment by another request, made the order
    except Exception:
        db.session.rollback()
        raise


def dari_token(pp, token):
    """The PP's order made from this checkout form, or None; another PP's token is refused. One statement,
    so an order committed by the same form in another request between two reads cannot be mistaken."""
    p = db.session.execute(select(PesananKatalog).where(PesananKatalog.checkout_token == token)).scalar_one_or_none()
    if p is None:
        return None
    if p.pp_id != pp.id:
        raise DomainError(_l("Formulir checkout tidak valid. Muat ulang halaman checkout lalu coba lagi."))
    p.sudah_ada = True
    return p
