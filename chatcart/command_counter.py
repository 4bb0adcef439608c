"""Counts MongoDB commands per operation: the machine-independent performance figure.

Attach to a client (`make_client(uri, listeners=[counter])`) and wrap an operation in
`with counter.measure() as m: ...`; `m.count` is then the number of database round trips.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from pymongo.monitoring import CommandFailedEvent, CommandListener, CommandStartedEvent, CommandSucceededEvent

# Driver housekeeping that is not part of any operation's work.
_IGNORED = {"hello", "ismaster", "isMaster", "ping", "endSessions", "saslStart", "saslContinue", "buildInfo"}


@dataclass
class Measurement:
    commands: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.commands)


class CommandCounter(CommandListener):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: list[Measurement] = []

    def started(self, event: CommandStartedEvent) -> None:
        if event.command_name in _IGNORED:
            return
        with self._lock:
            for measurement in self._active:
                measurement.commands.append(event.command_name)

    def succeeded(self, event: CommandSucceededEvent) -> None:
        return None

    def failed(self, event: CommandFailedEvent) -> None:
        return None

    @contextlib.contextmanager
    def measure(self) -> Iterator[Measurement]:
        measurement = Measurement()
        with self._lock:
            self._active.append(measurement)
        try:
            yield measurement
        finally:
            with self._lock:
                self._active.remove(measurement)
