"""The order page's history names every step in words (issue: "checkout", "penilaian_pesanan" on screen)."""

import re

from app.services import katalog


def _riwayat_text(html):
    table = re.search(r'<table class="table table-condensed" id="riwayat-pesanan">(.*?)</table>', html, re.S)
    assert table, "the order page has no history table"
    return re.sub(r"<[^>]+>", " ", table.group(1))


def test_history_shows_step_names_not_keys(app, f, login):
    w = f.katalog("pesanan_tiba")
    p = w["pesanan"]
    katalog.penilaian.beri_penilaian(p.id, w["ppk"], "pesanan", 5, "Tepat waktu")
    for user in (w["pp"], w["ppk"], w["supplier"]):
        text = _riwayat_text(login(user, app.test_client()).get(f"/katalog/{p.id}").data.decode())
        for name in (
            "Checkout",
            "Ajukan Negosiasi",
            "Buat Pesanan",
            "Periksa dan Tanda Tangani BAST",
            "Penilaian Pesanan",
        ):
            assert name in text, (user.username, name)
        for key in ("checkout", "ajukan_nego", "buat_pesanan", "penilaian_pesanan", "menunggu_ppk", "None"):
            assert key not in text, (user.username, key)


def test_penyedia_never_sees_the_buyers_rup(app, f, login):
    w = f.katalog("nego_pp")
    p = w["pesanan"]
    rup = w["rup"]
    seller = login(w["supplier"], app.test_client()).get(f"/katalog/{p.id}").data.decode()
    assert 'id="rup"' not in seller and rup.kode not in seller
    for user in (w["pp"], w["ppk"]):
        html = login(user, app.test_client()).get(f"/katalog/{p.id}").data.decode()
        assert 'id="rup"' in html and rup.kode in html


def test_a_signed_bast_is_not_offered_to_sign_again(app, f, login):
    w = f.katalog("pesanan_tiba")  # the Penyedia has countersigned
    html = login(w["supplier"], app.test_client()).get(f"/katalog/{w['pesanan'].id}").data.decode()
    assert 'id="panel-ttd_bast"' not in html and 'id="pembayaran-menunggu-ppk"' in html
    w = f.katalog("pesanan_tiba", ttd_bast=False)
    html = login(w["supplier"], app.test_client()).get(f"/katalog/{w['pesanan'].id}").data.decode()
    assert 'id="panel-ttd_bast"' in html
