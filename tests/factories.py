"""Small builders for tests; everything goes through models or services, nothing mocked."""

import functools
import io
import itertools
import re
from datetime import date, time, timedelta
from decimal import Decimal

from flask import current_app
from PIL import Image
from reportlab.pdfgen import canvas
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import (
    AksesPengguna,
    Alamat,
    EmailOutbox,
    Instansi,
    Kategori,
    Penyedia,
    PermohonanTte,
    Produk,
    ProfilPengguna,
    Rup,
    Satker,
    Wilayah,
)
from app.models.purchasing import STATUS_KATALOG
from app.services import clock, documents, eorder, katalog, tte
from app.services.verifikasi import AKSES_ROLE
from app.services.workflow import SYSTEM, apply

_seq = itertools.count(1)
PASSWORD = "Rahasia-Uji-2026"
# the TTE passphrases of a Katalog world: every PPK of it signs with PASS_PPK, every Penyedia user with
# PASS_PENYEDIA (so an official who is not the order's party would *succeed* if a party rule let them through)
PASS_PPK, PASS_PENYEDIA = "rahasia-ppk-123", "rahasia-umkm-456"
# the statuses of the payment step after the method is picked, where a Bendahara may be chosen
_BAYAR_BENDAHARA = ("pilih_bendahara", "menunggu_bendahara", "dikembalikan", "kode_bayar_terbit", "kode_kedaluwarsa")


@functools.cache
def _password_hash(method, salt_length):
    """The shared test password hashed once per process: scrypt per user made every world slow to build."""
    return generate_password_hash(PASSWORD, method=method, salt_length=salt_length)


def pdf_bytes(text="Invoice"):
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.save()
    return buf.getvalue()


