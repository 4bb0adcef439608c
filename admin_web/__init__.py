"""The web admin and live agent console, mounted under /admin by `setup_admin(app, services, options)`."""

from admin_web.app import INDEXES, AdminOptions, AdminServices, setup_admin

__all__ = ["INDEXES", "AdminOptions", "AdminServices", "setup_admin"]
