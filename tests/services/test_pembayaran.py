"""Pembayaran (SPEC §6 step 9) through the service: LS, UP kode bayar and UP KKP to Selesai, the Rp 200 juta
boundary, missing documents, a Bendahara of another satker, double confirmation, forged/replayed callbacks,
an expired kode bayar. Every refusal changes nothing."""

import json
import os
import re
import shutil
import subprocess
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Adendum,
    AuditLog,
    CallbackPembayaran,
    Deadline,
    Dokumen,
    EmailOutbox,
    KodeBayar,
    Pembayaran,
    PesananKatalog,
    Rup,
)
from app.services import clock, deadlines, documents, gateway, katalog, money
from app.services.errors import Conflict, DomainError, Forbidden, NotFound
from tests.factories import PASS_PENYEDIA, Factories, pdf_bytes, png_bytes
from tests.services import test_purchasing

k = test_purchasing.k  # the fixture: satker, PP, PPK, Penyedia (+ user), produk, RUP
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


# --- helpers shared with the HTTP tests ------------------------------------------------------------------


def bendahara(f, satker, akses="bendahara_pengeluaran"):
    """A Bendahara user whose active Verifikasi Akses says which kind they are (BUD or Bendahara Pengeluaran)."""
    return f.bendahara(satker, akses)


def tiba(k, qty=10, harga=90_000, ongkir=None, ppn=None, ttd_penyedia=True):
    """An order walked through the service to Pesanan Tiba, the BAST signed by the PPK (and the Penyedia)."""
    rup = db.session.get(Rup, k["rup"].id)
    rup.pagu = 10**12
    if ppn is not None:
        k["produk"].ppn_persen = Decimal(ppn)
    k["produk"].max_pesan = max(k["produk"].max_pesan, qty)
    k["produk"].stok = max(k["produk"].stok, qty)
    k["produk"].harga = max(k["produk"].harga, harga)  # a negotiated price never exceeds the catalogue's
    db.session.commit()
    w = Factories().katalog("pesanan_tiba", dunia=k, qty=qty, harga=harga, ongkir=ongkir, ttd_bast=ttd_penyedia)
    return w["pesanan"]


def bayar_callback(kode, jumlah=None, event_id=None, timestamp=None, secret=None):
    """(body, headers) of the bank's signed "paid" notification for `kode`."""
    body = json.dumps(
        {
            "event_id": event_id or f"evt-{kode.kode}-{clock.now().timestamp()}",
            "jenis": gateway.JENIS_LUNAS,
            "referensi": kode.kode,
            "jumlah": kode.jumlah if jumlah is None else jumlah,
            "referensi_bank": "BANK-REF-1",
        }
    ).encode()
    gw = gateway.gateway()
    headers = gw.tandatangani(body, timestamp)
    if secret is not None:
        ts = headers[gateway.TIMESTAMP_HEADER]
        headers[gateway.SIGNATURE_HEADER] = gateway.tanda_tangan(secret, ts, body)
    return body, headers


def pesanan(pk):
    db.session.expire_all()
    return db.session.get(PesananKatalog, pk)


def row_of(pk):
    db.session.expire_all()
    return db.session.execute(select(Pembayaran).where(Pembayaran.pesanan_id == pk)).scalar_one_or_none()


def count(model, *where):
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def snapshot(pk):
    """What a refusal must leave untouched: the order's status/version, its payment row, codes, audit, outbox."""
    p = pesanan(pk)
    row = row_of(pk)
    return (
        p.status,
        p.version,
        None if row is None else (row.metode, row.bendahara_id, row.tagihan_dokumen_id, row.bukti_potong_dokumen_id,
                                  row.tanpa_bukti_potong, row.dibayar_at, row.kkp_token_used_at),
        count(KodeBayar),
        count(AuditLog, AuditLog.action != "callback_ditolak"),  # a refused bank callback is recorded on purpose
        count(EmailOutbox),
        count(CallbackPembayaran),
    )  # fmt: skip


def actions(pk):
    return [
        r.action
        for r in db.session.execute(
            select(AuditLog).where(AuditLog.entity == "pesanan_katalog", AuditLog.entity_id == pk).order_by(AuditLog.id)
        ).scalars()
    ]


