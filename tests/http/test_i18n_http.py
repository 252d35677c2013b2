"""Indonesian by default, English on request, and the choice remembered for the person."""

from datetime import datetime, time

from flask_babel import force_locale

from app.extensions import db
from app.formatting import jam, rupiah, waktu
from app.models import PortalUser
from tests.conftest import PASSWORD


def _login(client, user):
    client.get("/logout/")
    assert client.post("/login/", data={"username": user.username, "password": PASSWORD}).status_code == 302


def test_login_page_is_indonesian_by_default(app):
    page = app.test_client().get("/login/").data.decode()
    assert "Kata Sandi" in page and "Masuk" in page
    assert "Password" not in page.replace('type="password"', "")


def test_switching_to_english_and_back(app, f):
    c = app.test_client()
    _login(c, f.pembeli())
    assert "Toko E-Order" in c.get("/toko/").data.decode() and "Cari" in c.get("/toko/").data.decode()
    c.get("/lang/en")
    page = c.get("/toko/").data.decode()
    assert "Search" in page and "Cari nama produk" not in page
    c.get("/lang/id")
    assert "Cari nama produk" in c.get("/toko/").data.decode()


def test_language_is_remembered_per_user(app, f):
    anna, budi = f.pembeli(), f.pembeli()
    c = app.test_client()
    _login(c, anna)
    c.get("/lang/en")
    assert db.session.get(PortalUser, anna.id).locale == "en"
    fresh = app.test_client()  # another browser, another day
    _login(fresh, anna)
    assert "Search" in fresh.get("/toko/").data.decode()
    other = app.test_client()
    _login(other, budi)
    assert "Cari nama produk" in other.get("/toko/").data.decode()


def test_formats_follow_the_locale(app):
    moment = datetime(2026, 11, 22, 7, 30)  # stored UTC = 14.30 in Jakarta
    with app.test_request_context():
        with force_locale("id"):
            assert waktu(moment) == "22 November 2026 14.30 WIB"
            assert jam(time(9, 5)) == "09.05 WIB"
            assert rupiah(1_250_000).replace("\xa0", " ") == "Rp 1.250.000"
        with force_locale("en"):
            assert waktu(moment).replace("\u202f", " ") == "November 22, 2026 2:30 PM WIB"
            assert rupiah(1_250_000).replace("\xa0", " ") == "IDR 1,250,000"
