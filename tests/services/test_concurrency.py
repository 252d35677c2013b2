"""Two people acting on one order at once: exactly one transition applies (SQLite and PostgreSQL)."""

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Pesanan, PortalUser, Produk
from app.services import eorder
from app.services.errors import Conflict


def _race(app, calls):
    """Run each (user_id, action, data) in its own thread, app context and DB session, at once."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, user_id, pk, action, data):
        with app.app_context():
            user = db.session.get(PortalUser, user_id)
            _ = user.roles  # load before the race starts
            barrier.wait()
            try:
                eorder.jalankan(pk, action, user, **data)
                results[i] = "ok"
            except Conflict as e:
                results[i] = ("conflict", str(e))
            except Exception as e:  # pragma: no cover - shown in the assertion
                results[i] = ("error", repr(e))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.parametrize("n", [2, 4])
def test_same_action_exactly_one_wins(app, f, n):
    s = f.scenario(until="dipesan")
    pk, uid = s["pesanan"].id, s["penyedia_user"].id
    results = _race(app, [(uid, pk, "konfirmasi", {})] * n)
    assert results.count("ok") == 1, results
    assert all(r == "ok" or r[0] == "conflict" for r in results), results
    db.session.expire_all()
    assert db.session.get(Pesanan, pk).status == "diproses"
    assert db.session.get(Produk, s["produk"].id).stok == 96  # taken once
    count = select(func.count()).where(AuditLog.entity_id == pk, AuditLog.action == "konfirmasi")
    assert db.session.execute(count).scalar_one() == 1


def test_confirm_against_cancel_exactly_one_wins(app, f):
    s = f.scenario(until="dipesan")
    pk, version = s["pesanan"].id, s["pesanan"].version
    s2 = f.penyedia_user(s["penyedia"])
    results = _race(
        app,
        [
            (s["penyedia_user"].id, pk, "konfirmasi", {}),
            (s2.id, pk, "tolak", {"alasan": "Tidak sanggup"}),
        ],
    )
    assert results.count("ok") == 1, results
    db.session.expire_all()
    p = db.session.get(Pesanan, pk)
    assert p.status in ("diproses", "dibatalkan")
    assert p.version == version + 1
