"""The database client never reuses a pooled connection the embedded server has already closed."""

from __future__ import annotations

from chatcart.database import make_client


async def test_pooled_connections_are_dropped_before_the_embedded_servers_idle_timeout() -> None:
    # SecantusDB closes a connection idle for 300 s (secantus.server.DEFAULT_CLIENT_IDLE_TIMEOUT_S);
    # the value is not imported because chatcart never imports the GPL server.
    server_idle_timeout_seconds = 300.0
    client = make_client("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=1")
    try:
        max_idle = client.options.pool_options.max_idle_time_seconds
        assert max_idle is not None
        assert 0 < max_idle < server_idle_timeout_seconds
    finally:
        await client.close()
