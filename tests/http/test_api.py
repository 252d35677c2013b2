"""The REST API: JWT per role, scoped reads, actions through the same service with 403/404/409."""

from app.extensions import db
from app.models import Pesanan
from tests.conftest import PASSWORD


def _token(client, user):
    resp = client.post(
        "/api/v1/security/login", json={"username": user.username, "password": PASSWORD, "provider": "db"}
    )
    assert resp.status_code == 200, resp.json
    return {"Authorization": f"Bearer {resp.json['access_token']}"}


def test_api_scoped_reads_and_actions(app, f):
    c = app.test_client()
    mine = f.scenario(until="dipesan")
    other = f.scenario(until="dipesan")
    sup = _token(c, mine["penyedia_user"])

    listing = c.get("/api/v1/pesanan/", headers=sup)
    assert listing.status_code == 200
    assert [r["nomor"] for r in listing.json["result"]] == [mine["pesanan"].nomor]
    assert c.get(f"/api/v1/pesanan/{other['pesanan'].id}", headers=sup).status_code == 404
    assert c.post(f"/api/v1/pesanan/{other['pesanan'].id}/konfirmasi", headers=sup, json={}).status_code == 404

    pk = mine["pesanan"].id
    resp = c.post(f"/api/v1/pesanan/{pk}/kirim", headers=sup, json={})
    assert resp.status_code == 409 and "Dipesan" in resp.json["message"]
    resp = c.post(f"/api/v1/pesanan/{pk}/konfirmasi_pesanan", headers=sup, json={})
    assert resp.status_code == 403
    resp = c.post(f"/api/v1/pesanan/{pk}/konfirmasi", headers=sup, json={"version": 1})
    assert resp.status_code == 409  # stale version
    version = db.session.get(Pesanan, pk).version
    resp = c.post(f"/api/v1/pesanan/{pk}/konfirmasi", headers=sup, json={"version": version})
    assert resp.status_code == 200 and resp.json["status"] == "diproses"


def test_api_refuses_anonymous_and_unrelated_roles(app, f):
    c = app.test_client()
    s = f.scenario(until="dipesan")
    assert c.get("/api/v1/pesanan/").status_code == 401
    ppk = _token(c, f.user("PPK", satker=s["pesanan"].satker))
    assert c.get("/api/v1/pesanan/", headers=ppk).status_code == 403
    auditor = _token(c, f.user("Auditor"))
    assert c.get(f"/api/v1/pesanan/{s['pesanan'].id}", headers=auditor).status_code == 200
    assert c.post(f"/api/v1/pesanan/{s['pesanan'].id}/konfirmasi", headers=auditor, json={}).status_code == 403


def test_api_info_is_not_exposed(app, f):
    c = app.test_client()
    s = f.scenario(until="dipesan")
    f.alamat(f.pembeli())  # another BUMD's address must never be listed
    for user in (s["pembeli"], s["penyedia_user"]):
        resp = c.get("/api/v1/pesanan/_info", headers=_token(c, user))
        assert resp.status_code in (403, 404, 405)
        assert b"Medan Merdeka" not in resp.data


def test_api_bad_bodies_are_refused_cleanly(app, f):
    c = app.test_client()
    s = f.scenario(until="dikirim")
    pk = s["pesanan"].id
    buyer = _token(c, s["pembeli"])
    for body in ([1, 2], {"actor": 1, "wf": 2, "obj_id": 3}, {"version": "abc"}, "teks"):
        resp = c.post(f"/api/v1/pesanan/{pk}/konfirmasi_penerimaan", headers=buyer, json=body)
        assert resp.status_code in (400, 409), (body, resp.status_code)
    falsy = {"jumlah_sesuai": "false", "kondisi_baik": "false", "waktu_tempat_sesuai": "false"}
    assert c.post(f"/api/v1/pesanan/{pk}/konfirmasi_penerimaan", headers=buyer, json=falsy).status_code == 400
    db.session.expire_all()
    assert db.session.get(Pesanan, pk).status == "dikirim"


def test_api_document_download_follows_the_one_rule(app, f):
    c = app.test_client()
    s = f.scenario(until="dokumen")
    p, doc = s["pesanan"], s["pesanan"].dokumen[0]
    url = f"/api/v1/pesanan/{p.id}/dokumen/{doc.id}"
    for user in (s["pembeli"], s["penyedia_user"], f.user("Auditor")):
        resp = c.get(url, headers=_token(c, user))
        assert resp.status_code == 200 and resp.data.startswith(b"%PDF-"), user.username
    assert c.get(url, headers=_token(c, f.pembeli())).status_code == 404  # another BUMD
    assert c.get(url, headers=_token(c, f.penyedia_user(f.penyedia()))).status_code == 404
    assert c.get(f"/api/v1/pesanan/{p.id}/dokumen/99999999", headers=_token(c, s["pembeli"])).status_code == 404
    assert c.get(url).status_code == 401
