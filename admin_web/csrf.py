"""CSRF protection: synchronizer tokens derived from the session with an HMAC.

Signed in, the token is HMAC(secret, "session:" + session token): bound to the session, it
needs no storage and changes with every sign-in. Before sign-in, the login form uses a
double-submit pair: a random nonce cookie and HMAC(secret, "login:" + nonce) in the form.
Tokens are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

LOGIN_NONCE_COOKIE = "chatcart_admin_login"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "X-CSRF-Token"


class CsrfSigner:
    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the CSRF secret must be at least 16 characters")
        self._key = secret.encode()

    def _sign(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def session_token(self, session: str) -> str:
        return self._sign("session", session)

    def check_session_token(self, session: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.session_token(session), str(token))

    @staticmethod
    def new_login_nonce() -> str:
        return secrets.token_urlsafe(24)

    def login_token(self, nonce: str) -> str:
        return self._sign("login", nonce)

    def check_login_token(self, nonce: str | None, token: str | None) -> bool:
        return bool(nonce) and bool(token) and hmac.compare_digest(self.login_token(str(nonce)), str(token))
