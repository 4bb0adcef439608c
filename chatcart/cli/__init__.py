"""The `chatcart` command. Subcommands load lazily so `chatcart nlu parse` stays fast."""

from __future__ import annotations

import importlib
from typing import Any

import click

# name -> "module:attribute"; each module owns one area's commands.
SUBCOMMANDS: dict[str, str] = {
    "serve": "chatcart.cli.serve:serve",
    "worker": "chatcart.cli.serve:worker",
    "admin": "chatcart.cli.admin:admin",
    "catalog": "chatcart.cli.catalog:catalog",
    "seed-demo": "chatcart.cli.catalog:seed_demo",
    "nlu": "chatcart.cli.nlu:nlu",
    "chat": "chatcart.cli.chat:chat",
    "telegram": "chatcart.cli.telegram:telegram",
    "wechat": "chatcart.cli.wechat:wechat",
    "payments": "chatcart.cli.payments:payments",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in SUBCOMMANDS if self._load(name) is not None)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(name)
        if target is None:
            return None
        module_name, _, attribute = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # that area is not built yet
                return None
            raise
        command: Any = getattr(module, attribute)
        return command if isinstance(command, click.Command) else None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chatcart")
def main() -> None:
    """chatcart — conversational commerce in Chinese and English."""
