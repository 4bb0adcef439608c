"""The security-header baseline of every HTML page people open (admin, public product pages) and
of the JSON API. One definition, so the pages cannot drift apart."""

from __future__ import annotations

from collections.abc import MutableMapping

# Inline styles are allowed (templates carry a <style> block); scripts only from this site.
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data: https: http:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)


def add_page_headers(headers: MutableMapping[str, str], *, csp: str = PAGE_CSP) -> None:
    """No MIME sniffing, no framing (clickjacking), no full URLs leaking to other sites, a CSP.
    Headers the handler set itself win."""
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", csp)


def add_api_headers(headers: MutableMapping[str, str], *, personal: bool) -> None:
    """JSON is never to be sniffed as HTML; answers with personal data are never stored by a
    browser or a proxy cache."""
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if personal:
        headers.setdefault("Cache-Control", "no-store")
