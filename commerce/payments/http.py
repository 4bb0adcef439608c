"""The providers' HTTP calls: async (aiohttp), bounded in time, errors sorted in two kinds.

`ProviderUnavailable`: no answer in time, a connection error or a 5xx: the outcome is unknown,
the caller tries again later with the same ids (payment and refund ids make that safe).
`ProviderRejected`: the provider answered and said no (4xx, a business error code).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp

from commerce.errors import Conflict
from commerce.payments.model import ProviderUnavailable

DEFAULT_TIMEOUT_SECONDS = 10.0
MAX_RESPONSE_BYTES = 20_000_000  # a busy day's statement


class ProviderRejected(Conflict):
    code = "provider_rejected"


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    status: int
    headers: Mapping[str, str]
    body: bytes


async def call(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    limit_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> HttpAnswer:
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=limit_seconds)) as session,
            session.request(method, url, headers=dict(headers or {}), data=body, allow_redirects=False) as response,
        ):
            data = await response.content.read(MAX_RESPONSE_BYTES + 1)
            if len(data) > MAX_RESPONSE_BYTES:
                raise ProviderUnavailable(f"{method} {url}: answer too large")
            answer = HttpAnswer(response.status, {k.lower(): v for k, v in response.headers.items()}, data)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise ProviderUnavailable(f"{method} {url}: {type(exc).__name__}") from None
    if answer.status >= 500 or answer.status == 429:
        raise ProviderUnavailable(f"{method} {url}: HTTP {answer.status}")
    return answer