def teks_pdf(data):
    out = subprocess.run([PDFTOTEXT, "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return " ".join(out.split())


# --- money ------------------------------------------------------------------------------------------------


def test_money_rules_for_payment():
    assert money.metode_diizinkan("up_kode_bayar", 200_000_000) and money.metode_diizinkan("up_kkp", 200_000_000)
    assert not money.metode_diizinkan("up_kode_bayar", 200_000_001)
    assert not money.metode_diizinkan("up_kkp", 200_000_001)
    assert money.metode_diizinkan("ls", 10**12) and not money.metode_diizinkan("tunai", 1)
    # 0.5 % of 999.000 = 4.995 (half-up), + Rp 2.500
    assert money.biaya_transaksi(999_000, Decimal("0.5"), 2500) == 7_495
    assert money.biaya_transaksi(1_001, Decimal("0.05"), 0) == 1  # 0.5005 -> 1 (half-up)
    assert money.biaya_transaksi(1_000, Decimal("0"), 5_000) == 1_000  # never above the total
    r = money.rincian_bayar("ls", 999_000, Decimal("0.5"), 2500)
    assert (r.rezim, r.pemungut, r.total, r.biaya, r.diterima) == ("PMK 59/2022", "satker", 999_000, 7_495, 991_505)
    r = money.rincian_bayar("up_kkp", 200_000_001, Decimal("0.5"), 2500)
    assert (r.rezim, r.pemungut, r.diizinkan) == ("PMK 58/2023", "platform", False)
    with pytest.raises(TypeError):
        money.biaya_transaksi(1000, 0.5, 0)


# --- preconditions ----------------------------------------------------------------------------------------


def test_payment_waits_for_the_bast_of_both_sides_and_no_pending_addendum(k):
    p = tiba(k, ttd_penyedia=False)
    before = snapshot(p.id)
    with pytest.raises(Conflict) as e:
        katalog.jalankan(p.id, "pilih_ls", k["ppk"])
    assert "BAST" in str(e.value) and snapshot(p.id) == before
    p = katalog.jalankan(p.id, "ttd_bast", k["supplier"], passphrase=PASS_PENYEDIA)
    doc = documents.simpan(pdf_bytes("Adendum"), "adendum", "a.pdf", k["ppk"], documents.PDF)
    db.session.add(Adendum(pesanan_id=p.id, nomor="ADD-X", status="diajukan", version=1, pengusul="ppk",
                           user_id=k["ppk"].id, perubahan="{}", ringkasan="[]", total_lama=p.total,
                           total_baru=p.total, dokumen_id=doc.id, created_at=clock.now()))  # fmt: skip
    db.session.commit()
    before = snapshot(p.id)
    with pytest.raises(Conflict) as e:
        katalog.jalankan(p.id, "pilih_up", k["ppk"])
    assert "adendum" in str(e.value) and snapshot(p.id) == before


@pytest.mark.parametrize("who,action,error", [("pp", "pilih_ls", Forbidden), ("supplier", "pilih_up", Forbidden)])
def test_only_the_ppk_picks_the_method(k, who, action, error):
    p = tiba(k)
    before = snapshot(p.id)
    with pytest.raises(error):
        katalog.jalankan(p.id, action, k[who])
    assert snapshot(p.id) == before


def test_strangers_find_nothing(k, f):
    p = tiba(k)
    other = f.satker("satker")
    for stranger in (f.user("PPK", satker=other), bendahara(f, other), f.penyedia_user()):
        with pytest.raises(NotFound):
            katalog.jalankan(p.id, "pilih_ls", stranger)


# --- the Rp 200 juta boundary -----------------------------------------------------------------------------


def test_exactly_200_juta_may_use_up_and_kkp(k):
    p = tiba(k, qty=100, harga=2_000_000, ppn="0")
    assert p.total == 200_000_000
    assert all(reason is None for _, _, _, reason in katalog.pembayaran.pilihan_metode(p))
    p = katalog.jalankan(p.id, "pilih_up", k["ppk"])
    assert p.status == "pilih_bendahara" and row_of(p.id).metode == "up_kode_bayar"
    p = katalog.jalankan(p.id, "ganti_metode", k["ppk"])
    p = katalog.jalankan(p.id, "pilih_kkp", k["ppk"], pemegang="ppk")
    assert p.status == "kkp_menunggu"


def test_200_juta_and_one_rupiah_is_refused_for_up_and_kkp(k):
    p = tiba(k, qty=100, harga=2_000_000, ppn="0", ongkir=1)
    assert p.total == 200_000_001
    reasons = {m: r for m, _, _, r in katalog.pembayaran.pilihan_metode(p)}
    assert reasons["ls"] is None and reasons["up_kode_bayar"] and reasons["up_kkp"]
    assert "Rp 200.000.000" in str(reasons["up_kkp"]).replace("\xa0", " ")
    before = snapshot(p.id)
    for action, data in (("pilih_up", {}), ("pilih_kkp", {"pemegang": "ppk"})):
        with pytest.raises(DomainError) as e:
            katalog.jalankan(p.id, action, k["ppk"], **data)
        assert "LS" in str(e.value)
        assert snapshot(p.id) == before
    assert katalog.jalankan(p.id, "pilih_ls", k["ppk"]).status == "ls_dokumen"


# --- LS ---------------------------------------------------------------------------------------------------


def test_ls_end_to_end(k, f):
    p = tiba(k)  # 10 x 90.000 + PPN 11 % = 999.000
    bud = bendahara(f, k["satker"], "bud")
    bp = bendahara(f, k["satker"], "bendahara_pengeluaran")
    p = katalog.jalankan(p.id, "pilih_ls", k["ppk"])
    row = row_of(p.id)
    assert (p.status, row.metode, row.rezim_pajak) == ("ls_dokumen", "ls", "PMK 59/2022")
    assert (row.total, row.biaya_transaksi, row.diterima_penyedia) == (999_000, 7_495, 991_505)
    assert row.invoice_dokumen_id is None  # LS: the Penyedia's own faktur pajak

    # missing documents: refused with a message naming what is missing, nothing changes
    before = snapshot(p.id)
    with pytest.raises(DomainError) as e:
        katalog.jalankan(p.id, "lanjutkan_bayar", k["ppk"])
    assert "faktur pajak" in str(e.value) and "bukti potong" in str(e.value)
    assert snapshot(p.id) == before

    with pytest.raises(Forbidden):  # the faktur is the Penyedia's to upload
        katalog.jalankan(p.id, "unggah_faktur", k["ppk"], berkas=pdf_bytes("Faktur"), nama_berkas="f.pdf")
    with pytest.raises(DomainError):  # not a document
        katalog.jalankan(p.id, "unggah_faktur", k["supplier"], berkas=b"hello", nama_berkas="f.pdf")
    faktur = pdf_bytes("Faktur Pajak 010.000-26")
    p = katalog.jalankan(p.id, "unggah_faktur", k["supplier"], berkas=faktur, nama_berkas="faktur.pdf",
                            jenis_tagihan="faktur_pajak", nomor_tagihan="010.000-26.1")  # fmt: skip
    assert p.status == "ls_dokumen" and row_of(p.id).tagihan_nomor == "010.000-26.1"
    with pytest.raises(DomainError) as e:
        katalog.jalankan(p.id, "lanjutkan_bayar", k["ppk"])
    assert "bukti potong" in str(e.value) and "faktur" not in str(e.value)

    # the bukti potong: PPh type and amount, or the "not needed" tick; bad input refused
    before = snapshot(p.id)
    for data in (
        {"jenis_pph": "pph99", "jumlah_pph": "15.000", "berkas": pdf_bytes()},
        {"jenis_pph": "pph22", "jumlah_pph": "lima belas", "berkas": pdf_bytes()},
        {"jenis_pph": "pph22", "jumlah_pph": "0", "berkas": pdf_bytes()},
        {"jenis_pph": "pph22", "jumlah_pph": "15.000", "berkas": b""},
        {"tanpa_bukti_potong": "1", "berkas": pdf_bytes()},
    ):
        with pytest.raises(DomainError):
            katalog.jalankan(p.id, "unggah_bukti_potong", k["ppk"], nama_berkas="bp.pdf", **data)
        assert snapshot(p.id) == before
    p = katalog.jalankan(p.id, "unggah_bukti_potong", k["ppk"], jenis_pph="pph22", jumlah_pph="Rp 13.500",
                            berkas=png_bytes(), nama_berkas="bukti-potong.png")  # fmt: skip
    row = row_of(p.id)
    assert (row.pph_jenis, row.pph_jumlah, row.tanpa_bukti_potong) == ("pph22", 13_500, False)
    assert db.session.get(Dokumen, row.bukti_potong_dokumen_id).content_type == documents.PNG

    p = katalog.jalankan(p.id, "lanjutkan_bayar", k["ppk"])
    assert p.status == "pilih_bendahara"
    assert [u.id for u in katalog.pembayaran.pilihan_bendahara(p, "ls")] == [bud.id]
    before = snapshot(p.id)
    with pytest.raises(DomainError) as e:  # a Bendahara Pengeluaran is not a BUD
        katalog.jalankan(p.id, "ajukan_bendahara", k["ppk"], bendahara_id=bp.id)
    assert "BUD" in str(e.value) and snapshot(p.id) == before
    p = katalog.jalankan(p.id, "ajukan_bendahara", k["ppk"], bendahara_id=bud.id)
    assert p.status == "menunggu_bendahara" and row_of(p.id).bendahara_id == bud.id
    assert [x.id for x, _, _ in katalog.antrean.antrean(bud)] == [p.id] and katalog.antrean.antrean(bp) == []

    # the BUD confirms after checking the documents; another Bendahara of the satker may not
    before = snapshot(p.id)
    with pytest.raises(Forbidden):
        katalog.jalankan(p.id, "konfirmasi_bayar", bp, dokumen_diperiksa="1")
    with pytest.raises(DomainError):
        katalog.jalankan(p.id, "konfirmasi_bayar", bud)
    assert snapshot(p.id) == before
    p = katalog.jalankan(p.id, "konfirmasi_bayar", bud, dokumen_diperiksa="1")
    kode = katalog.pembayaran.kode_aktif(p)
    assert p.status == "kode_bayar_terbit" and kode.jumlah == 999_000 and len(kode.kode) == 16
    assert kode.berlaku_sampai - kode.created_at == timedelta(hours=7 * 24) and p.batas_waktu == kode.berlaku_sampai
    due = db.session.execute(
        select(Deadline.due_at).where(Deadline.kind == "kode_bayar", Deadline.entity_id == p.id,
                                      Deadline.status == "aktif")
    ).scalar_one()  # fmt: skip
    assert due == kode.berlaku_sampai

    result = katalog.terima_callback(*bayar_callback(kode))
    assert result["hasil"] == "lunas"
    p = pesanan(p.id)
    row = row_of(p.id)
    assert p.status == "selesai" and row.dibayar_at is not None and row.referensi == "BANK-REF-1"
    assert db.session.get(KodeBayar, kode.id).status == "dibayar"
    assert count(Deadline, Deadline.kind == "kode_bayar", Deadline.status == "aktif") == 0
    mail = db.session.execute(
        select(EmailOutbox).where(EmailOutbox.to_addr == k["supplier"].email, EmailOutbox.subject.contains("diterima"))
    ).scalar_one()
    assert "Rp 991.505" in mail.body_text.replace("\xa0", " ")
    assert actions(p.id)[-7:] == ["pilih_ls", "unggah_faktur", "unggah_bukti_potong", "lanjutkan_bayar",
                                  "ajukan_bendahara", "konfirmasi_bayar", "lunas"]  # fmt: skip


def test_ls_without_withholding_slip(k, f):
    p = tiba(k)
    bud = bendahara(f, k["satker"], "bud")
    p = katalog.jalankan(p.id, "pilih_ls", k["ppk"])
    katalog.jalankan(p.id, "unggah_bukti_potong", k["ppk"], tanpa_bukti_potong="1")
    with pytest.raises(DomainError) as e:  # the faktur is still missing
        katalog.jalankan(p.id, "lanjutkan_bayar", k["ppk"])
    assert "faktur" in str(e.value) and "bukti potong" not in str(e.value)
    katalog.jalankan(p.id, "unggah_faktur", k["supplier"], berkas=pdf_bytes(), nama_berkas="tagihan.pdf",
                        jenis_tagihan="lainnya")  # fmt: skip
    p = katalog.jalankan(p.id, "lanjutkan_bayar", k["ppk"])
    p = katalog.jalankan(p.id, "ajukan_bendahara", k["ppk"], bendahara_id=bud.id)
    assert p.status == "menunggu_bendahara" and row_of(p.id).tanpa_bukti_potong is True


# --- UP kode bayar ----------------------------------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists(PDFTOTEXT), reason="pdftotext (poppler-utils) not installed")
def test_up_kode_bayar_end_to_end_and_the_invoice_counts_as_faktur(k, f):
    p = tiba(k)
    bp = bendahara(f, k["satker"], "bendahara_pengeluaran")
    bud = bendahara(f, k["satker"], "bud")
    p = katalog.jalankan(p.id, "pilih_up", k["ppk"])
    row = row_of(p.id)
    assert (p.status, row.rezim_pajak, row.invoice_nomor) == ("pilih_bendahara", "PMK 58/2023", f"INV/{p.nomor}")
    text = teks_pdf(documents.read(db.session.get(Dokumen, row.invoice_dokumen_id).stored_name))
    assert "dipersamakan dengan Faktur Pajak" in text and "PMK 58/2023" in text and "999.000" in text
    with pytest.raises(DomainError):  # a BUD is not the Bendahara Pengeluaran UP needs
        katalog.jalankan(p.id, "ajukan_bendahara", k["ppk"], bendahara_id=bud.id)
    with pytest.raises(Conflict):  # LS-only steps do not apply
        katalog.jalankan(p.id, "lanjutkan_bayar", k["ppk"])
    p = katalog.jalankan(p.id, "ajukan_bendahara", k["ppk"], bendahara_id=bp.id)
    p = katalog.jalankan(p.id, "konfirmasi_bayar", bp, dokumen_diperiksa="1")
    kode = katalog.pembayaran.kode_aktif(p)
    assert katalog.simulasikan_lunas(kode.id, bp)["hasil"] == "lunas"
    assert pesanan(p.id).status == "selesai"
    assert [a for a in actions(p.id) if a in katalog.halaman.labels(katalog.KATALOG)][-4:] == [
        "pilih_up", "ajukan_bendahara", "konfirmasi_bayar", "lunas"]  # fmt: skip


def test_a_bendahara_of_another_satker_is_refused_with_a_hint(k, f):
    p = tiba(k)
    other_bp = bendahara(f, f.satker("satker"), "bendahara_pengeluaran")
    p = katalog.jalankan(p.id, "pilih_up", k["ppk"])
    assert katalog.pembayaran.pilihan_bendahara(p, "up_kode_bayar") == []
    before = snapshot(p.id)
    with pytest.raises(DomainError) as e:
        katalog.jalankan(p.id, "ajukan_bendahara", k["ppk"], bendahara_id=other_bp.id)
    message = str(e.value)
    assert "satuan kerja" in message and "ganti metode" in message and "undang" in message
    assert snapshot(p.id) == before and row_of(p.id).bendahara_id is None
    with pytest.raises(NotFound):  # and that Bendahara does not even see the order
        katalog.jalankan(p.id, "konfirmasi_bayar", other_bp, dokumen_diperiksa="1")
    # the hint's way out: another method
    p = katalog.jalankan(p.id, "ganti_metode", k["ppk"])
    assert p.status == "pesanan_tiba"
    assert katalog.jalankan(p.id, "pilih_ls", k["ppk"]).status == "ls_dokumen"


def test_bendahara_returns_to_ppk_with_a_reason(k, f):
    p = tiba(k)
    bp = bendahara(f, k["satker"])
    p = katalog.jalankan(p.id, "pilih_up", k["ppk"])
    p = katalog.jalankan(p.id, "ajukan_bendahara", k["ppk"], bendahara_id=bp.id)
    before = snapshot(p.id)
    with pytest.raises(DomainError):
        katalog.jalankan(p.id, "kembalikan", bp, alasan="  ")
    assert snapshot(p.id) == before
    p = katalog.jalankan(p.id, "kembalikan", bp, alasan="Nomor rekening Penyedia pada invoice berbeda.")
    assert p.status == "dikembalikan" and p.alasan.startswith("Nomor rekening")
    p = katalog.jalankan(p.id, "ajukan_bendahara", k["ppk"], bendahara_id=bp.id)
    assert p.status == "menunggu_bendahara" and p.alasan is None


# --- double confirmation, callbacks, expiry -------------------------------------------------------------


def _sampai_kode(k, f):
    p = tiba(k)
    bp = bendahara(f, k["satker"])
    p = katalog.jalankan(p.id, "pilih_up", k["ppk"])
    p = katalog.jalankan(p.id, "ajukan_bendahara", k["ppk"], bendahara_id=bp.id)
    version = p.version
    p = katalog.jalankan(p.id, "konfirmasi_bayar", bp, expected_version=version, dokumen_diperiksa="1")
    return p, bp, version


def test_double_confirmation_changes_nothing_the_second_time(k, f):
    p, bp, version = _sampai_kode(k, f)
    before = snapshot(p.id)
    with pytest.raises(Conflict):  # the same click again (same version)
        katalog.jalankan(p.id, "konfirmasi_bayar", bp, expected_version=version, dokumen_diperiksa="1")
    with pytest.raises(Conflict):  # or a fresh one: the step is over
        katalog.jalankan(p.id, "konfirmasi_bayar", bp, dokumen_diperiksa="1")
    assert snapshot(p.id) == before and count(KodeBayar) == 1
    # the bank confirming the same payment twice: the second changes nothing either
    kode = katalog.pembayaran.kode_aktif(p)
    body, headers = bayar_callback(kode, event_id="evt-1")
    assert katalog.terima_callback(body, headers)["hasil"] == "lunas"
    after = snapshot(p.id)
    assert katalog.terima_callback(body, headers)["hasil"] == "duplikat"
    assert snapshot(p.id) == after and count(CallbackPembayaran) == 1


def test_forged_and_replayed_callbacks_change_nothing(k, f):
    p, bp, _ = _sampai_kode(k, f)
    kode = katalog.pembayaran.kode_aktif(p)
    before = snapshot(p.id)
    with pytest.raises(gateway.CallbackDitolak):  # signed with another secret
        katalog.terima_callback(*bayar_callback(kode, secret="not-the-bank-secret-" * 2))
    body, headers = bayar_callback(kode)
    with pytest.raises(gateway.CallbackDitolak):  # the body changed after signing
        katalog.terima_callback(body.replace(b"BANK-REF-1", b"BANK-REF-2"), headers)
    with pytest.raises(gateway.CallbackDitolak):  # no signature
        katalog.terima_callback(body, {})
    stale = int((clock.now() - timedelta(minutes=10)).replace(tzinfo=UTC).timestamp())
    with pytest.raises(gateway.CallbackDitolak):  # captured long ago, replayed now
        katalog.terima_callback(*bayar_callback(kode, timestamp=stale))
    with pytest.raises(DomainError):  # a partial amount
        katalog.terima_callback(*bayar_callback(kode, jumlah=kode.jumlah - 1))
    with pytest.raises(NotFound):
        katalog.terima_callback(*bayar_callback(KodeBayar(kode="9000000000000000", jumlah=1)))
    assert snapshot(p.id) == before

    body, headers = bayar_callback(kode, event_id="evt-asli")
    assert katalog.terima_callback(body, headers)["hasil"] == "lunas"
    after = snapshot(p.id)
    assert katalog.terima_callback(body, headers)["hasil"] == "duplikat"  # replayed within the window
    with pytest.raises(Conflict):  # a paid code cannot be paid again, whatever the event id
        katalog.terima_callback(*bayar_callback(kode, event_id="evt-lain"))
    assert snapshot(p.id) == after


def test_an_expired_code_cannot_be_paid_and_the_bendahara_issues_a_new_one(k, f):
    p, bp, _ = _sampai_kode(k, f)
    kode = katalog.pembayaran.kode_aktif(p)
    # a reminder a day before, to the Bendahara, once
    assert deadlines.sweep(now=kode.berlaku_sampai - timedelta(hours=23))["reminded"] == 1
    assert deadlines.sweep(now=kode.berlaku_sampai - timedelta(hours=22))["reminded"] == 0
    assert count(EmailOutbox, EmailOutbox.to_addr == bp.email, EmailOutbox.subject.contains("Pengingat")) == 1

    clock.advance(timedelta(hours=7 * 24, minutes=1))
    before = snapshot(p.id)
    with pytest.raises(Conflict) as e:  # past its time though the sweep has not run yet
        katalog.terima_callback(*bayar_callback(kode))
    assert "kedaluwarsa" in str(e.value) and snapshot(p.id) == before
    assert deadlines.sweep()["fired"] == 1
    assert deadlines.sweep()["fired"] == 0  # a second sweep changes nothing
    p = pesanan(p.id)
    assert p.status == "kode_kedaluwarsa" and db.session.get(KodeBayar, kode.id).status == "kedaluwarsa"
    before = snapshot(p.id)
    with pytest.raises(Conflict):
        katalog.terima_callback(*bayar_callback(kode))
    with pytest.raises(Forbidden):
        katalog.jalankan(p.id, "terbitkan_ulang", k["ppk"])
    assert snapshot(p.id) == before

    p = katalog.jalankan(p.id, "terbitkan_ulang", bp)
    baru = katalog.pembayaran.kode_aktif(p)
    assert p.status == "kode_bayar_terbit" and baru.kode != kode.kode
    with pytest.raises(Conflict):  # the old code stays dead
        katalog.terima_callback(*bayar_callback(kode))
    assert katalog.terima_callback(*bayar_callback(baru))["hasil"] == "lunas"
    assert pesanan(p.id).status == "selesai"
    assert [c.status for c in katalog.pembayaran.daftar_kode(p)] == ["kedaluwarsa", "dibayar"]
    # each refused (but verified) bank callback is on record for reconciliation
    assert count(AuditLog, AuditLog.action == "callback_ditolak", AuditLog.entity_id == p.id) == 3


# --- UP KKP -----------------------------------------------------------------------------------------------


def test_kkp_paid_by_the_ppk_as_card_holder(k):
    p = tiba(k)
    p = katalog.jalankan(p.id, "pilih_kkp", k["ppk"], pemegang="ppk")
    row = row_of(p.id)
    assert (p.status, row.kkp_oleh_ppk, row.kkp_token_hash) == ("kkp_menunggu", True, None)
    assert row.invoice_dokumen_id is not None
    before = snapshot(p.id)
    with pytest.raises(DomainError):  # the holder's consent is required
        katalog.jalankan(p.id, "bayar_kkp", k["ppk"])
    with pytest.raises(Forbidden):
        katalog.jalankan(p.id, "bayar_kkp", k["supplier"], setuju="1")
    assert snapshot(p.id) == before
    p = katalog.jalankan(p.id, "bayar_kkp", k["ppk"], setuju="1")
    row = row_of(p.id)
    assert p.status == "selesai" and row.referensi.startswith("KKP-SIM-") and row.dibayar_at is not None


def _link_token(email):
    mail = (
        db.session.execute(select(EmailOutbox).where(EmailOutbox.to_addr == email).order_by(EmailOutbox.id.desc()))
        .scalars()
        .first()
    )
    return re.search(r"/kkp/([A-Za-z0-9_\-]+)", mail.body_text).group(1)


def test_kkp_link_for_another_holder_is_single_use(k):
    p = tiba(k)
    before = snapshot(p.id)
    for data in ({"pemegang": "lain", "nama_pemegang": "Budi", "email_pemegang": "bukan-email"},
                 {"pemegang": "lain", "nama_pemegang": "", "email_pemegang": "budi@uji.local"}):  # fmt: skip
        with pytest.raises(DomainError):
            katalog.jalankan(p.id, "pilih_kkp", k["ppk"], **data)
    assert snapshot(p.id) == before
    p = katalog.jalankan(p.id, "pilih_kkp", k["ppk"], pemegang="lain", nama_pemegang="Budi Santoso",
                            email_pemegang="Budi.Santoso@uji.local")  # fmt: skip
    token = _link_token("budi.santoso@uji.local")
    row = row_of(p.id)
    assert row.kkp_token_hash not in (None, token) and len(row.kkp_token_hash) == 64  # only the hash is stored
    with pytest.raises(Forbidden):  # the PPK is not the holder this time
        katalog.jalankan(p.id, "bayar_kkp", k["ppk"], setuju="1")
    with pytest.raises(NotFound):
        katalog.bayar_dengan_tautan("tebakan", "1")
    before = snapshot(p.id)
    with pytest.raises(DomainError):
        katalog.bayar_dengan_tautan(token, None)
    assert snapshot(p.id) == before
    p = katalog.bayar_dengan_tautan(token, "1")
    assert p.status == "selesai" and row_of(p.id).kkp_token_used_at is not None
    assert "Budi Santoso" in row_of(p.id).dibayar_oleh
    after = snapshot(p.id)
    with pytest.raises(Conflict):
        katalog.bayar_dengan_tautan(token, "1")
    assert snapshot(p.id) == after


def test_kkp_link_sent_again_kills_the_old_one(k):
    p = tiba(k)
    p = katalog.jalankan(p.id, "pilih_kkp", k["ppk"], pemegang="lain", nama_pemegang="Budi",
                            email_pemegang="budi@uji.local")  # fmt: skip
    old = _link_token("budi@uji.local")
    katalog.jalankan(p.id, "kirim_ulang_tautan", k["ppk"])
    new = _link_token("budi@uji.local")
    assert new != old
    with pytest.raises(NotFound):
        katalog.bayar_dengan_tautan(old, "1")
    clock.advance(timedelta(hours=73))  # KKP_TAUTAN_HOURS = 72
    with pytest.raises(Conflict):
        katalog.bayar_dengan_tautan(new, "1")
    assert pesanan(p.id).status == "kkp_menunggu"


def test_production_refuses_unsafe_payment_settings():
    from config import DEV_CALLBACK_SECRET

    assert gateway.production_problems({"PEMBAYARAN_SIMULASI": False, "PEMBAYARAN_CALLBACK_SECRET": ""}) == []
    assert gateway.production_problems({"PEMBAYARAN_CALLBACK_SECRET": "x" * 40}) == []
    for cfg in ({"PEMBAYARAN_SIMULASI": True}, {"PEMBAYARAN_CALLBACK_SECRET": DEV_CALLBACK_SECRET},
                {"PEMBAYARAN_CALLBACK_SECRET": "short"}):  # fmt: skip
        assert len(gateway.production_problems(cfg)) == 1


def test_changing_the_method_detaches_the_other_regimes_documents(k):
    p = tiba(k)
    p = katalog.jalankan(p.id, "pilih_up", k["ppk"])
    invoice_up = row_of(p.id).invoice_dokumen_id
    assert invoice_up
    p = katalog.jalankan(p.id, "ganti_metode", k["ppk"])
    p = katalog.jalankan(p.id, "pilih_ls", k["ppk"])
    assert row_of(p.id).invoice_nomor is None and row_of(p.id).invoice_dokumen_id is None
    p = katalog.jalankan(
        p.id,
        "unggah_faktur",
        k["supplier"],
        berkas=pdf_bytes("Faktur"),
        nama_berkas="f.pdf",
        jenis_tagihan="faktur_pajak",
    )
    assert row_of(p.id).tagihan_dokumen_id
    p = katalog.jalankan(p.id, "ganti_metode", k["ppk"])
    p = katalog.jalankan(p.id, "pilih_kkp", k["ppk"], pemegang="ppk")
    row = row_of(p.id)
    assert row.tagihan_dokumen_id is None and row.invoice_dokumen_id not in (None, invoice_up)
    assert db.session.get(Dokumen, invoice_up) is not None  # kept for the record
