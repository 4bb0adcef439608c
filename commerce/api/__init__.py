"""HTTP API (`/api/v1`): a thin validated, authenticated shell over the commerce services."""
