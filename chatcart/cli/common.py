"""Helpers shared by CLI commands: settings with overrides, running async code, JSON output."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

import click

from chatcart.settings import Settings
from chatcart.settings_checks import check_settings, validated_settings
from core.logging_setup import configure_logging

T = TypeVar("T")

db_uri_option = click.option(
    "--db-uri", envvar="MONGODB_URI", default=None, help="MongoDB URI (default: the embedded database)."
)


def load_settings(db_uri: str | None = None, **overrides: Any) -> Settings:
    """The settings, validated: a bad one stops the command with one line per problem (exit 2)
    instead of a traceback from wherever it would first have been used."""
    settings, problems = validated_settings()
    if settings is not None:
        updates = {k: v for k, v in overrides.items() if v is not None}
        if db_uri:
            updates["mongodb_uri"] = db_uri
        if updates:
            settings = settings.model_copy(update=updates)
            problems = check_settings(settings)
    if settings is None or problems:
        for problem in problems:
            sys.stderr.write(f"chatcart: invalid setting {problem.line()}\n")
        sys.exit(2)
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
