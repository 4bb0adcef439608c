"""Drive rasa/build.sh: build the Rasa virtualenv, train, and run a local Rasa server.

Used by `chatcart nlu train --engine rasa`, the Rasa tests and the benchmark. The Rasa
virtualenv and models live in a cache directory outside the checkout (see rasa/build.sh).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

BUILD_SCRIPT = Path(__file__).resolve().parent.parent / "rasa" / "build.sh"
BASH = shutil.which("bash") or "/bin/bash"


class RasaUnavailable(RuntimeError):
    """The Rasa virtualenv/model cannot be built or the server did not come up."""


def _run(*args: str, timeout: float) -> str:
    if not BUILD_SCRIPT.exists():
        raise RasaUnavailable(f"{BUILD_SCRIPT} not found (the rasa/ folder ships with the source checkout)")
    try:
        completed = subprocess.run(  # noqa: S603 - fixed script path, arguments from this module
            [BASH, str(BUILD_SCRIPT), *args], capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise RasaUnavailable(f"rasa/build.sh {' '.join(args)} timed out after {timeout:.0f}s") from exc
    if completed.returncode != 0:
        tail = "\n".join(completed.stderr.strip().splitlines()[-15:])
        raise RasaUnavailable(f"rasa/build.sh {' '.join(args)} failed:\n{tail}")
    return completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else ""


def venv_path() -> Path | None:
    """The completed Rasa virtualenv, or None when it has not been built."""
    try:
        return Path(_run("print-venv", timeout=60))
    except RasaUnavailable:
        return None


def train(timeout: float = 3600) -> Path:
    """Build the virtualenv if needed and train the model if stale; returns the model path."""
    return Path(_run("train", timeout=timeout))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/status", timeout=2) as response:  # noqa: S310 - loopback URL
            body = json.loads(response.read().decode() or "{}")
            return response.status == 200 and bool(body.get("model_file") or body.get("model_id"))
    except (urllib.error.URLError, OSError, ValueError):
        return False


class RasaServer:
    """`rasa run --enable-api` on 127.0.0.1:<free port> for as long as the context lasts."""

    def __init__(self, port: int | None = None, startup_timeout: float = 300.0) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path = Path(tempfile.gettempdir()) / f"chatcart-rasa-{self.port}.log"

    def start(self) -> RasaServer:
        train()
        log_file = self._log_path.open("wb")
        self._process = subprocess.Popen(  # noqa: S603 - fixed script path
            [BASH, str(BUILD_SCRIPT), "serve", str(self.port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() ends rasa and its children
        )
        log_file.close()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RasaUnavailable(f"rasa run exited with {self._process.returncode}; see {self._log_path}")
            if _ready(self.url):
                return self
            time.sleep(1.0)
        self.stop()
        raise RasaUnavailable(f"rasa run not ready after {self.startup_timeout:.0f}s; see {self._log_path}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=10)

    def __enter__(self) -> RasaServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
