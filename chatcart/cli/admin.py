"""`chatcart admin …`: staff accounts and API tokens."""

from __future__ import annotations

import click

from chatcart.bootstrap import running_container
from chatcart.cli.common import db_uri_option, load_settings, print_json, run
from commerce.api.principal import Role
from commerce.errors import DomainError

ROLE_NAMES = [role.value for role in Role]


@click.group()
def admin() -> None:
    """Staff accounts and API tokens."""


@admin.command("create-user")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="CHATCART_NEW_PASSWORD")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLE_NAMES), default=["owner"], show_default=True)
@db_uri_option
def create_user(username: str, password: str, roles: tuple[str, ...], db_uri: str | None) -> None:
    """Create a staff user (argon2-hashed password)."""

    async def go() -> None:
        async with running_container(load_settings(db_uri), with_nlu=False) as container:
            user = await container.access.create_staff(username, password, [Role(r) for r in roles])
            print_json({"id": user.id, "username": user.username, "roles": sorted(user.roles)})

    try:
        run(go())
    except DomainError as exc:
        raise click.ClickException(exc.message) from None


@admin.command("create-token")
@click.argument("username")
@click.option("--name", default="cli", help="A label for the token.")
@db_uri_option
def create_token(username: str, name: str, db_uri: str | None) -> None:
    """Mint an API token for a staff user (printed once; only its hash is stored)."""

    async def go() -> None:
        async with running_container(load_settings(db_uri), with_nlu=False) as container:
            users = {u.username: u for u in await container.access.list_staff()}
            if username not in users:
                raise click.ClickException(f"no staff user named {username!r}")
            issued = await container.access.create_api_token(users[username].id, name)
            print_json({"token": issued.token, "roles": sorted(users[username].roles)})

    run(go())
