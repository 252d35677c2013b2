"""The bounded load test (bench/load.py runs it): shop browsing, E-Order actions and queue pages at once.

Work comes from BENCH_WORK (JSON written by bench/load.py): usernames per role and the orders Penyedia users
act on. A 409 (someone else took the step first) is the expected answer of a lost race, not an error;
any 5xx is. The password is the scale data's demo password."""

import json
import os
import random
import re

from locust import HttpUser, between, task

WORK = json.load(open(os.environ["BENCH_WORK"]))
PASSWORD = "Demo12345!"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def login(client, username):
    page = client.get("/login/", name="/login/").text
    m = CSRF.search(page)
    client.post(
        "/login/",
        {"username": username, "password": PASSWORD, "csrf_token": m.group(1) if m else ""},
        name="/login/ POST",
        allow_redirects=False,
    )


class Shopper(HttpUser):
    weight = 5
    wait_time = between(0.5, 2)

    def on_start(self):
        login(self.client, random.choice(WORK["pembeli"]))

    @task(3)
    def search(self):
        self.client.get(f"/toko/?q={random.choice(WORK['keywords'])}", name="/toko/?q=")

    @task(2)
    def browse(self):
        self.client.get(f"/toko/?kategori={random.choice(WORK['kategori'])}&sort=harga_asc", name="/toko/?kategori")

    @task(2)
    def page(self):
        self.client.get(f"/toko/?page={random.randint(1, 50)}", name="/toko/?page")

    @task(1)
    def product(self):
        self.client.get(f"/toko/produk/{random.choice(WORK['produk'])}", name="/toko/produk/<id>")

    @task(1)
    def history(self):
        self.client.get("/pesananku/list/", name="/pesananku/list/")


class Supplier(HttpUser):
    """Takes the next step of its supplier's orders: Dipesan -> Diproses (konfirmasi) -> Dikirim (kirim)."""

    weight = 2
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.me = random.choice(WORK["penyedia"])
        login(self.client, self.me["username"])

    @task(1)
    def inbox(self):
        self.client.get("/pesanan-masuk/list/", name="/pesanan-masuk/list/")

    @task(3)
    def act(self):
        pk = random.choice(self.me["orders"])
        page = self.client.get(f"/pesanan/{pk}", name="/pesanan/<id>").text
        for action in ("konfirmasi", "kirim"):
            if f"/aksi/{action}" in page:
                m = CSRF.search(page)
                v = re.search(r'name="version" (?:type="hidden" )?value="(\d+)"', page) or re.search(
                    r'value="(\d+)" name="version"', page
                )
                data = {"csrf_token": m.group(1) if m else "", "version": v.group(1) if v else ""}
                with self.client.post(
                    f"/pesanan/{pk}/aksi/{action}", data, name=f"/pesanan/<id>/aksi/{action}",
                    allow_redirects=False, catch_response=True,
                ) as r:  # fmt: skip
                    if r.status_code in (302, 409):  # done, or another worker took it first
                        r.success()
                return


class Queues(HttpUser):
    weight = 2
    wait_time = between(0.5, 2)

    def on_start(self):
        self.role, username = random.choice(WORK["queues"])
        login(self.client, username)

    @task
    def queue(self):
        path = {"ppk": "/pembayaran/ppk", "bendahara": "/pembayaran/", "verifikator": "/verifikasi/",
                "pp": "/katalog/", "admin": "/semua-pesanan/list/"}[self.role]  # fmt: skip
        self.client.get(path, name=path)
