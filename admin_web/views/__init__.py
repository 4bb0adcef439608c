"""Admin page handlers, one module per area; each module exposes `routes(prefix)`."""
