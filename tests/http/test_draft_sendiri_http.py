"""A Draft (the E-Order cart) is visible only to the buyer who filled it; colleagues of the same BUMD see the
order from Dipesan on (issue 15 item 9) — through the one scoping rule, on pages and the API alike."""


def test_a_colleague_does_not_see_my_draft_but_sees_my_order(app, f, login):
    s = f.scenario(until="draft")
    p, buyer = s["pesanan"], s["pembeli"]
    colleague = f.pembeli(satker=p.satker)
    mine = login(buyer, app.test_client())
    theirs = login(colleague, app.test_client())
    assert mine.get(f"/pesanan/{p.id}").status_code == 200
    assert theirs.get(f"/pesanan/{p.id}").status_code == 404
    ordered = f.scenario(until="dipesan")["pesanan"]
    colleague2 = f.pembeli(satker=ordered.satker)
    assert login(colleague2, app.test_client()).get(f"/pesanan/{ordered.id}").status_code == 200
