"""Every row of the E-Order transition table over HTTP: the right party moves it, other roles get 403."""

import io

import pytest

from app.extensions import db
from app.models import Pesanan
from app.services import eorder
from tests.factories import pdf_bytes

ROWS = [t for t in eorder.TRANSITIONS]


def _setup(f, t):
    until = {"draft": "detail", "dikirim": "dokumen"}.get(t.source, t.source)
    if t.action == "upload_dokumen":
        until = "dikirim"
    s = f.scenario(until=until)
    if t.action in ("setujui_pembatalan", "tolak_pembatalan"):
        eorder.jalankan(s["pesanan"].id, "ajukan_pembatalan", s["pembeli"], alasan="Acara diundur")
    return s


def _actor(s, t):
    if t.action in ("setujui_pembatalan", "tolak_pembatalan"):
        return s["penyedia_user"]  # the buyer asked, so the supplier answers
    return s["pembeli"] if "Pembeli" in t.roles else s["penyedia_user"]


def _payload(f, s, t):
    p = s["pesanan"]
    if t.action == "isi_detail":
        d = f.detail(s["pembeli"])
        return {
            "alamat_id": str(d["alamat_id"]),
            "tanggal_kegiatan": d["tanggal_kegiatan"].isoformat(),
            "waktu_kegiatan": "10:00",
            "nama_kegiatan": "Bimtek",
            "metode_bayar": "transfer",
        }
    if t.action == "upload_dokumen":
        return {"jenis": "invoice", "berkas": (io.BytesIO(pdf_bytes()), "invoice.pdf")}
    if t.action == "konfirmasi_penerimaan":
        return {"jumlah_sesuai": "y", "kondisi_baik": "y", "waktu_tempat_sesuai": "y"}
    if t.action == "beri_penilaian":
        return {"bintang": "4", "ulasan": "Baik"}
    return {"alasan": "Alasan uji", "version": str(p.version)}


@pytest.mark.parametrize("t", ROWS, ids=lambda t: f"{t.source}-{t.action}")
def test_transition_applies_for_the_right_party(app, f, login, t):
    s = _setup(f, t)
    pk = s["pesanan"].id
    c = login(_actor(s, t), app.test_client())
    resp = c.post(f"/pesanan/{pk}/aksi/{t.action}", data=_payload(f, s, t), content_type="multipart/form-data")
    assert resp.status_code == 302, resp.data.decode()[-3000:]
    db.session.expire_all()
    assert db.session.get(Pesanan, pk).status == t.target


@pytest.mark.parametrize("t", ROWS, ids=lambda t: f"{t.source}-{t.action}")
def test_transition_refused_for_other_roles(app, f, login, t):
    s = _setup(f, t)
    pk = s["pesanan"].id
    before = (s["pesanan"].status, s["pesanan"].version)
    others = [f.user("Admin"), f.user("PP", satker=s["pesanan"].satker)]
    if "Penyedia" not in t.roles:
        others.append(s["penyedia_user"])
    if "Pembeli" not in t.roles:
        others.append(s["pembeli"])
    for user in others:
        c = login(user, app.test_client())
        resp = c.post(f"/pesanan/{pk}/aksi/{t.action}", data=_payload(f, s, t), content_type="multipart/form-data")
        # 403: the role may never do it; 404: the order is not theirs to see (a supplier and a Draft)
        assert resp.status_code in (403, 404), (user.username, resp.status_code)
    db.session.expire_all()
    p = db.session.get(Pesanan, pk)
    assert (p.status, p.version) == before
