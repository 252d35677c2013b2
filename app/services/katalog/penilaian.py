"""Ratings (SPEC §6 step 7): after the BAST the order's PPK rates the order, the supplier's service and
(Kurir Penyedia only) its courier, once each; they feed the catalogue's product and supplier ratings."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import PenilaianKatalog, Penyedia, PesananKatalog, Produk
from app.models.purchasing import JENIS_PENILAIAN
from app.roles import ROLE_PPK

from .. import audit, catalog, clock, scoping
from ..errors import Conflict, DomainError, Forbidden
from . import angka
from .bersama import ENTITY


def beri_penilaian(pesanan_id, actor, jenis, bintang, ulasan=None):
    """The PPK rates the order, the supplier's service and (Kurir Penyedia only) its courier; once each."""
    try:
        p = scoping.get_scoped(PesananKatalog, pesanan_id, actor)
        if actor.id != p.ppk_id:
            raise Forbidden(_l("Penilaian diberikan oleh PPK pesanan ini."))
        if not p.bast_ttd_ppk_at:  # now or later: any step after the BAST, payment included
            raise Conflict(_l("Penilaian dapat diberikan setelah pesanan tiba."))
        if jenis not in JENIS_PENILAIAN or (jenis == "kurir" and p.opsi_kirim != "kurir_penyedia"):
            raise DomainError(_l("Jenis penilaian tidak berlaku untuk pesanan ini."))
        bintang = angka.bulat(bintang, _l("Penilaian harus 1 sampai 5 bintang."), 1)
        if bintang > 5:
            raise DomainError(_l("Penilaian harus 1 sampai 5 bintang."))
        if db.session.execute(select(PenilaianKatalog.id).filter_by(pesanan_id=p.id, jenis=jenis)).first():
            raise Conflict(_l("Penilaian ini sudah diberikan."))
        teks = (ulasan or "").strip()[:2000] or None
        row = PenilaianKatalog(
            pesanan_id=p.id, jenis=jenis, bintang=bintang, ulasan=teks, user_id=actor.id, created_at=clock.now()
        )
        db.session.add(row)
        if jenis == "pesanan":
            for produk_id in sorted({item.produk_id for item in p.items}):  # two variants: one product, once
                catalog.tambah_rating(Produk, produk_id, bintang)
        else:  # the supplier's rating shown in the catalog counts its service and its courier
            catalog.tambah_rating(Penyedia, p.penyedia_id, bintang)
        audit.catat(ENTITY, p.id, f"penilaian_{jenis}", actor, note=f"{bintang}/5", role=ROLE_PPK)
        db.session.commit()
    except IntegrityError:  # the same rating submitted twice at once: the unique key kept one
        db.session.rollback()
        raise Conflict(_l("Penilaian ini sudah diberikan.")) from None
    except Exception:
        db.session.rollback()
        raise


def jenis_berlaku(p):
    """[(jenis, label)] the order can be rated on (courier only for Kurir Penyedia)."""
    return [(j, JENIS_PENILAIAN[j]) for j in JENIS_PENILAIAN if j != "kurir" or p.opsi_kirim == "kurir_penyedia"]


def sudah_dinilai(p):
    rows = db.session.execute(select(PenilaianKatalog).where(PenilaianKatalog.pesanan_id == p.id)).scalars()
    return {r.jenis: r for r in rows}


def boleh_menilai(p, actor):
    return ROLE_PPK in scoping.roles_of(actor) and actor.id == p.ppk_id and p.bast_ttd_ppk_at is not None
