"""Every row of the Katalog table that a person takes from a page (panel not None), over HTTP: the order's party
posts the row's form (POST /katalog/<pk>/aksi/<action>, or /pembayaran/katalog/<pk>/<action> for the payment
rows) and is redirected with the order in the row's target; everyone else is refused (403 when they may see the
order, 404 when it is not theirs to see) and nothing changes. One order per row; the refusals come first."""

import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog
from app.services import katalog
from tests.factories import PASS_PENYEDIA, PASS_PPK
from tests.services.test_tables import KATALOG_SETUP, KATALOG_WHO, Katalog, katalog_payload

TABEL = Katalog()
PEMBAYARAN = {t.action for t in katalog.pembayaran.ROWS}
ROWS = [pytest.param(t, id=f"{t.source}-{t.action}") for t in katalog.KATALOG.transitions if t.panel is not None]


def _snapshot(w):
    """The service tests' snapshot, but of the audit log without the logins and logouts these tests cause."""
    logins = db.session.execute(select(func.count(AuditLog.id)).where(AuditLog.entity == "ab_user")).scalar_one()
    state = TABEL.snapshot(w)
    return state[:-3] + (state[-3] - logins,) + state[-2:]


def _url(pk, t):
    if t.action in PEMBAYARAN:
        return f"/pembayaran/katalog/{pk}/{t.action}"
    return f"/katalog/{pk}/aksi/{t.action}"


def _form(w, t):
    """The row's valid input as the page's form sends it (prices and the inspection per line, files uploaded)."""
    form = {"version": str(w["pesanan"].version)}
    for key, value in katalog_payload(w, t).items():
        if key == "harga":
            form.update({f"harga_{item_id}": f"{price:,}".replace(",", ".") for item_id, price in value.items()})
        elif key == "periksa":
            for item_id, row in value.items():
                form[f"qty_diterima_{item_id}"] = str(row["qty_diterima"])
                form[f"kondisi_{item_id}"] = row["kondisi"]
                form[f"sesuai_{item_id}"] = "1" if row["sesuai"] else ""
        elif key == "berkas":
            form["berkas"] = (io.BytesIO(value), katalog_payload(w, t)["nama_berkas"])
        elif key != "nama_berkas":
            form[key] = str(value)
    return form


def _outsiders(f, w, parties):
    """(name, user, status): officials of the satker who are not the order's parties, the order's own parties
    who are not this row's, oversight, and organisations that do not see the order at all."""
    satker = w["satker"]
    row = katalog.pihak.pembayaran_of(w["pesanan"])
    akses = "bud" if row is not None and row.metode == "ls" else "bendahara_pengeluaran"
    out = [
        ("pp lain satker sama", f.user("PP", satker=satker), 403),
        ("ppk lain satker sama", f.tte(f.user("PPK", satker=satker), PASS_PPK), 403),
        ("bendahara lain satker sama", f.bendahara(satker, akses), 403),
        ("auditor", f.user("Auditor"), 403),
        ("admin", f.user("Admin"), 403),
        ("penyedia lain", f.tte(f.penyedia_user(), PASS_PENYEDIA), 404),
        ("ppk satker lain", f.tte(f.user("PPK", satker=f.satker("satker")), PASS_PPK), 404),
    ]
    own = [("pp", w["pp"]), ("ppk", w["ppk"]), ("supplier", w["supplier"])]
    chosen = w.get("bendahara")
    own += [(k, w[k]) for k in ("bp", "bud") if k in w and (chosen is None or w[k].id != chosen.id)]
    if chosen is not None:
        own.append(("bendahara", chosen))
    return out + [(f"{k} pesanan ini", u, 403) for k, u in own if k not in parties]


@pytest.mark.parametrize("t", ROWS)
def test_only_the_party_takes_the_row_over_http(app, f, login, t):
    w = f.katalog(t.source, **KATALOG_SETUP.get((t.source, t.action), {}))
    p = w["pesanan"]
    pk, version = p.id, p.version
    parties = [KATALOG_WHO[r] for r in sorted(t.roles)]
    c = app.test_client()
    outsiders = _outsiders(f, w, parties)
    before = _snapshot(w)
    for name, user, status in outsiders:
        resp = login(user, c).post(_url(pk, t), data=_form(w, t), content_type="multipart/form-data")
        assert resp.status_code == status, (name, resp.status_code, resp.data.decode()[-1500:])
        assert _snapshot(w) == before, name
    party = w[parties[0]]
    form = _form(w, t)
    if "pratinjau" in t.fields:  # a letter is signed as its preview showed it (test_pratinjau_surat_http)
        jenis = next(j for j, a in katalog.PRATINJAU.items() if a == t.action)
        html = login(party, c).post(f"/katalog/{pk}/pratinjau/{jenis}", data=_form(w, t)).data.decode()
        form["pratinjau"] = re.search(r'name="pratinjau" value="([0-9a-f]{64})"', html).group(1)
    resp = login(party, c).post(_url(pk, t), data=form, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.data.decode()[-3000:]
    after = _snapshot(w)
    assert after[:2] == (t.target, version + 1)
