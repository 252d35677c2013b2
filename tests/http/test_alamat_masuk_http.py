"""Issue 16 item 6: the login page and the address form as in the E-Order manual."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Alamat, Satker, Wilayah
from tests.conftest import PASSWORD


def _fresh(model, pk):
    db.session.expire_all()
    return db.session.get(model, pk)


def _kelurahan(prefix="31.75.%"):
    kel = (
        db.session.execute(select(Wilayah).where(Wilayah.level == "kelurahan", Wilayah.code.like(prefix)))
        .scalars()
        .first()
    )
    kec = db.session.get(Wilayah, kel.parent_code)
    return kel, kec


def _form(**kw):
    kel, kec = _kelurahan()
    form = {
        "nama": "Gudang Timur",
        "jenis": "kegiatan",
        "jalan": "Jl. Pemuda No. 10",
        "provinsi_code": "31",
        "kota_code": kec.parent_code,
        "kecamatan_code": kec.code,
        "kelurahan_code": kel.code,
        "kode_pos": "13220",
        "latitude": "-6.193000",
        "longitude": "106.889000",
    }
    form.update(kw)
    return form


def _selected(html, field):
    """The value of the selected option of one <select> of the page."""
    block = re.search(rf'<select[^>]*id="{field}"[^>]*>(.*?)</select>', html, re.S).group(1)
    chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', block)
    return (chosen.group(1) or chosen.group(2)) if chosen else None


def test_login_page_says_nrk_or_email_and_links_to_daftar(client):
    html = client.get("/login/").get_data(as_text=True)
    assert re.search(r'<label[^>]*for="username"[^>]*>\s*NRK atau email\s*</label>', html)
    assert 'href="/daftar/"' in html and ">Daftar<" in html
    assert "Username" not in html and "Sign In" not in html
    assert client.get("/daftar/").status_code == 200  # the link leads somewhere


def test_login_by_nrk_from_the_new_page(app, f):
    user = f.pembeli(nrk="198765")
    c = app.test_client()
    resp = c.post("/login/", data={"username": "198765", "password": PASSWORD})
    assert resp.status_code == 302 and "/login" not in resp.headers["Location"]
    with c.session_transaction() as s:
        assert s.get("_user_id") == str(user.id)


def test_address_form_shows_negara_prefilled_kecamatan_and_one_input_per_coordinate(app, f, login):
    kel, kec = _kelurahan()
    satker = f.satker()
    satker.kecamatan_code = kec.code
    db.session.commit()
    c = login(f.pembeli(satker=satker), app.test_client())
    html = c.get("/alamat/add").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="negara"[^>]*value="Indonesia"', html)
    assert _selected(html, "kecamatan_code") == kec.code
    assert _selected(html, "kota_code") == kec.parent_code
    assert _selected(html, "provinsi_code") == "31"
    assert _selected(html, "kelurahan_code") in (None, "")  # the kelurahan is the person's to choose
    for coord in ("latitude", "longitude"):
        inputs = re.findall(rf'<input[^>]*name="{coord}"[^>]*>', html)
        assert len(inputs) == 1, inputs  # was twice: hidden_tag() and the (hidden) row
        assert 'type="text"' in inputs[0]


def test_address_form_without_organisation_kecamatan_starts_empty(app, f, login):
    c = login(f.pembeli(), app.test_client())
    html = c.get("/alamat/add").get_data(as_text=True)
    assert _selected(html, "kecamatan_code") in (None, "")


def test_coordinates_typed_with_a_comma_are_saved_and_shown_on_edit(app, f, login):
    user = f.pembeli()
    c = login(user, app.test_client())
    resp = c.post("/alamat/add", data=_form(latitude="-6,2001", longitude="106,8123"))
    assert resp.status_code == 302
    a = db.session.execute(select(Alamat).where(Alamat.user_id == user.id)).scalar_one()
    assert (round(a.latitude, 4), round(a.longitude, 4)) == (-6.2001, 106.8123)
    html = c.get(f"/alamat/edit/{a.id}").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="latitude"[^>]*value="-6,200100"', html)


def test_editing_an_address_to_utama_demotes_the_old_one(app, f, login):
    user = f.pembeli()
    old = f.alamat(user, jenis="utama")
    other = f.alamat(user, jenis="kegiatan")
    c = login(user, app.test_client())
    resp = c.post(f"/alamat/edit/{other.id}", data=_form(nama="Kantor Baru", jenis="utama"), follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "UNIQUE" not in html and "constraint" not in html.lower()
    assert _fresh(Alamat, other.id).jenis == "utama" and _fresh(Alamat, other.id).nama == "Kantor Baru"
    assert _fresh(Alamat, old.id).jenis == "kegiatan"
    # and back: the first one becomes Utama again, still one Utama
    c.post(f"/alamat/edit/{old.id}", data=_form(nama="Kantor Lama", jenis="utama"))
    utama = db.session.execute(select(Alamat.id).where(Alamat.user_id == user.id, Alamat.jenis == "utama")).all()
    assert [r.id for r in utama] == [old.id]


def test_street_of_only_spaces_is_refused_and_the_input_kept(app, f, login):
    user = f.pembeli()
    c = login(user, app.test_client())
    resp = c.post("/alamat/add", data=_form(nama="Gudang Spasi", jalan="    "))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "bukan hanya spasi" in html
    assert 'value="Gudang Spasi"' in html  # the typed input stays on the form
    assert db.session.query(Alamat).count() == 0


def test_street_of_only_spaces_refused_in_english_too(app, f, login):
    c = login(f.pembeli(), app.test_client())
    c.get("/lang/en")
    html = c.post("/alamat/add", data=_form(jalan="   ")).get_data(as_text=True)
    assert "not only spaces" in html


def test_admin_sets_an_organisation_kecamatan(app, f, login):
    _kel, kec = _kelurahan()
    satker = f.satker()
    c = login(f.user("Admin"), app.test_client())
    html = c.get(f"/satkerview/edit/{satker.id}").get_data(as_text=True)
    assert 'name="kecamatan"' in html
    c.post(
        f"/satkerview/edit/{satker.id}",
        data={
            "instansi": str(satker.instansi_id),
            "kode": satker.kode,
            "nama": satker.nama,
            "jenis": "bumd",
            "kecamatan": kec.code,
        },
    )
    assert _fresh(Satker, satker.id).kecamatan_code == kec.code
