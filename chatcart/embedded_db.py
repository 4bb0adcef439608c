"""Launch SecantusDB (`secantusd-py`) as a child process when no MongoDB URI is configured.

SecantusDB is GPL-2.0: it is only ever run as a separate program speaking the MongoDB
wire protocol, never imported.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from pymongo import MongoClient
from pymongo.errors import PyMongoError


class EmbeddedDatabaseError(RuntimeError):
    """The embedded database could not be started or died."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _find_command(command: str) -> str:
    """Prefer the launcher installed next to our own interpreter (the project venv)."""
    beside_python = Path(sys.executable).parent / command
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which(command)
    if found is None:
        raise EmbeddedDatabaseError(
            f"'{command}' was not found. Install the embedded database with "
            "`pip install 'chatcart[embedded]'` or set MONGODB_URI to a MongoDB server."
        )
    return found


class EmbeddedMongo:
    """A SecantusDB server on a free loopback port, stopped on exit.

    Usable as a sync or async context manager; `uri` is valid once started.
    """

    def __init__(
        self,
        storage_path: str,
        *,
        command: str = "secantusd-py",
        host: str = "127.0.0.1",
        cache_size: str = "256M",
        startup_timeout: float = 30.0,
        change_streams: bool = False,
        sync_on_commit: bool = True,
    ) -> None:
        self.storage_path = storage_path
        self.command = command
        self.host = host
        self.cache_size = cache_size
        self.startup_timeout = startup_timeout
        self.change_streams = change_streams
        # Fsync the write-ahead log at every commit: without it an acknowledged write can be
        # lost when the database process is killed (issue 17: 78 of 5,147 acknowledged inserts).
        # Only throwaway servers (tests, benchmarks on ":memory:") turn it off.
        self.sync_on_commit = sync_on_commit
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: Path | None = None

    @property
    def uri(self) -> str:
        # serverMonitoringMode=poll: with the streaming protocol a heartbeat the busy server answers
        # late (a 10,000-product import on a slow machine) interrupts the connections in use.
        return f"mongodb://{self.host}:{self.port}/?directConnection=true&retryWrites=false&serverMonitoringMode=poll"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, port: int | None = None) -> str:
        """Start the server; `port` reuses a known port (a restart on the same storage path)."""
        executable = _find_command(self.command)
        if self.storage_path != ":memory:":
            Path(self.storage_path).mkdir(parents=True, exist_ok=True)
            log_dir = Path(self.storage_path).parent
        else:
            log_dir = Path(tempfile.gettempdir())
        self.port = port or free_port(self.host)
        self._log_file = log_dir / f"secantusd-{self.port}.log"
        log_handle = self._log_file.open("wb")
        args = [
            executable,
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--storage-path",
            self.storage_path,
            "--cache-size",
            self.cache_size,
            "--log-level",
            "WARNING",
        ]
        if not self.change_streams:
            # A standalone node keeps no oplog: every write saves an oplog entry and its update
            # description (~20% of the server's CPU for a chat turn). Its only consumer here
            # would be change streams, and the console's one watcher polls instead.
            args.append("--standalone")
        if self.sync_on_commit:
            args.append("--sync-on-commit")
        self._process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            args,
            stdout=log_handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in a terminal reaches us, and we stop it cleanly
        )
        log_handle.close()
        self._wait_until_ready()
        return self.uri

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        client: MongoClient[dict[str, object]] = MongoClient(self.uri, serverSelectionTimeoutMS=250)
        try:
            while time.monotonic() < deadline:
                if not self.running:
                    raise EmbeddedDatabaseError(self.crash_report("exited during start-up"))
                try:
                    client.admin.command("ping")
                    return
                except PyMongoError:
                    time.sleep(0.05)
        finally:
            client.close()
        self.stop()
        raise EmbeddedDatabaseError(f"embedded database did not answer ping within {self.startup_timeout}s")

    def kill(self) -> None:
        """SIGKILL the server, as a crash would (fault-injection tests); `start(port)` restarts it."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def crash_report(self, what: str) -> str:
        code = self._process.returncode if self._process else None
        tail = ""
        if self._log_file and self._log_file.exists():
            tail = "\n".join(self._log_file.read_text(errors="replace").splitlines()[-20:])
        return (
            f"embedded database (secantusd-py, storage {self.storage_path}) {what}"
            f" with exit code {code}. Last log lines:\n{tail}"
        )

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    async def watch(self, on_crash: asyncio.Future[str] | None = None, interval: float = 1.0) -> None:
        """Poll the child; report a crash clearly instead of leaving the app to time out."""
        while self._process is not None:
            if self._process.poll() is not None:
                message = self.crash_report("crashed")
                if on_crash is not None and not on_crash.done():
                    on_crash.set_result(message)
                raise EmbeddedDatabaseError(message)
            await asyncio.sleep(interval)

    def __enter__(self) -> EmbeddedMongo:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> EmbeddedMongo:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)
