"""`chatcart serve --demo` as a user runs it (what `make run` does): a real process, a real port."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from chatcart.embedded_db import free_port

CHATCART = str(Path(sys.executable).parent / "chatcart")


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback test URL
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Served:
    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k != "MONGODB_URI"}
        env.update(
            {"CHATCART_DATA_DIR": str(data_dir), "CHATCART_PORT": str(self.port), "CHATCART_LOG_LEVEL": "WARNING"}
        )
        self.process = subprocess.Popen(
            [CHATCART, "serve", "--demo"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self.process.communicate()}")
            try:
                if _get(self.base + "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError("serve did not become healthy in time")

    def stop(self) -> str:
        self.process.send_signal(signal.SIGINT)
        out, _ = self.process.communicate(timeout=30)
        return out


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


def test_serve_demo_then_restart_keeps_data(data_dir: Path) -> None:
    first = Served(data_dir)
    try:
        status, body = _get(first.base + "/api/v1/products?limit=5")
        assert status == 200
        page = json.loads(body)
        assert page["total"] >= 40
        code = page["items"][0]["code"]
        assert _get(first.base + "/chat")[0] == 200
        assert _get(first.base + "/api/v1/openapi.json")[0] == 200
        assert _get(first.base + "/api/v1/cart")[0] == 401
    finally:
        out = first.stop()
    assert "admin login (shown once): admin / " in out
    assert f"{first.base}/chat" in out
    assert first.process.returncode == 0

    second = Served(data_dir)
    try:
        status, body = _get(f"{second.base}/api/v1/products/{code}")
        assert status == 200
        assert json.loads(body)["code"] == code
    finally:
        out = second.stop()
    assert "admin login" not in out  # created once, never printed again
