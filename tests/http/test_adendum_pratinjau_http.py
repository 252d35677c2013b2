"""The addendum's 10 % rule is shown at the preview, before any passphrase is asked: the preview names the
percentage and offers no "Ajukan dan Tanda Tangani" above the limit."""

from app.extensions import db
from app.models import Adendum


def _preview(c, p, qty):
    resp = c.post(f"/katalog/{p.id}/adendum", data={f"qty_{p.items[0].id}": str(qty), "mode": "pratinjau"})
    return resp.status_code, resp.data.decode().replace("\xa0", " ")


def test_preview_names_the_shift_and_refuses_signing_above_ten_percent(app, f, login):
    w = f.katalog("diproses_penyedia", qty=10)
    p = w["pesanan"]
    ppk = login(w["ppk"], app.test_client())
    status, html = _preview(ppk, p, 11)  # +10,0 %: allowed
    assert status == 200 and 'id="pratinjau-geser"' in html and "10,0%" in html
    assert 'data-aksi="adendum-ajukan"' in html and 'name="passphrase"' in html and 'id="pratinjau-ditolak"' not in html
    status, html = _preview(ppk, p, 13)  # +30,0 %: named, no signing offered
    assert status == 200 and "30,0%" in html and 'id="pratinjau-ditolak"' in html
    assert 'data-aksi="adendum-ajukan"' not in html and "passphrase-adendum" not in html
    assert db.session.query(Adendum).count() == 0
    # without a quantity change there is no percentage to show
    resp = ppk.post(f"/katalog/{p.id}/adendum", data={"ongkir": "Rp 20.000", "mode": "pratinjau"})
    assert resp.status_code == 200 and 'id="pratinjau-geser"' not in resp.data.decode()
