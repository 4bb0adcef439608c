"""The web admin and live agent console, mounted under /admin by `setup_admin(app, container)`."""

from admin_web.app import INDEXES, setup_admin

__all__ = ["INDEXES", "setup_admin"]
