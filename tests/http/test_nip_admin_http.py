"""The NIP printed on the letters an official signs is typed in the user admin and checked there: 18 digits
of a plausible ASN NIP, or nothing; a wrong one is refused with the reason and stores nothing."""

from app.extensions import db
from app.models import PortalUser


def _tambah(admin, app, satker, username="siti.ppk", follow=False, **extra):
    role = app.appbuilder.sm.find_role("PPK")
    data = {
        "first_name": "Siti",
        "last_name": "Rahmawati",
        "username": username,
        "email": f"{username}@satker.local",
        "active": "y",
        "roles": [str(role.id)],
        "satker": str(satker.id),
        "password": "Rahasia-Uji-2026",
        "conf_password": "Rahasia-Uji-2026",
        **extra,
    }
    resp = admin.post("/users/add", data=data, follow_redirects=follow)
    db.session.rollback()  # a refused add leaves FAB's half-built user in the shared session
    return resp


def test_admin_types_the_nip_and_position_of_an_official(app, f, login):
    admin = login(f.user("Admin"), app.test_client())
    satker = f.satker("satker")
    for i, (wrong, reason) in enumerate(
        (("180012", "NIP harus 18 angka."), ("198313122008012003", "NIP tidak valid."))
    ):
        resp = _tambah(admin, app, satker, username=f"salah{i}", follow=True, nip=wrong)  # the NRK; a 13th month
        assert resp.status_code < 500 and reason in resp.data.decode()
        assert db.session.query(PortalUser).filter_by(username=f"salah{i}").count() == 0
    resp = _tambah(admin, app, satker, nip="198305122008012003", jabatan=" Kepala Subbagian Umum ")
    assert resp.status_code == 302
    user = db.session.query(PortalUser).filter_by(username="siti.ppk").one()
    assert (user.nip, user.jabatan) == ("198305122008012003", "Kepala Subbagian Umum")
