"""Fixtures for the job tests: a real SMTP server (aiosmtpd) on a free local port, per test."""

import socket
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from app import tasks


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    """aiosmtpd handler: keeps every envelope; `refuse[address] = "550 ..."` refuses a recipient."""

    def __init__(self):
        self.envelopes = []
        self.refuse = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class LocalSmtp:
    """A real SMTP server on 127.0.0.1:<port> that can be stopped and started again on the same port."""

    def __init__(self, port):
        self.port = port
        self.handler = Collector()
        self.controller = None

    def start(self):
        assert self.controller is None
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def envelopes(self):
        with self.handler.lock:
            return list(self.handler.envelopes)

    def messages(self):
        """Parsed with the modern policy: headers come back decoded (RFC 2047 subjects included)."""
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]

    def recipients(self):
        return sorted(r for e in self.envelopes for r in e.rcpt_tos)


@pytest.fixture
def smtp_down(app, monkeypatch):
    """A server object pointed at by MAIL_SERVER/MAIL_PORT but not started: the port refuses connections."""
    server = LocalSmtp(free_port())
    for key, value in {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": server.port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_TIMEOUT": 5,
        "MAIL_DEFAULT_SENDER": "Portal Pengadaan <noreply@portal.local>",
    }.items():
        monkeypatch.setitem(app.config, key, value)  # restored after the test
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_down):
    return smtp_down.start()


@pytest.fixture
def bound_tasks(app):
    """app.tasks runs its jobs in this app (the worker binds its own); restored afterwards."""
    saved = tasks._app
    tasks.bind(app)
    yield tasks
    tasks._app = saved
