"""Katalog e-purchasing over HTTP: checkout, negotiation, PPK, chat, scoping, the Auditor-only document."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, NegosiasiRonde, PesananKatalog, PesanChat, Rup
from app.services import clock, keranjang_katalog
from tests.factories import pdf_bytes, png_bytes
from tests.services import test_purchasing

k = test_purchasing.k  # the fixture: satker, PP, PPK, Penyedia, produk, RUP


def _form(k, qty=10, dokumen=None, **kw):
    data = {
        "produk_id": [str(k["produk"].id), ""],
        "qty": [str(qty), ""],
        "rup_id": str(k["rup"].id),
        "ppk_id": str(k["ppk"].id),
        "alamat_kirim": "Jl. Medan Merdeka Selatan 8-9, Jakarta Pusat",
        "jenis_pengiriman": "Dikirim ke kantor",
        "tahapan_pengiriman": "1",
        "tanggal_tiba_diminta": (clock.today_local() + timedelta(days=14)).isoformat(),
        "opsi_kirim": "kurir_penyedia",
        "kurir_nama": "",
        "ongkir_estimasi": "",
        "estimasi_hari": "3",
        "dokumen_persiapan": (io.BytesIO(dokumen or pdf_bytes("Dokumen persiapan")), "persiapan.pdf"),
    }
    data.update(kw)
    return data


def _checkout(c, k, **kw):
    return c.post("/katalog/checkout", data=_form(k, **kw), content_type="multipart/form-data")


def _pesanan(pk):
    db.session.expire_all()
    return db.session.get(PesananKatalog, pk)


def _count(model):
    db.session.expire_all()
    return db.session.execute(select(func.count(model.id))).scalar_one()


def _created(app, k, login):
    pp = login(k["pp"], app.test_client())
    resp = _checkout(pp, k)
    assert resp.status_code == 302, resp.data[:2000]
    return pp, int(re.search(r"/katalog/(\d+)$", resp.headers["Location"]).group(1))


def test_checkout_negotiate_and_ppk_rejects(app, k, login):
    pp = login(k["pp"], app.test_client())
    keranjang_katalog.tambah(k["pp"], k["produk"].id, 2)  # the page lists the PP's cart lines
    page = pp.get("/katalog/checkout")
    assert page.status_code == 200
    html = page.data.decode()
    assert k["produk"].nama in html and "RUP-1" in html and f'value="{k["ppk"].id}"' in html

    resp = _checkout(pp, k)
    assert resp.status_code == 302
    pk = int(re.search(r"/katalog/(\d+)$", resp.headers["Location"]).group(1))
    p = _pesanan(pk)
    assert (p.status, p.total) == ("menunggu_negosiasi", 1_110_000)
    item = p.items[0].id

    detail = pp.get(f"/katalog/{pk}")
    html = detail.data.decode()
    assert detail.status_code == 200 and p.nomor in html and 'data-aksi="ajukan_nego"' in html
    assert f'name="harga_{item}"' in html and 'name="ongkir"' in html and 'data-aksi="batalkan"' in html
    assert 'name="csrf_token"' in html and f'name="version" value="{p.version}"' in html
    assert "unduh-persiapan" not in html  # the document is the Auditor's only

    s = login(k["supplier"], app.test_client())
    assert 'data-aksi="ajukan_nego"' not in s.get(f"/katalog/{pk}").data.decode()

    # round 1: the PP proposes, typed the way people type Rupiah
    resp = pp.post(
        f"/katalog/{pk}/aksi/ajukan_nego",
        data={f"harga_{item}": "Rp 90.000", "ongkir": "Rp 50.000", "catatan": "Mohon harga", "version": p.version},
    )
    assert resp.status_code == 302, resp.data[:2000]
    p = _pesanan(pk)
    assert (p.status, p.total) == ("nego_pp", 900_000 + 99_000 + 50_000 + 5_500)  # shipping's PPN included

    # a bad number is refused with a clear message, nothing changes
    html = s.get(f"/katalog/{pk}").data.decode()
    assert 'data-aksi="tawar"' in html and 'data-aksi="terima"' in html
    resp = s.post(f"/katalog/{pk}/aksi/tawar", data={f"harga_{item}": "sembilan puluh ribu", "version": p.version})
    assert resp.status_code == 400 and "tidak valid" in resp.data.decode()
    # a stale version is a conflict
    resp = s.post(f"/katalog/{pk}/aksi/tawar", data={f"harga_{item}": "95.000", "version": p.version - 1})
    assert resp.status_code == 409

    # round 2: the Penyedia counters; then the PP accepts
    resp = s.post(f"/katalog/{pk}/aksi/tawar", data={f"harga_{item}": "Rp 95.000", "version": p.version})
    assert resp.status_code == 302
    p = _pesanan(pk)
    assert (p.status, p.total) == ("nego_penyedia", 950_000 + 104_500 + 50_000 + 5_500)
    html = pp.get(f"/katalog/{pk}").data.decode()
    assert 'data-ronde="1"' in html and 'data-ronde="2"' in html and "batas-waktu" in html
    assert pp.post(f"/katalog/{pk}/aksi/terima", data={"version": p.version}).status_code == 302
    assert _pesanan(pk).status == "nego_selesai"
    assert [r.oleh for r in db.session.query(NegosiasiRonde).order_by(NegosiasiRonde.nomor_ronde)] == ["pp", "penyedia"]
    assert pp.post(f"/katalog/{pk}/aksi/ajukan_ppk", data={"version": _pesanan(pk).version}).status_code == 302
    assert _pesanan(pk).status == "menunggu_ppk"

    # chat between the PP and the Penyedia; the PPK may not join
    assert pp.post(f"/katalog/{pk}/chat", data={"teks": "Bisa kirim minggu depan?"}).status_code == 302
    assert s.post(f"/katalog/{pk}/chat", data={"teks": "Bisa, Pak."}).status_code == 302
    ppk = login(k["ppk"], app.test_client())
    assert ppk.post(f"/katalog/{pk}/chat", data={"teks": "Saya ikut"}).status_code == 403
    assert _count(PesanChat) == 2

    # the PPK's list filter, then the rejection with a reason
    listing = ppk.get("/katalog/?status=menunggu_ppk").data.decode()
    assert p.nomor in listing and 'data-filter="menunggu_ppk"' in listing
    assert p.nomor not in ppk.get("/katalog/?status=dibatalkan").data.decode()
    html = ppk.get(f"/katalog/{pk}").data.decode()
    assert 'data-aksi="tolak_ppk"' in html and 'data-aksi="tawar"' not in html
    version = _pesanan(pk).version
    assert ppk.post(f"/katalog/{pk}/aksi/tolak_ppk", data={"alasan": "", "version": version}).status_code == 400
    resp = ppk.post(f"/katalog/{pk}/aksi/tolak_ppk", data={"alasan": "Spesifikasi tidak sesuai", "version": version})
    assert resp.status_code == 302
    p = _pesanan(pk)
    assert p.status == "ditolak_ppk" and p.alasan == "Spesifikasi tidak sesuai"
    assert db.session.get(Rup, k["rup"].id).terpakai == 0
    assert p.nomor in pp.get("/katalog/").data.decode()


def test_rup_exceeded_creates_nothing(app, k, login):
    pp = login(k["pp"], app.test_client())
    resp = _checkout(pp, k, qty=50)  # 5.550.000 > pagu 5.000.000
    body = resp.data.decode().replace("\xa0", " ")
    assert resp.status_code == 400 and "RUP-1" in body and "tidak mencukupi" in body
    assert _count(PesananKatalog) == 0 and db.session.get(Rup, k["rup"].id).terpakai == 0


def test_non_pdf_preparation_document_is_refused(app, k, login):
    pp = login(k["pp"], app.test_client())
    assert _checkout(pp, k, dokumen=png_bytes()).status_code == 415
    assert _checkout(pp, k, ongkir_estimasi="dua ribu").status_code == 400
    assert _count(PesananKatalog) == 0


def test_pembeli_has_no_katalog_pages(app, k, f, login):
    c = login(f.pembeli(), app.test_client())
    assert c.get("/katalog/").status_code == 403
    assert c.get("/katalog/checkout").status_code == 403


def test_strangers_get_404(app, k, f, login):
    _, pk = _created(app, k, login)
    item = _pesanan(pk).items[0].id
    for stranger in (f.user("PP", satker=f.satker("satker")), f.penyedia_user()):
        c = login(stranger, app.test_client())
        assert c.get(f"/katalog/{pk}").status_code == 404
        assert c.post(f"/katalog/{pk}/aksi/batalkan", data={"alasan": "x"}).status_code == 404
        assert c.post(f"/katalog/{pk}/aksi/ajukan_nego", data={f"harga_{item}": "1.000"}).status_code == 404
        assert c.post(f"/katalog/{pk}/chat", data={"teks": "halo"}).status_code == 404
        assert _pesanan(pk).nomor not in c.get("/katalog/").data.decode()
    assert _pesanan(pk).status == "menunggu_negosiasi"


def test_preparation_document_is_for_the_auditor_only(app, k, f, login):
    _, pk = _created(app, k, login)
    for user in (k["pp"], k["ppk"], k["supplier"], f.user("Admin")):
        c = login(user, app.test_client())
        assert c.get(f"/katalog/{pk}/persiapan").status_code == 403, user.username
    assert (
        _count(AuditLog)
        == db.session.execute(select(func.count(AuditLog.id)).where(AuditLog.action != "unduh_persiapan")).scalar_one()
    )
    auditor = login(f.user("Auditor"), app.test_client())
    assert "unduh-persiapan" in auditor.get(f"/katalog/{pk}").data.decode()
    resp = auditor.get(f"/katalog/{pk}/persiapan")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")
    assert resp.headers["Content-Disposition"].startswith("attachment")
    p = _pesanan(pk)
    rows = db.session.execute(select(AuditLog).where(AuditLog.action == "unduh_persiapan")).scalars().all()
    assert [(r.entity, r.entity_id, r.note) for r in rows] == [("dokumen", p.dokumen_persiapan_id, p.nomor)]
    assert auditor.get("/katalog/999999/persiapan").status_code == 404


@pytest.mark.parametrize("role", ["PP", "Penyedia", "PPK", "Auditor"])
def test_list_opens_for_every_katalog_role(app, k, login, role, f):
    user = {"PP": k["pp"], "Penyedia": k["supplier"], "PPK": k["ppk"], "Auditor": f.user("Auditor")}[role]
    c = login(user, app.test_client())
    assert c.get("/katalog/").status_code == 200
