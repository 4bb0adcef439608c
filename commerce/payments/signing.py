"""The signature and encryption algorithms the providers document, on `cryptography`.

- SHA256withRSA (PKCS#1 v1.5) signatures in base64: WeChat Pay API v3 requests, responses and
  notifications; Alipay's RSA2 requests, responses and async notifications.
- AEAD_AES_256_GCM: WeChat Pay v3 encrypts a notification's `resource` with the APIv3 key.
- Alipay's signing string: the parameters sorted by name, `k=v` joined with `&`.
- Key files: PEM (PKCS#8 or PKCS#1), or the bare base64 body Alipay's key tool writes.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class KeyFileError(ValueError):
    """A key file is missing, unreadable or not a key; the message names the setting."""


def rsa_sign(private_key: rsa.RSAPrivateKey, message: bytes) -> str:
    signature = private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def rsa_verify(public_key: rsa.RSAPublicKey, message: bytes, signature_b64: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def aes_gcm_decrypt(key: bytes, nonce: bytes, ciphertext_b64: str, associated_data: bytes) -> bytes | None:
    """None when the ciphertext was tampered with or the key is wrong."""
    try:
        return AESGCM(key).decrypt(nonce, base64.b64decode(ciphertext_b64, validate=True), associated_data)
    except (InvalidTag, binascii.Error, ValueError):
        return None


def aes_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, associated_data: bytes) -> str:
    return base64.b64encode(AESGCM(key).encrypt(nonce, plaintext, associated_data)).decode()


def alipay_sign_content(params: Mapping[str, str], *, exclude: tuple[str, ...] = ("sign",)) -> bytes:
    """Alipay's signing string: every non-empty parameter except `exclude`, sorted, `k=v&k=v`,
    values as they are (not URL-encoded)."""
    items = sorted((k, v) for k, v in params.items() if k not in exclude and v not in ("", None))
    return "&".join(f"{k}={v}" for k, v in items).encode()


def _pem(text: str, kind: str) -> bytes:
    """A PEM block; Alipay's tools hand out keys as a bare base64 line."""
    stripped = text.strip()
    if stripped.startswith("-----BEGIN"):
        return stripped.encode()
    body = "\n".join(stripped[i : i + 64] for i in range(0, len(stripped), 64))
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n".encode()


def _read(path: Path | None, setting: str) -> str:
    if path is None:
        raise KeyFileError(f"{setting} is not set")
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"{setting}: cannot read {path} ({type(exc).__name__})") from None


def load_private_key(path: Path | None, setting: str) -> rsa.RSAPrivateKey:
    text = _read(path, setting)
    try:
        key = serialization.load_pem_private_key(_pem(text, "PRIVATE KEY"), password=None)
    except (ValueError, TypeError):
        try:
            key = serialization.load_pem_private_key(_pem(text, "RSA PRIVATE KEY"), password=None)
        except (ValueError, TypeError):
            raise KeyFileError(f"{setting}: {path} is not an RSA private key (PEM)") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyFileError(f"{setting}: {path} is not an RSA private key")
    return key


def load_public_key(path: Path | None, setting: str) -> rsa.RSAPublicKey:
    """A public key, or the public key of a certificate (WeChat Pay's platform certificate)."""
    text = _read(path, setting)
    key: object
    if "BEGIN CERTIFICATE" in text:
        try:
            key = x509.load_pem_x509_certificate(text.encode()).public_key()
        except ValueError:
            raise KeyFileError(f"{setting}: {path} is not a certificate") from None
    else:
        try:
            key = serialization.load_pem_public_key(_pem(text, "PUBLIC KEY"))
        except (ValueError, TypeError):
            raise KeyFileError(f"{setting}: {path} is not an RSA public key (PEM)") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeyFileError(f"{setting}: {path} is not an RSA public key")
    return key
