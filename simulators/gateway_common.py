"""What the payment gateway simulators share: RSA2 (SHA256withRSA) keys and signatures, serving
an aiohttp app on a free loopback port, and POSTing a notification to the shop as the
provider does.

Written from the providers' documentation with `cryptography`, independently of chatcart's
`commerce.payments.signing`, so the tests cross-check both.
"""

from __future__ import annotations

import base64
from datetime import timedelta, timezone

import aiohttp
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CHINA = timezone(timedelta(hours=8))

NOTIFY_TIMEOUT_SECONDS = 10


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def sha256_rsa(key: rsa.RSAPrivateKey, message: bytes) -> str:
    """The base64 SHA256withRSA (PKCS#1 v1.5) signature of `message`."""
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def sha256_rsa_valid(key: rsa.RSAPublicKey, signature: str, message: bytes) -> bool:
    """Whether `signature` (base64) is `key`'s SHA256withRSA signature of `message`; a
    malformed signature is simply not valid."""
    try:
        key.verify(base64.b64decode(signature), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


async def serve_on_loopback(app: web.Application, port: int = 0) -> tuple[web.AppRunner, str]:
    """Serve `app` on 127.0.0.1:`port` (0: a free port); the runner (to clean up) and base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{bound}"


async def post_notification(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST a provider's notification to the shop; (HTTP status, answer text)."""
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=NOTIFY_TIMEOUT_SECONDS)) as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        return response.status, await response.text()
