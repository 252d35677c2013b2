"""The one document-access rule (app/services/akses_dokumen.py), per role, for every document kind, over every
download route: the order's parties read its papers, a same-satker official who is not party is refused
(403) on every route alike, another organisation finds nothing (404), the Auditor reads the papers of what it
audits, the preparation document is the Auditor's alone; every read is audited, every refusal is not."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog

FORBIDDEN_OR_DENIED = (302, 403)  # 302: FAB's own refusal of a page the role may never open


def _reads():
    db.session.expire_all()
    return db.session.execute(select(func.count(AuditLog.id)).where(AuditLog.entity == "dokumen")).scalar_one()


def _status(app, login, user, url):
    c = login(user, app.test_client())
    return c.get(url).status_code


def _check(app, login, table):
    """table: [(label, user, url, expected status or tuple of statuses)]; a 200 adds one audit row, else none."""
    for label, user, url, expected in table:
        before = _reads()
        got = _status(app, login, user, url)
        ok = got in expected if isinstance(expected, tuple) else got == expected
        assert ok, f"{label}: {url} answered {got}, expected {expected}"
        assert _reads() == before + (1 if got == 200 else 0), f"{label}: {url} audit rows"


def _outsiders(f, w):
    return {
        "pp_sesatker": f.user("PP", satker=w["satker"]),
        "ppk_sesatker": f.user("PPK", satker=w["satker"]),
        "pp_lain": f.user("PP", satker=f.satker("satker")),
        "penyedia_lain": f.penyedia_user(f.penyedia()),
        "auditor": f.user("Auditor"),
        "admin": f.user("Admin"),
    }


def test_katalog_letters_per_role(app, f, login):
    w = f.katalog("pesanan_tiba")
    p, o = w["pesanan"], _outsiders(f, w)
    colleague = f.penyedia_user(w["penyedia"])  # another user of the same Penyedia company: a party
    table = []
    for jenis in ("sp", "bast"):
        url = f"/katalog/{p.id}/dokumen/{jenis}"
        table += [
            (f"PP {jenis}", w["pp"], url, 200),
            (f"PPK {jenis}", w["ppk"], url, 200),
            (f"Penyedia {jenis}", w["supplier"], url, 200),
            (f"Penyedia colleague {jenis}", colleague, url, 200),
            (f"same-satker PP {jenis}", o["pp_sesatker"], url, 403),
            (f"same-satker PPK {jenis}", o["ppk_sesatker"], url, 403),
            (f"other satker PP {jenis}", o["pp_lain"], url, 404),
            (f"other Penyedia {jenis}", o["penyedia_lain"], url, 404),
            (f"Auditor {jenis}", o["auditor"], url, 200),
            (f"Admin {jenis}", o["admin"], url, 200),
        ]
    url = f"/katalog/{p.id}/persiapan"
    table += [
        ("Auditor persiapan", o["auditor"], url, 200),
        ("Admin persiapan", o["admin"], url, 403),
        ("PP persiapan", w["pp"], url, 403),
        ("PPK persiapan", w["ppk"], url, FORBIDDEN_OR_DENIED),
        ("Penyedia persiapan", w["supplier"], url, FORBIDDEN_OR_DENIED),
        ("same-satker PP persiapan", o["pp_sesatker"], url, 403),
        ("other satker PP persiapan", o["pp_lain"], url, 404),
    ]
    table += [("unknown kind", w["pp"], f"/katalog/{p.id}/dokumen/rahasia", 404)]
    _check(app, login, table)


def test_payment_papers_per_role_and_the_two_routes_agree(app, f, login):
    w = f.katalog("menunggu_bendahara", metode="ls")
    p, o = w["pesanan"], _outsiders(f, w)
    kas, other_kas = w["bud"], w["bp"]  # the BUD the PPK chose; a Bendahara of the same satker who was not
    assert w["bendahara"].id == kas.id
    table = []
    for jenis in ("sp", "bast", "tagihan", "bukti_potong"):
        url = f"/pembayaran/katalog/{p.id}/dokumen/{jenis}"
        table += [
            (f"PP {jenis}", w["pp"], url, 200),
            (f"PPK {jenis}", w["ppk"], url, 200),
            (f"Penyedia {jenis}", w["supplier"], url, 200),
            (f"chosen Bendahara {jenis}", kas, url, 200),
            (f"other Bendahara of the satker {jenis}", other_kas, url, 403),
            (f"same-satker PP {jenis}", o["pp_sesatker"], url, 403),
            (f"same-satker PPK {jenis}", o["ppk_sesatker"], url, 403),
            (f"other satker PP {jenis}", o["pp_lain"], url, 404),
            (f"other Penyedia {jenis}", o["penyedia_lain"], url, 404),
            (f"Admin {jenis}", o["admin"], url, 200),
            (f"Auditor {jenis}", o["auditor"], url, 200),  # the role table grants what the rule allows
        ]
    table += [("no invoice on LS", w["ppk"], f"/pembayaran/katalog/{p.id}/dokumen/invoice", 404)]
    _check(app, login, table)
    # the review's probe: the same file answers under one rule on both routes
    for user in (o["pp_sesatker"], o["ppk_sesatker"], w["pp"], w["ppk"]):
        assert _status(app, login, user, f"/katalog/{p.id}/dokumen/sp") == _status(
            app, login, user, f"/pembayaran/katalog/{p.id}/dokumen/sp"
        ), user.username


def test_up_invoice_per_role(app, f, login):
    w = f.katalog("pilih_bendahara", metode="up_kode_bayar")
    p, o = w["pesanan"], _outsiders(f, w)
    url = f"/pembayaran/katalog/{p.id}/dokumen/invoice"
    _check(
        app,
        login,
        [
            ("PPK invoice", w["ppk"], url, 200),
            ("Penyedia invoice", w["supplier"], url, 200),
            ("Bendahara not chosen yet", f.bendahara(w["satker"]), url, 403),
            ("same-satker PPK invoice", o["ppk_sesatker"], url, 403),
            ("other Penyedia invoice", o["penyedia_lain"], url, 404),
        ],
    )


def test_addendum_letter_per_role(app, f, login):
    w = f.adendum()
    p, a, o = w["pesanan"], w["adendum"], _outsiders(f, w)
    url = f"/katalog/{p.id}/dokumen/adendum/{a.id}"
    other = f.adendum()  # another order's addendum, asked for under this order: not found
    _check(
        app,
        login,
        [
            ("PPK adendum", w["ppk"], url, 200),
            ("Penyedia adendum", w["supplier"], url, 200),
            ("PP adendum", w["pp"], url, 200),
            ("same-satker PPK adendum", o["ppk_sesatker"], url, 403),
            ("same-satker PP adendum", o["pp_sesatker"], url, 403),
            ("other satker PP adendum", o["pp_lain"], url, 404),
            ("Auditor adendum", o["auditor"], url, 200),
            ("wrong order", w["ppk"], f"/katalog/{p.id}/dokumen/adendum/{other['adendum'].id}", 404),
            ("huge id", w["ppk"], f"/katalog/{p.id}/dokumen/adendum/99999999999", 404),
        ],
    )


def test_eorder_papers_per_role(app, f, login):
    s = f.scenario(until="dokumen")
    p = s["pesanan"]
    doc = p.dokumen[0]
    url = f"/pesanan/{p.id}/dokumen/{doc.id}"
    other = f.scenario(until="dokumen")["pesanan"]
    _check(
        app,
        login,
        [
            ("buyer", s["pembeli"], url, 200),
            ("buyer's BUMD colleague", f.pembeli(satker=p.satker), url, 200),
            ("supplier", s["penyedia_user"], url, 200),
            ("other buyer", f.pembeli(), url, 404),
            ("other supplier", f.penyedia_user(f.penyedia()), url, 404),
            ("Auditor", f.user("Auditor"), url, 200),
            ("Manajemen", f.user("Manajemen"), url, 200),
            ("another order's file", s["pembeli"], f"/pesanan/{p.id}/dokumen/{other.dokumen[0].id}", 404),
        ],
    )


def test_identity_papers_per_role(app, f, login):
    w = f.profil()
    ktp = w["profil"].ktp_id
    other_verifier = f.user("Verifikator", satker=f.satker("skpd"))  # another instansi's verifier
    table = []
    for route in (f"/akun/dokumen/{ktp}", f"/verifikasi/dokumen/{ktp}"):
        table += [
            (f"Auditor {route}", f.user("Auditor"), route, (302, 403, 404)),
            (f"other verifier {route}", other_verifier, route, (302, 403, 404)),
        ]
    table += [
        ("the person", w["pemohon"], f"/akun/dokumen/{ktp}", 200),
        ("their verifier", w["verifikator"], f"/verifikasi/dokumen/{ktp}", 200),
        ("another person", f.user("Pengguna"), f"/akun/dokumen/{ktp}", 404),
    ]
    _check(app, login, table)
