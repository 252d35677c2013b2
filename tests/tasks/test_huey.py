"""Huey: the backend chosen by HUEY_URL, RedisHuey against the local Redis, and the outbox tasks."""

import uuid
from datetime import datetime

import pytest
import redis
from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.api import PeriodicTask
from sqlalchemy import select

from app.extensions import db, huey, make_huey
from app.models import EmailOutbox
from app.services import mailer, notify

REDIS_URL = "redis://127.0.0.1:6379/14"


def test_make_huey_picks_the_backend_from_the_url(tmp_path):
    assert isinstance(make_huey("redis://127.0.0.1:6379/0"), RedisHuey)
    sqlite_huey = make_huey(f"sqlite:///{tmp_path}/jobs/huey.db")
    assert isinstance(sqlite_huey, SqliteHuey) and not isinstance(sqlite_huey, RedisHuey)
    memory = make_huey("memory://")
    assert isinstance(memory, MemoryHuey) and memory.immediate


@pytest.fixture
def redis_huey():
    name = f"portal-test-{uuid.uuid4().hex}"
    h = RedisHuey(name, url=REDIS_URL, utc=True)
    try:
        h.storage.conn.ping()
    except redis.exceptions.ConnectionError:  # pragma: no cover
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    yield h
    h.storage.flush_all()
    conn = redis.Redis.from_url(REDIS_URL)
    leftover = list(conn.scan_iter(f"*{name}*"))
    if leftover:
        conn.delete(*leftover)
    assert not list(conn.scan_iter(f"*{name}*"))


def test_redis_huey_runs_a_task_enqueued_in_redis(redis_huey):
    @redis_huey.task()
    def tambah(a, b):
        return a + b

    result = tambah(2, 3)
    assert redis_huey.pending_count() == 1  # it sits in Redis until a consumer takes it
    task = redis_huey.dequeue()
    assert redis_huey.pending_count() == 0
    redis_huey.execute(task)
    assert result.get() == 5


def test_redis_huey_consumer_thread_sends_the_outbox(app, smtp, redis_huey):
    """A real consumer worker thread takes the task from Redis; it writes the DB and talks SMTP."""

    @redis_huey.task()
    def relay():
        with app.app_context():
            try:
                return mailer.send_due()
            finally:
                db.session.remove()

    notify.queue_email("redis@uji.local", "Pesanan PO-5: Dikirim", "Isi", key="redis:1")
    db.session.commit()
    result = relay()

    consumer = redis_huey.create_consumer(workers=1, worker_type="thread", periodic=False, initial_delay=0.05)
    worker, thread = consumer.worker_threads[0]
    thread.start()  # only the worker thread: Consumer.start() would install signal handlers in pytest
    try:
        assert result.get(blocking=True, timeout=20)["sent"] == 1
    finally:
        consumer.stop_flag.set()
        thread.join(10)
    db.session.expire_all()
    assert db.session.execute(select(EmailOutbox.status)).scalar_one() == "sent"
    assert smtp.recipients() == ["redis@uji.local"]


def test_outbox_tasks_are_registered_as_documented(bound_tasks):
    assert isinstance(bound_tasks.send_outbox.task_class(), PeriodicTask)
    every_minute = bound_tasks.send_outbox.task_class().validate_datetime
    assert all(every_minute(datetime(2026, 5, 1, 10, m)) for m in (0, 1, 17, 59))
    assert bound_tasks.send_outbox_now.task_class.default_retries == 3
    assert bound_tasks.send_outbox_now.task_class.default_retry_delay == 10
    names = set(huey._registry._registry)
    assert {"app.tasks.send_outbox", "app.tasks.send_outbox_now"} <= names


def test_the_periodic_task_sends_and_respects_its_lock(smtp, bound_tasks):
    notify.queue_email("a@uji.local", "S", "B", key="lock:1")
    db.session.commit()
    with huey.lock_task("send-outbox"):  # another run in progress
        bound_tasks.send_outbox()  # immediate mode (HUEY_URL=memory:// in tests): runs now, or not at all
    assert smtp.envelopes == []
    bound_tasks.send_outbox()
    assert smtp.recipients() == ["a@uji.local"]
    notify.queue_email("b@uji.local", "S", "B", key="lock:2")
    db.session.commit()
    bound_tasks.send_outbox_now()
    assert smtp.recipients() == ["a@uji.local", "b@uji.local"]


def test_a_lock_left_by_a_killed_consumer_is_flushed_at_start(smtp, bound_tasks):
    """`huey_consumer -f` flushes the locks of registered lock_task()s (the dead run never released it)."""
    huey.lock_task("send-outbox").acquire()  # the killed consumer's run
    notify.queue_email("a@uji.local", "S", "B", key="stale-lock")
    db.session.commit()
    bound_tasks.send_outbox()
    assert smtp.envelopes == []  # every later run is refused while the lock stays
    assert "send-outbox" in huey.flush_locks()  # what Consumer(flush_locks=True) does at start
    bound_tasks.send_outbox()
    assert smtp.recipients() == ["a@uji.local"]
