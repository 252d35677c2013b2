"""`flask portal ...` commands: roles, demo data, region reference."""

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from . import seed, seed_scale, tasks
from .extensions import huey
from .roles import ALL_ROLES
from .services import catalog, clock, eorder, katalog, produksi, tte, tte_aktivasi, verifikasi

portal = AppGroup("portal", help="Portal maintenance commands.")


def ensure_roles():
    sm = current_app.appbuilder.sm
    for name in ALL_ROLES:
        if sm.find_role(name) is None:
            sm.add_role(name)


@portal.command("init")
def init_cmd():
    """Create the roles and load the region reference and categories (idempotent)."""
    ensure_roles()
    seed.load_reference()
    click.echo("roles, regions and categories ready")


@portal.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
def seed_demo_cmd(if_empty):
    """Load the demo data (documented demo passwords; never for production)."""
    try:
        produksi.refuse_demo_seed(current_app.config.get("PORTAL_ENV"))
    except RuntimeError as e:
        raise click.ClickException(str(e)) from None
    ensure_roles()
    seed.load_reference()
    if if_empty and seed.has_users():
        click.echo("database already has users; demo data not loaded")
        return
    click.echo(seed.load_demo())


@portal.command("seed-scale")
@click.option("--orders", default=300_000, show_default=True, help="E-Order orders; every other count scales with it.")
@click.option(
    "--seed", "seed_value", default=1, show_default=True, help="Random seed (the same seed builds the same data)."
)
def seed_scale_cmd(orders, seed_value):
    """Bulk-load a province-sized data set for the benchmarks (bench/); demo passwords, never production."""
    ensure_roles()
    seed.load_reference()
    counts = seed_scale.build(orders=orders, seed=seed_value, echo=click.echo)
    click.echo(", ".join(f"{k} {v}" for k, v in counts.items()))


@portal.group("clock")
def clock_group():
    """The shared movable clock of development (CLOCK_OFFSET_FILE): show, advance, reset."""


def _shared_clock():
    if clock.shared_file() is None:
        raise click.ClickException(
            "CLOCK_OFFSET_FILE is not set (or this is production): there is no shared clock to move. "
            "Set it for the web app, the worker and this command alike, e.g. CLOCK_OFFSET_FILE=clock-offset."
        )
    return clock


def _show(clock):
    now = clock.now()
    if clock.shared_file() is None:
        click.echo("offset: none (CLOCK_OFFSET_FILE not set: shared clock off)")
    else:
        click.echo(f"offset: {clock.format_duration(clock.shared_offset())} (file {clock.shared_file()})")
    click.echo(f"now:    {now:%Y-%m-%d %H:%M:%S} UTC, {clock.to_local(now):%Y-%m-%d %H:%M:%S} WIB")


def _wake(enabled):
    """Let a running worker act on the new time now rather than at its next minute."""
    if not enabled or huey.immediate:  # immediate (tests): no worker to wake; the tasks would run here
        return
    tasks.sweep_deadlines_now()
    tasks.send_outbox_now()
    click.echo("worker woken: sweep_deadlines_now and send_outbox_now enqueued")


@clock_group.command("show")
def clock_show_cmd():
    """Print the shared offset and the portal's current time."""
    _show(clock)


@clock_group.command("advance")
@click.argument("duration")
@click.option("--wake/--no-wake", default=True, help="Enqueue a sweep and an outbox run for the worker.")
def clock_advance_cmd(duration, wake):
    """Move the shared clock forward by DURATION: 72h, 3d, 90m, 1d2h30m, 3x24h."""
    clock = _shared_clock()
    try:
        delta = clock.parse_duration(duration)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="DURATION") from None
    clock.advance_shared(delta)
    _show(clock)
    _wake(wake)


@clock_group.command("reset")
def clock_reset_cmd():
    """Back to the real time (offset zero). Deadlines already fired stay fired."""
    clock = _shared_clock()
    clock.reset_shared()
    _show(clock)


TABLES = {
    "pesanan": eorder.EORDER,
    "pesanan_katalog": katalog.KATALOG,
    "adendum": katalog.adendum.ADENDUM,
    "produk": catalog.PRODUK,
    "profil_pengguna": verifikasi.PROFIL,
    "akses_pengguna": verifikasi.AKSES,
    "permohonan_tte": tte_aktivasi.PERMOHONAN,
}


@portal.command("tabel")
@click.argument("entity", type=click.Choice(sorted(TABLES)))
def tabel_cmd(entity):
    """Print a workflow's transition table as Markdown (the README's state lists are made from it)."""
    with force_locale("id"):
        click.echo(TABLES[entity].tabel())


@portal.command("tte-akar")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to this file.")
def tte_akar_cmd(output):
    """Export the TTE trust root (the BSrE simulator's CA) as PEM, to make pdfsig/pyHanko trust the letters."""
    pem = tte.akar_pem()
    if output:
        with open(output, "w", encoding="ascii") as fh:
            fh.write(pem)
        click.echo(f"trust root written to {output}")
    else:
        click.echo(pem, nl=False)


def init_app(app):
    app.cli.add_command(portal)
