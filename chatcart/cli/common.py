"""Helpers shared by CLI commands: settings with overrides, running async code, JSON output."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

import click

from chatcart.settings import Settings
from core.logging_setup import configure_logging

T = TypeVar("T")

db_uri_option = click.option(
    "--db-uri", envvar="MONGODB_URI", default=None, help="MongoDB URI (default: the embedded database)."
)


def load_settings(db_uri: str | None = None, **overrides: Any) -> Settings:
    settings = Settings()
    updates = {k: v for k, v in overrides.items() if v is not None}
    if db_uri:
        updates["mongodb_uri"] = db_uri
    if updates:
        settings = settings.model_copy(update=updates)
    # CLI output goes to stdout; logs to stderr, quiet unless asked.
    configure_logging(
        level=settings.log_level if settings.log_level != "INFO" else "WARNING", json_output=settings.log_json
    )
    return settings


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
