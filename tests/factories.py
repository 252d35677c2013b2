"""Small builders for tests; everything goes through models or services, nothing mocked."""

import io
import itertools
from datetime import time, timedelta
from decimal import Decimal

from flask import current_app
from PIL import Image
from reportlab.pdfgen import canvas
from sqlalchemy import select

from app.extensions import db
from app.models import Alamat, Instansi, Kategori, Penyedia, Produk, Satker, Wilayah
from app.services import clock, eorder

_seq = itertools.count(1)
PASSWORD = "Rahasia-Uji-2026"


def pdf_bytes(text="Invoice"):
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.save()
    return buf.getvalue()


def png_bytes():
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    return buf.getvalue()


class Factories:
    def instansi(self):
        n = next(_seq)
        obj = Instansi(kode=f"INS{n}", nama=f"Instansi {n}", jenis="pemda")
        db.session.add(obj)
        db.session.commit()
        return obj

    def satker(self, jenis="bumd", instansi=None):
        n = next(_seq)
        obj = Satker(instansi=instansi or self.instansi(), kode=f"SK{n}", nama=f"Satker {n}", jenis=jenis)
        db.session.add(obj)
        db.session.commit()
        return obj

    def penyedia(self, nama=None):
        n = next(_seq)
        kel = db.session.execute(select(Wilayah).where(Wilayah.level == "kelurahan")).scalars().first()
        obj = Penyedia(
            nama=nama or f"UMKM Uji {n}",
            npwp=f"{n:015d}",
            nib=f"{n:013d}",
            is_umkm=True,
            telepon="081200000000",
            alamat="Jl. Uji No. 1",
            kelurahan_code=kel.code,
        )
        db.session.add(obj)
        db.session.commit()
        return obj

    def user(self, role, satker=None, penyedia=None, username=None, nrk=None):
        n = next(_seq)
        username = username or f"{role.lower()}{n}"
        sm = current_app.appbuilder.sm
        user = sm.add_user(username, role, f"Uji{n}", f"{username}@uji.local", sm.find_role(role), password=PASSWORD)
        assert user, "user not created"
        user.satker_id = satker.id if satker else None
        user.penyedia_id = penyedia.id if penyedia else None
        user.nrk = nrk
        db.session.commit()
        return user

    def pembeli(self, satker=None, **kw):
        return self.user("Pembeli", satker=satker or self.satker("bumd"), **kw)

    def penyedia_user(self, penyedia=None, **kw):
        return self.user("Penyedia", penyedia=penyedia or self.penyedia(), **kw)

    def kategori(self):
        return db.session.execute(select(Kategori).where(Kategori.level == 2)).scalars().first()

    def produk(self, penyedia, **kw):
        values = dict(
            nama=f"Produk {next(_seq)}",
            harga=25_000,
            ppn_persen=Decimal("11"),
            ppnbm_persen=Decimal("0"),
            min_pesan=2,
            max_pesan=50,
            stok=100,
            ketersediaan="ready",
            deskripsi="Produk uji.",
            status="tayang",
            version=1,
            created_at=clock.now(),
        )
        values.update(kw)
        obj = Produk(penyedia_id=penyedia.id, kategori_id=self.kategori().id, **values)
        db.session.add(obj)
        db.session.commit()
        return obj

    def alamat(self, user, jenis=None):
        if jenis is None:
            has_utama = db.session.execute(
                select(Alamat.id).where(Alamat.user_id == user.id, Alamat.jenis == "utama")
            ).first()
            jenis = "kegiatan" if has_utama else "utama"
        kel = (
            db.session.execute(select(Wilayah).where(Wilayah.level == "kelurahan", Wilayah.code.like("31.71.%")))
            .scalars()
            .first()
        )
        kec = db.session.get(Wilayah, kel.parent_code)
        kota = db.session.get(Wilayah, kec.parent_code)
        obj = Alamat(
            user_id=user.id,
            satker_id=user.satker_id,
            nama="Kantor",
            jenis=jenis,
            jalan="Jl. Medan Merdeka No. 1",
            provinsi_code=kota.parent_code,
            kota_code=kota.code,
            kecamatan_code=kec.code,
            kelurahan_code=kel.code,
            kode_pos="10110",
        )
        db.session.add(obj)
        db.session.commit()
        return obj

    def detail(self, pembeli, alamat=None, days=3):
        return dict(
            alamat_id=(alamat or self.alamat(pembeli)).id,
            tanggal_kegiatan=clock.today_local() + timedelta(days=days),
            waktu_kegiatan=time(9, 30),
            nama_kegiatan="Rapat Koordinasi",
            catatan="Antar ke lobi",
            metode_bayar="cod",
        )

    def scenario(self, until="draft"):
        """A buyer, a supplier, a product and an order walked to `until` through the service."""
        penyedia = self.penyedia()
        s_user = self.penyedia_user(penyedia)
        b_user = self.pembeli()
        produk = self.produk(penyedia)
        p = eorder.tambah_ke_keranjang(b_user, produk.id, 4)
        steps = [
            ("draft", None, None),
            ("detail", "isi_detail", b_user),
            ("dipesan", "konfirmasi_pesanan", b_user),
            ("diproses", "konfirmasi", s_user),
            ("dikirim", "kirim", s_user),
            ("dokumen", None, None),
            ("diterima", "konfirmasi_penerimaan", b_user),
            ("selesai", "beri_penilaian", b_user),
        ]
        for name, action, actor in steps:
            if action == "isi_detail":
                eorder.jalankan(p.id, action, actor, **self.detail(b_user))
            elif action == "konfirmasi_penerimaan":
                eorder.jalankan(p.id, action, actor, jumlah_sesuai=True, kondisi_baik=True, waktu_tempat_sesuai=True)
            elif action == "beri_penilaian":
                eorder.jalankan(p.id, action, actor, bintang=5, ulasan="Mantap")
            elif action:
                eorder.jalankan(p.id, action, actor)
            elif name == "dokumen":
                for jenis in ("invoice", "kwitansi"):
                    eorder.jalankan(p.id, "upload_dokumen", s_user, jenis=jenis, data=pdf_bytes(), filename="a.pdf")
            if name == until:
                break
        db.session.refresh(p)
        return dict(pesanan=p, pembeli=b_user, penyedia_user=s_user, penyedia=penyedia, produk=produk)
