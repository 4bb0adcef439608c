"""Recognising "the database cannot be reached right now" (as opposed to a bug).

During an outage requests should fail fast and politely - HTTP 503 with Retry-After, chat
replies asking to try again later - and the message kept for a retry where the channel
redelivers; a bug stays a 500 / an apology. Recovery needs nothing: the driver reconnects.
"""

from __future__ import annotations

from pymongo.errors import ConnectionFailure, ServerSelectionTimeoutError

RETRY_AFTER_SECONDS = 5


def is_database_outage(exc: BaseException) -> bool:
    """The database did not answer (down, restarting, unreachable), possibly wrapped by a caller."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ConnectionFailure | ServerSelectionTimeoutError):
            return True
        seen.add(id(current))
        current = current.__cause__
    return False