def katalog_checkout_form(w, qty=2, **kw):
    """The checkout page's multipart form for a Katalog world (katalog_dunia): its product, RUP and PPK."""
    data = {
        "produk_id": [str(w["produk"].id)],
        "qty": [str(qty)],
        "rup_id": str(w["rup"].id),
        "ppk_id": str(w["ppk"].id),
        "alamat_kirim": "Jl. Medan Merdeka Selatan 8-9, Jakarta Pusat",
        "jenis_pengiriman": "Dikirim ke kantor",
        "tahapan_pengiriman": "1",
        "tanggal_tiba_diminta": (clock.today_local() + timedelta(days=14)).isoformat(),
        "opsi_kirim": "kurir_penyedia",
        "dokumen_persiapan": (io.BytesIO(pdf_bytes("Dokumen persiapan")), "persiapan.pdf"),
    }
    data.update(kw)
    return data


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
        cfg = current_app.config
        method, salt = cfg.get("FAB_PASSWORD_HASH_METHOD", "scrypt"), cfg.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16)
        hashed = _password_hash(method, salt)
        user = sm.add_user(
            username, role, f"Uji{n}", f"{username}@uji.local", sm.find_role(role), hashed_password=hashed
        )
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

    # --- Katalog e-purchasing ------------------------------------------------------------------------------

    def katalog_dunia(self, pagu=10**9, rup_kode=None, **produk_kw):
        """A satker with its PP and PPK, a Penyedia company with one user, a Tayang product and a RUP."""
        satker = self.satker("satker")
        pp = self.user("PP", satker=satker)
        ppk = self.user("PPK", satker=satker)
        penyedia = self.penyedia()
        supplier = self.penyedia_user(penyedia)
        values = dict(harga=100_000, ppn_persen=Decimal("11"), min_pesan=1, max_pesan=100, stok=100)
        values.update(produk_kw)
        produk = self.produk(penyedia, **values)
        rup = Rup(kode=rup_kode or f"RUP-{next(_seq)}", nama="Belanja ATK", tahun=clock.today_local().year,
                  satker_id=satker.id, pagu=pagu, terpakai=0)  # fmt: skip
        db.session.add(rup)
        db.session.commit()
        return dict(satker=satker, pp=pp, ppk=ppk, penyedia=penyedia, supplier=supplier, penyedia_user=supplier,
                    produk=produk, rup=rup)  # fmt: skip

    def katalog_checkout(self, w, qty=10, **kw):
        """The world's PP checks `qty` of its product out against its RUP (Menunggu Negosiasi)."""
        args = dict(
            lines=[{"produk_id": w["produk"].id, "qty": qty}],
            dokumen_persiapan=("persiapan.pdf", pdf_bytes("Dokumen persiapan")),
            rup_id=w["rup"].id,
            ppk_id=w["ppk"].id,
            alamat_kirim="Jl. Medan Merdeka Selatan 8-9, Jakarta Pusat",
            jenis_pengiriman="Dikirim ke kantor",
            tanggal_tiba_diminta=clock.today_local() + timedelta(days=14),
            opsi_kirim="kurir_penyedia",
        )
        args.update(kw)
        return katalog.checkout.checkout(w["pp"], **args)

    def bendahara(self, satker, akses="bendahara_pengeluaran"):
        """A Bendahara whose active Verifikasi Akses says which kind they are (BUD or Bendahara Pengeluaran)."""
        user = self.user("Bendahara", satker=satker)
        doc = documents.simpan(pdf_bytes("Surat Tugas"), "surat_tugas", "surat-tugas.pdf", user, documents.PDF)
        db.session.add(
            AksesPengguna(user_id=user.id, instansi_id=satker.instansi_id, akses=akses, satker_id=satker.id,
                          surat_tugas_id=doc.id, status="aktif", version=1, submitted_at=clock.now())
        )  # fmt: skip
        db.session.commit()
        return user

    def tte_disetujui(self, user, nik="3171011708900001"):
        """An approved TTE activation request of the user, as the instansi's TTE verifier's Setujui leaves it
        (a Penyedia's signer: the PENYEDIA_INSTANSI_KODE instansi, created when the test world has none)."""
        if user.satker_id:
            instansi_id = db.session.get(Satker, user.satker_id).instansi_id
        else:
            kode = current_app.config.get("PENYEDIA_INSTANSI_KODE", "PEMPROV-DKI")
            operator = db.session.execute(select(Instansi).where(Instansi.kode == kode)).scalar_one_or_none()
            if operator is None:
                operator = Instansi(kode=kode, nama="Pemprov DKI", jenis="pemda")
                db.session.add(operator)
                db.session.flush()
            instansi_id = operator.id
        now = clock.now()
        row = PermohonanTte(user_id=user.id, instansi_id=instansi_id, nik=nik, status="disetujui", version=1,
                            submitted_at=now, updated_at=now)  # fmt: skip
        db.session.add(row)
        db.session.commit()
        return row

    def tte(self, user, passphrase):
        """The user's TTE, approved and activated once (EC P-256: cheap; the signatures are the slow part)."""
        if tte.status(user) != tte.AKTIF:
            if not tte.boleh_aktifkan(user):
                self.tte_disetujui(user)
            tte.aktifkan(user, passphrase, passphrase)
        return user

    def katalog(self, until="menunggu_negosiasi", dunia=None, qty=10, harga=90_000, ongkir=None, metode=None,
                pemegang="ppk", ttd_bast=True, dokumen_ls=None, **checkout_kw):  # fmt: skip
        """A Katalog order walked through the service layer (katalog.checkout, katalog.jalankan) to `until`.

        `until` is any status of STATUS_KATALOG. Where several paths lead there:
        - metode: "up_kode_bayar" (default for the Bendahara and kode bayar statuses), "ls" (default for
          ls_dokumen) or "up_kkp" (kkp_menunggu, and the default way to selesai);
        - pemegang: who holds the KKP card, "ppk" or "lain" (then w["kkp_token"] is the emailed link's token);
        - ttd_bast: at pesanan_tiba, whether the Penyedia has countersigned the BAST too (payment needs it);
        - dokumen_ls: at ls_dokumen, whether the faktur and the bukti potong are in (default: no);
        - checkout_kw: for the checkout, e.g. opsi_kirim="pihak_ketiga", kurir_nama="JNE".
        Returns the world (katalog_dunia's keys) with `pesanan`, and where they exist `bp` and `bud` (a
        Bendahara Pengeluaran and a BUD of the satker), `bendahara` (the one chosen), `kode` (the active
        kode bayar) and `kkp_token`. The TTE of the PPK and of the Penyedia user is activated from
        Menunggu Persetujuan PPK on."""
        if until not in STATUS_KATALOG:
            raise ValueError(f"unknown Katalog status {until!r}")
        if metode is None:
            metode = {"ls_dokumen": "ls", "kkp_menunggu": "up_kkp", "selesai": "up_kkp"}.get(until, "up_kode_bayar")
        if dokumen_ls is None:
            dokumen_ls = until != "ls_dokumen"
        w = dunia if dunia is not None else self.katalog_dunia()
        p = self.katalog_checkout(w, qty=qty, **checkout_kw)
        opts = dict(qty=qty, harga=harga, ongkir=ongkir, metode=metode, pemegang=pemegang)
        for _ in range(40):
            if p.status == until and (until != "pesanan_tiba" or not ttd_bast or p.bast_ttd_penyedia_at):
                row = katalog.pihak.pembayaran_of(p)
                if until != "ls_dokumen" or not dokumen_ls or not katalog.pembayaran.dokumen_kurang(row):
                    break
            p = self._katalog_langkah(w, p, until, opts)
        else:  # pragma: no cover - a walk that loops is a bug of this factory
            raise AssertionError(f"no way from {p.status} to {until}")
        if p.status == "menunggu_ppk":  # the next step is the PPK's signature
            self.tte(w["ppk"], PASS_PPK)
            self.tte(w["supplier"], PASS_PENYEDIA)
        if p.status in _BAYAR_BENDAHARA:
            self._katalog_bendahara(w)
        row = katalog.pihak.pembayaran_of(p)
        if row is not None and row.bendahara_id:
            w["bendahara"] = row.bendahara
        w["kode"] = katalog.pembayaran.kode_aktif(p)
        db.session.refresh(p)
        w["pesanan"] = p
        return w

    def _katalog_bendahara(self, w):
        if "bp" not in w:
            w["bp"] = self.bendahara(w["satker"], "bendahara_pengeluaran")
            w["bud"] = self.bendahara(w["satker"], "bud")

    def _katalog_langkah(self, w, p, until, o):
        """One step of the walk towards `until` (the table's rows, taken by the order's parties)."""
        run, pp, ppk, supplier = katalog.jalankan, w["pp"], w["ppk"], w["supplier"]
        s = p.status
        harga = {p.items[0].id: o["harga"]}
        if s == "menunggu_negosiasi":
            if until == "dibatalkan":
                return run(p.id, "batalkan", pp, alasan="Kebutuhan berubah")
            extra = {"ongkir": o["ongkir"]} if o["ongkir"] is not None else {}
            return run(p.id, "ajukan_nego", pp, harga=harga, **extra)
        if s == "nego_pp":
            if until == "nego_penyedia":
                return run(p.id, "tawar", supplier, harga=harga)
            if until == "batal_otomatis":
                return apply(katalog.KATALOG, p.id, "batal_otomatis", SYSTEM)
            return run(p.id, "terima", supplier)
        if s == "nego_penyedia":
            return run(p.id, "terima", pp)
        if s == "nego_selesai":
            return run(p.id, "ajukan_ppk", pp)
        if s == "menunggu_ppk":
            self.tte(ppk, PASS_PPK)
            self.tte(supplier, PASS_PENYEDIA)
            if until == "ditolak_ppk":
                return run(p.id, "tolak_ppk", ppk, alasan="Spesifikasi tidak sesuai")
            return run(p.id, "buat_pesanan", ppk, passphrase=PASS_PPK)
        if s == "konfirmasi_penyedia":
            return run(p.id, "ttd_sp", supplier, passphrase=PASS_PENYEDIA)
        if s == "diproses_penyedia":
            return run(p.id, "kirim", supplier, lokasi="Gudang Cakung", status="Dikirim")
        if s == "dalam_pengiriman":
            periksa = {i.id: {"qty_diterima": i.qty, "kondisi": "Baik", "sesuai": True} for i in p.items}
            return run(p.id, "terima_barang", ppk, periksa=periksa, passphrase=PASS_PPK)
        if s == "pesanan_tiba":
            if not p.bast_ttd_penyedia_at:
                return run(p.id, "ttd_bast", supplier, passphrase=PASS_PENYEDIA)
            if o["metode"] == "ls":
                return run(p.id, "pilih_ls", ppk)
            if o["metode"] == "up_kode_bayar":
                return run(p.id, "pilih_up", ppk)
            if o["pemegang"] == "ppk":
                return run(p.id, "pilih_kkp", ppk, pemegang="ppk")
            email = f"kkp{next(_seq)}@uji.local"
            p = run(p.id, "pilih_kkp", ppk, pemegang="lain", nama_pemegang="Budi Santoso", email_pemegang=email)
            mail = db.session.execute(
                select(EmailOutbox).where(EmailOutbox.to_addr == email).order_by(EmailOutbox.id.desc())
            ).scalars().first()  # fmt: skip
            w["kkp_token"] = re.search(r"/kkp/([A-Za-z0-9_\-]+)", mail.body_text).group(1)
            return p
        if s == "ls_dokumen":
            row = katalog.pihak.pembayaran_of(p)
            if not row.tagihan_dokumen_id:
                return run(p.id, "unggah_faktur", supplier, berkas=pdf_bytes("Faktur Pajak"), nama_berkas="faktur.pdf",
                           jenis_tagihan="faktur_pajak", nomor_tagihan="010.000-26.00000001")  # fmt: skip
            if not (row.bukti_potong_dokumen_id or row.tanpa_bukti_potong):
                return run(p.id, "unggah_bukti_potong", ppk, jenis_pph="pph22", jumlah_pph="13.500",
                           berkas=pdf_bytes("Bukti Potong"), nama_berkas="bukti-potong.pdf")  # fmt: skip
            return run(p.id, "lanjutkan_bayar", ppk)
        if s == "pilih_bendahara":
            self._katalog_bendahara(w)
            kas = w["bud"] if o["metode"] == "ls" else w["bp"]
            return run(p.id, "ajukan_bendahara", ppk, bendahara_id=kas.id)
        if s == "menunggu_bendahara":
            kas = katalog.pihak.pembayaran_of(p).bendahara
            if until == "dikembalikan":
                return run(p.id, "kembalikan", kas, alasan="Nomor rekening pada invoice berbeda")
            return run(p.id, "konfirmasi_bayar", kas, dokumen_diperiksa="1")
        if s == "kode_bayar_terbit":
            if until == "kode_kedaluwarsa":  # what the deadline sweep does when the 7x24 h pass
                return apply(katalog.KATALOG, p.id, "kode_kedaluwarsa", SYSTEM)
            kode = katalog.pembayaran.kode_aktif(p)  # what the bank's verified callback does
            return apply(katalog.KATALOG, p.id, "lunas", SYSTEM, kode=kode.kode, jumlah=kode.jumlah,
                         referensi="BANK-REF-1", oleh="Bank")  # fmt: skip
        if s == "kkp_menunggu":
            if katalog.pihak.pembayaran_of(p).kkp_oleh_ppk:
                return run(p.id, "bayar_kkp", ppk, setuju="1")
            return katalog.bayar_dengan_tautan(w["kkp_token"], "1")
        raise AssertionError(f"no way from {s} to {until}")

    def adendum(self, pengusul="ppk", until="diajukan", **kw):
        """An addendum to an order in Diproses Penyedia, proposed (and signed) by the PPK or the Penyedia;
        `until` "diterima" or "ditolak" has the other side answer it. Returns the Katalog world with `adendum`."""
        w = self.katalog("diproses_penyedia", **kw)
        p = w["pesanan"]
        who, secret = (w["ppk"], PASS_PPK) if pengusul == "ppk" else (w["supplier"], PASS_PENYEDIA)
        other, other_secret = (w["supplier"], PASS_PENYEDIA) if pengusul == "ppk" else (w["ppk"], PASS_PPK)
        a = katalog.adendum.ajukan(p.id, who, {"ongkir": 25_000}, secret)
        if until == "diterima":
            a = katalog.adendum.jawab(a.id, "terima", other, passphrase=other_secret)
        elif until == "ditolak":
            a = katalog.adendum.jawab(a.id, "tolak", other, alasan="Tidak sesuai anggaran")
        elif until != "diajukan":
            raise ValueError(f"unknown addendum status {until!r}")
        w["adendum"], w["pengusul"], w["penjawab"] = a, who, other
        return w

    # --- Verifikasi Profil and Akses -----------------------------------------------------------------------

    def verifikasi(self):
        """An instansi with a satker, a Verifikator of it and an applicant (role Pengguna, no organisation)."""
        satker = self.satker("satker")
        verifier = self.user("Verifikator", satker=self.satker("skpd", instansi=satker.instansi))
        applicant = self.user("Pengguna")
        return dict(satker=satker, instansi=satker.instansi, verifikator=verifier, pemohon=applicant)

    def profil(self, status="menunggu", dunia=None):
        """A profile of the applicant (Non Penyedia, ASN) to the satker's instansi, in `status`."""
        w = dunia if dunia is not None else self.verifikasi()
        user, now = w["pemohon"], clock.now()
        png = png_bytes()
        selfie = documents.simpan(png, "selfie", "selfie.png", user, documents.PNG)
        ktp = documents.simpan(png, "ktp", "ktp.png", user, documents.PNG)
        row = ProfilPengguna(user_id=user.id, instansi_id=w["instansi"].id, jenis_profil="non_penyedia",
                             status_kepegawaian="ASN", nip="199008172015031001", nik="3171011708900001",
                             nama_ktp="Budi Santoso", tanggal_lahir=date(1990, 8, 17), selfie_id=selfie.id,
                             ktp_id=ktp.id, status=status, version=1, submitted_at=now, updated_at=now,
                             batas_waktu=now + timedelta(hours=72) if status == "menunggu" else None)  # fmt: skip
        db.session.add(row)
        db.session.commit()
        w["profil"] = row
        return w

    def akses(self, status="menunggu", akses="ppk", dunia=None):
        """An access request of the applicant (verified profile) to the satker, in `status`; an Aktif one has
        given the applicant its role and the satker, as the Verifikator's Setujui does."""
        w = self.profil("terverifikasi", dunia=dunia)
        user, now = w["pemohon"], clock.now()
        doc = documents.simpan(pdf_bytes("Surat Tugas"), "surat_tugas", "surat-tugas.pdf", user, documents.PDF)
        row = AksesPengguna(user_id=user.id, instansi_id=w["instansi"].id, akses=akses, satker_id=w["satker"].id,
                            surat_tugas_id=doc.id, status=status, version=1, submitted_at=now, updated_at=now,
                            batas_waktu=now + timedelta(hours=72) if status == "menunggu" else None)  # fmt: skip
        db.session.add(row)
        if status == "aktif":
            sm = current_app.appbuilder.sm
            user.roles.append(sm.find_role(AKSES_ROLE[akses]))
            user.satker_id = w["satker"].id
        db.session.commit()
        w["akses"] = row
        return w
