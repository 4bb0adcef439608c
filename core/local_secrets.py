"""Secrets for the zero-configuration embedded default.

Production sets every secret through the environment. When one is missing, a random value is
generated once and kept in `<data_dir>/secrets.json` (mode 0600) so it survives restarts and
is never part of the code or the logs.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path


def local_secret(data_dir: Path, name: str) -> str:
    path = data_dir / "secrets.json"
    data_dir.mkdir(parents=True, exist_ok=True)
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if name not in stored:
        stored[name] = secrets.token_urlsafe(32)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(stored, indent=2))
        os.chmod(temporary, 0o600)
        temporary.replace(path)
    return stored[name]
