"""Absolute links into chatcart for WeChat messages: product pages, images, OAuth-wrapped pages."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

OAUTH_START_PATH = "/wechat/oauth/start"


@dataclass(frozen=True)
class Links:
    base_url: str  # public https://HOST, no trailing slash
    oauth: bool = True  # wrap our own pages in silent OAuth (snsapi_base)

    def absolute(self, url: str | None) -> str:
        if not url:
            return ""
        if url.startswith(("http://", "https://")):
            return url
        return f"{self.base_url}/{url.lstrip('/')}"

    def product_page(self, code: str, lang: str) -> str:
        path = f"/p/{quote(code, safe='')}?lang={lang}"
        return self.page(path)

    def page(self, path_or_url: str) -> str:
        """A page of ours, through OAuth when enabled so the page learns the shopper's openid."""
        path = path_or_url
        if path.startswith(self.base_url):
            path = path[len(self.base_url) :] or "/"
        if not path.startswith("/") or path.startswith("//"):
            return path_or_url  # someone else's page: leave it alone
        if not self.oauth:
            return self.base_url + path
        return f"{self.base_url}{OAUTH_START_PATH}?{urlencode({'next': path})}"
