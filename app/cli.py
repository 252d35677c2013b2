"""`flask portal ...` commands: roles, demo data, region reference."""

import click
from flask import current_app
from flask.cli import AppGroup

portal = AppGroup("portal", help="Portal maintenance commands.")


def ensure_roles():
    sm = current_app.appbuilder.sm
    from .security import ALL_ROLES

    for name in ALL_ROLES:
        if sm.find_role(name) is None:
            sm.add_role(name)


@portal.command("init")
def init_cmd():
    """Create the roles and load the region reference and categories (idempotent)."""
    from . import seed

    ensure_roles()
    seed.load_reference()
    click.echo("roles, regions and categories ready")


@portal.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
def seed_demo_cmd(if_empty):
    """Load the demo data (documented demo passwords; never for production)."""
    from . import seed

    ensure_roles()
    seed.load_reference()
    if if_empty and seed.has_users():
        click.echo("database already has users; demo data not loaded")
        return
    click.echo(seed.load_demo())


def init_app(app):
    app.cli.add_command(portal)
