"""E-Order over HTTP with the Flask test client, logged in per role."""

import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Pesanan
from app.services import eorder
from tests.factories import pdf_bytes


def _status(pk):
    db.session.expire_all()
    return db.session.get(Pesanan, pk).status


def test_login_by_username_email_and_nrk(app, f):
    user = f.pembeli(nrk="199001")
    for login in (user.username, user.email.upper(), "199001"):
        c = app.test_client()
        resp = c.post("/login/", data={"username": login, "password": "Rahasia-Uji-2026"})
        assert resp.status_code == 302 and "/login" not in resp.headers["Location"], login
        assert c.get("/toko/").status_code == 200
    c = app.test_client()
    c.post("/login/", data={"username": "199001", "password": "salah"})
    assert c.get("/toko/").status_code in (302, 401)


def test_full_flow_over_http(app, f, login):
    penyedia = f.penyedia(nama="Kedai Bakso Andrew")
    supplier = f.penyedia_user(penyedia)
    produk = f.produk(penyedia, nama="Snack Box Gurih Andrew", min_pesan=10, max_pesan=200, stok=500)
    buyer = f.pembeli()
    alamat = f.alamat(buyer)
    b = login(buyer, app.test_client())
    s = login(supplier, app.test_client())

    page = b.get("/toko/?q=bakso andrew")
    assert page.status_code == 200 and b"Snack Box Gurih Andrew" in page.data

    resp = b.post(f"/toko/produk/{produk.id}/keranjang", data={"qty": "5"})  # below the minimum of 10
    assert resp.status_code == 303
    assert "antara 10 dan 200" in b.get(resp.headers["Location"]).data.decode()
    assert db.session.execute(select(func.count(Pesanan.id))).scalar_one() == 0
    resp = b.post(f"/toko/produk/{produk.id}/keranjang", data={"qty": "20"})
    # the buyer stays on the product page, which offers Lihat Keranjang (the Draft) and Lanjut Belanja
    assert re.search(rf"/toko/produk/{produk.id}\?masuk=\d+$", resp.headers["Location"])
    stay = b.get(resp.headers["Location"]).data.decode()
    pk = int(re.search(r'href="/pesanan/(\d+)" class="btn btn-primary btn-sm" id="lihat-keranjang"', stay).group(1))
    assert 'id="lanjut-belanja"' in stay
    assert db.session.get(Pesanan, pk).alamat_id == alamat.id  # the new Draft ships to the Utama address
    assert db.session.get(Pesanan, pk).nomor.encode() in b.get("/keranjang/list/").data

    resp = b.post(f"/pesanan/{pk}/aksi/konfirmasi_pesanan")
    assert resp.status_code == 400 and b"tanggal dan waktu kegiatan" in resp.data.lower()
    detail = f.detail(buyer, alamat)
    form = {
        "alamat_id": str(alamat.id),
        "tanggal_kegiatan": detail["tanggal_kegiatan"].isoformat(),
        "waktu_kegiatan": "09:30",
        "nama_kegiatan": "Rapat Koordinasi",
        "catatan": "Antar ke lobi",
        "metode_bayar": "cod",
    }
    assert b.post(f"/pesanan/{pk}/aksi/isi_detail", data=form).status_code == 302
    assert b.post(f"/pesanan/{pk}/aksi/konfirmasi_pesanan").status_code == 302
    assert _status(pk) == "dipesan"

    listing = s.get("/pesanan-masuk/list/")
    assert listing.status_code == 200 and db.session.get(Pesanan, pk).nomor.encode() in listing.data
    assert s.post(f"/pesanan/{pk}/aksi/konfirmasi").status_code == 302
    assert s.post(f"/pesanan/{pk}/aksi/kirim").status_code == 302
    for jenis in ("invoice", "kwitansi"):
        resp = s.post(
            f"/pesanan/{pk}/aksi/upload_dokumen",
            data={"jenis": jenis, "berkas": (io.BytesIO(pdf_bytes()), f"{jenis}.pdf")},
            content_type="multipart/form-data",
        )
        assert resp.status_code == 302
    doc = db.session.get(Pesanan, pk).dokumen[0]
    download = b.get(f"/pesanan/{pk}/dokumen/{doc.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert "attachment" in download.headers["Content-Disposition"]

    resp = b.post(f"/pesanan/{pk}/aksi/konfirmasi_penerimaan", data={"jumlah_sesuai": "y", "catatan": "ok"})
    assert resp.status_code == 400 and _status(pk) == "dikirim"
    checks = {"jumlah_sesuai": "y", "kondisi_baik": "y", "waktu_tempat_sesuai": "y", "catatan": "Sesuai"}
    assert b.post(f"/pesanan/{pk}/aksi/konfirmasi_penerimaan", data=checks).status_code == 302
    assert b.post(f"/pesanan/{pk}/aksi/beri_penilaian", data={"bintang": "5", "ulasan": "Enak"}).status_code == 302
    assert _status(pk) == "selesai"

    page = b.get(f"/pesanan/{pk}").data.decode()
    for label in ("Konfirmasi Pesanan", "Konfirmasi", "Kirim", "Konfirmasi Penerimaan", "Beri Penilaian"):
        assert label in page
    assert supplier.first_name in page and buyer.first_name in page
    assert "Selesai" in page


def test_wrong_role_gets_403_and_nothing_changes(app, f, login):
    s = f.scenario(until="dipesan")
    pk = s["pesanan"].id
    sup = login(s["penyedia_user"], app.test_client())
    assert sup.post(f"/pesanan/{pk}/aksi/konfirmasi_pesanan").status_code == 403
    buyer = login(s["pembeli"], app.test_client())
    assert buyer.post(f"/pesanan/{pk}/aksi/konfirmasi").status_code == 403
    auditor = login(f.user("Auditor"), app.test_client())
    assert auditor.get(f"/pesanan/{pk}").status_code == 200
    assert auditor.post(f"/pesanan/{pk}/aksi/konfirmasi").status_code == 403
    assert _status(pk) == "dipesan"


def test_wrong_state_gets_409(app, f, login):
    s = f.scenario(until="dikirim")
    pk = s["pesanan"].id
    c = login(s["penyedia_user"], app.test_client())
    resp = c.post(f"/pesanan/{pk}/aksi/konfirmasi")
    assert resp.status_code == 409 and b"Dikirim" in resp.data
    assert _status(pk) == "dikirim"


def test_upload_refusals_over_http(app, f, login):
    s = f.scenario(until="dikirim")
    pk = s["pesanan"].id
    c = login(s["penyedia_user"], app.test_client())
    resp = c.post(
        f"/pesanan/{pk}/aksi/upload_dokumen",
        data={"jenis": "invoice", "berkas": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "invoice.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 415 and b"PDF, JPEG" in resp.data
    assert db.session.get(Pesanan, pk).dokumen == []
    big = pdf_bytes() + b"0" * (13 * 1024 * 1024)
    resp = c.post(
        f"/pesanan/{pk}/aksi/upload_dokumen",
        data={"jenis": "invoice", "berkas": (io.BytesIO(big), "invoice.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 413


def test_cancellation_request_over_http(app, f, login):
    s = f.scenario(until="diproses")
    pk = s["pesanan"].id
    b = login(s["pembeli"], app.test_client())
    assert b.post(f"/pesanan/{pk}/aksi/ajukan_pembatalan", data={"alasan": "Acara batal"}).status_code == 302
    sup = login(s["penyedia_user"], app.test_client())
    assert b"Pembeli mengajukan pembatalan" in sup.get(f"/pesanan/{pk}").data
    assert sup.post(f"/pesanan/{pk}/aksi/setujui_pembatalan").status_code == 302
    assert _status(pk) == "dibatalkan"


def test_penyedia_tolak_with_reason(app, f, login):
    s = f.scenario(until="dipesan")
    pk = s["pesanan"].id
    c = login(s["penyedia_user"], app.test_client())
    assert c.post(f"/pesanan/{pk}/aksi/tolak", data={"alasan": ""}).status_code == 400
    assert c.post(f"/pesanan/{pk}/aksi/tolak", data={"alasan": "Stok habis"}).status_code == 302
    assert _status(pk) == "dibatalkan"


# --- row-level separation -----------------------------------------------------------------


@pytest.fixture
def two_orgs(f):
    mine = f.scenario(until="dikirim")
    for jenis in ("invoice",):
        eorder.jalankan(mine["pesanan"].id, "upload_dokumen", mine["penyedia_user"], jenis=jenis, data=pdf_bytes())
    other = f.scenario(until="dikirim")
    eorder.jalankan(other["pesanan"].id, "upload_dokumen", other["penyedia_user"], jenis="invoice", data=pdf_bytes())
    return mine, other


@pytest.mark.parametrize("who", ["pembeli", "penyedia_user"])
def test_other_org_order_is_404_everywhere(app, login, two_orgs, who):
    mine, other = two_orgs
    c = login(mine[who], app.test_client())
    op = db.session.get(Pesanan, other["pesanan"].id)
    doc = op.dokumen[0]
    assert c.get(f"/pesanan/{op.id}").status_code == 404
    assert c.post(f"/pesanan/{op.id}/aksi/kirim").status_code == 404
    assert c.post(f"/pesanan/{op.id}/aksi/ajukan_pembatalan", data={"alasan": "x"}).status_code == 404
    assert c.get(f"/pesanan/{op.id}/dokumen/{doc.id}").status_code == 404
    # my own order with the other's document id
    assert c.get(f"/pesanan/{mine['pesanan'].id}/dokumen/{doc.id}").status_code == 404
    listing = "/pesananku/list/" if who == "pembeli" else "/pesanan-masuk/list/"
    body = c.get(listing).data
    assert mine["pesanan"].nomor.encode() in body and op.nomor.encode() not in body
    assert _status(op.id) == "dikirim"


def test_action_post_with_other_org_ids_is_refused(app, login, f):
    mine = f.scenario(until="dipesan")
    other = f.scenario(until="dipesan")
    c = login(mine["penyedia_user"], app.test_client())
    resp = c.post("/pesanan-masuk/action_post", data={"action": "konfirmasi", "rowid": [str(other["pesanan"].id)]})
    assert resp.status_code == 404
    assert _status(other["pesanan"].id) == "dipesan"
    resp = c.post("/pesanan-masuk/action_post", data={"action": "konfirmasi", "rowid": [str(mine["pesanan"].id)]})
    assert resp.status_code == 302 and _status(mine["pesanan"].id) == "diproses"


def test_product_action_with_other_supplier_ids_is_refused(app, login, f):
    a, b = f.penyedia(), f.penyedia()
    user = f.penyedia_user(a)
    theirs = f.produk(b, status="draft")
    c = login(user, app.test_client())
    resp = c.post("/produk-saya/action_post", data={"action": "ajukan", "rowid": [str(theirs.id)]})
    assert resp.status_code == 404
    db.session.expire_all()
    assert db.session.get(type(theirs), theirs.id).status == "draft"
    assert c.get(f"/produk-saya/show/{theirs.id}").status_code == 404
    assert c.get(f"/produk-saya/edit/{theirs.id}").status_code == 404
    assert c.post(f"/produk-saya/delete/{theirs.id}").status_code == 404


def test_draft_invisible_to_supplier(app, login, f):
    s = f.scenario(until="detail")
    c = login(s["penyedia_user"], app.test_client())
    assert c.get(f"/pesanan/{s['pesanan'].id}").status_code == 404


@pytest.mark.parametrize(
    "role,url",
    [
        ("Penyedia", "/toko/"),
        ("Penyedia", "/alamat/list/"),
        ("Pembeli", "/produk-saya/list/"),
        ("Pembeli", "/pesanan-masuk/list/"),
        ("Pembeli", "/persetujuan-produk/list/"),
        ("Auditor", "/toko/"),
        ("PPK", "/pesananku/list/"),
        ("Manajemen", "/users/list/"),
    ],
)
def test_role_pages_closed_to_others(app, login, f, role, url):
    user = f.pembeli() if role == "Pembeli" else f.penyedia_user() if role == "Penyedia" else f.user(role)
    c = login(user, app.test_client())
    assert c.get(url).status_code == 403


def test_alamat_is_per_user(app, login, f):
    a, b = f.pembeli(), f.pembeli()
    theirs = f.alamat(b)
    c = login(a, app.test_client())
    assert c.get(f"/alamat/show/{theirs.id}").status_code == 404
    assert c.get(f"/alamat/edit/{theirs.id}").status_code == 404
    assert c.post(f"/alamat/delete/{theirs.id}").status_code == 404


def test_audit_rows_never_editable(app, login, f):
    f.scenario(until="dipesan")
    c = login(f.user("Admin"), app.test_client())
    row = db.session.execute(select(AuditLog)).scalars().first()
    assert c.get("/auditlogview/list/").status_code == 200
    assert c.get(f"/auditlogview/edit/{row.id}").status_code in (403, 404, 405)
    assert c.post(f"/auditlogview/delete/{row.id}").status_code in (403, 404, 405)


def test_fab_download_route_never_serves_documents(app, login, f):
    s = f.scenario(until="dikirim")
    eorder.jalankan(s["pesanan"].id, "upload_dokumen", s["penyedia_user"], jenis="invoice", data=pdf_bytes())
    stored = db.session.get(Pesanan, s["pesanan"].id).dokumen[0].stored_name
    stranger = login(f.pembeli(), app.test_client())
    assert stranger.get(f"/pesananku/download/{stored}").status_code == 403
    supplier = login(f.penyedia_user(), app.test_client())
    assert supplier.get(f"/produk-saya/download/{stored}").status_code == 403
    admin = login(f.user("Admin"), app.test_client())
    resp = admin.get(f"/semua-pesanan/download/{stored}")
    assert resp.status_code in (403, 404) and not resp.data.startswith(b"%PDF")
    resp = admin.get(f"/produk-saya/download/{stored}")  # a view whose base permissions include download
    assert resp.status_code == 404 and not resp.data.startswith(b"%PDF")


def test_supplier_lists_orders_by_status(app, login, f):
    s = f.scenario(until="dipesan")
    other = f.scenario(until="diproses")
    diproses = f.produk(s["penyedia"])
    from app.services import eorder as svc

    p2 = svc.tambah_ke_keranjang(s["pembeli"], diproses.id, 3)
    svc.jalankan(p2.id, "isi_detail", s["pembeli"], **f.detail(s["pembeli"]))
    svc.jalankan(p2.id, "konfirmasi_pesanan", s["pembeli"])
    svc.jalankan(p2.id, "konfirmasi", s["penyedia_user"])
    c = login(s["penyedia_user"], app.test_client())
    dipesan = c.get("/pesanan-masuk/list/?status=dipesan").data
    assert s["pesanan"].nomor.encode() in dipesan and p2.nomor.encode() not in dipesan
    diproses_page = c.get("/pesanan-masuk/list/?status=diproses").data
    assert p2.nomor.encode() in diproses_page and s["pesanan"].nomor.encode() not in diproses_page
    assert other["pesanan"].nomor.encode() not in diproses_page  # another supplier's Diproses order
    assert b'id="tab-status"' in dipesan


def test_bad_ids_and_numbers_are_404_or_ignored_not_500(app, login, f):
    s = f.scenario(until="dipesan")
    b = login(s["pembeli"], app.test_client())
    for url in ("/pesananku/show/abc", "/keranjang/show/abc", "/pesanan/abc", "/toko/produk/abc"):
        assert b.get(url).status_code == 404, url
    # a number beyond any the portal stores is refused with a message by the input-bounding layer (app/views/masukan.py)
    resp = b.get("/toko/?page=99999999999999999999&harga_min=99999999999999999999999")
    assert resp.status_code == 400 and b"terlalu besar" in resp.data
    sup = login(s["penyedia_user"], app.test_client())
    resp = sup.post(f"/pesanan/{s['pesanan'].id}/aksi/konfirmasi", data={"version": "abc", "actor": "1", "note": "x"})
    assert resp.status_code == 409
    assert _status(s["pesanan"].id) == "dipesan"


def test_address_in_use_cannot_be_deleted(app, login, f):
    from app.models import Alamat

    s = f.scenario(until="dipesan")
    c = login(s["pembeli"], app.test_client())
    alamat_id = s["pesanan"].alamat_id
    c.post(f"/alamat/delete/{alamat_id}")
    db.session.rollback()
    assert db.session.get(Alamat, alamat_id) is not None
    spare = f.alamat(s["pembeli"])
    draft = eorder.tambah_ke_keranjang(s["pembeli"], f.produk(f.penyedia()).id, 2)
    eorder.jalankan(draft.id, "isi_detail", s["pembeli"], alamat_id=spare.id)
    assert c.post(f"/alamat/delete/{spare.id}").status_code == 302
    db.session.expire_all()
    assert db.session.get(Alamat, spare.id) is None
    assert db.session.get(Pesanan, draft.id).alamat_id is None


def test_product_quantity_rules_give_a_message_not_sql(app, login, f):
    from app.models import Produk

    c = login(f.penyedia_user(), app.test_client())
    form = {
        "nama": "Kue",
        "kategori": str(f.kategori().id),
        "harga": "10.000",
        "ppn_persen": "11",
        "ppnbm_persen": "0",
        "min_pesan": "10",
        "max_pesan": "5",
        "stok": "3",
        "ketersediaan": "ready",
        "satuan": "box",
        "deskripsi": "Enak.",
    }
    page = c.post("/produk-saya/add", data=form, follow_redirects=True).data.decode()
    assert "Maksimal pesan" in page and "CHECK" not in page
    db.session.rollback()
    page = c.post("/produk-saya/add", data={**form, "max_pesan": "50", "stok": "-1"}, follow_redirects=True)
    assert "Stok tidak boleh negatif" in page.data.decode()
    db.session.rollback()
    assert db.session.query(Produk).count() == 0
