"""Request signatures and safe-mode (AES) message encryption, as the WeChat server does them.

Signatures are SHA-1 over the sorted parameters (token, timestamp, nonce[, Encrypt]) and are
compared in constant time. The AES part (PKCS#7, random prefix, AppId suffix) is wechatpy's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from wechatpy.crypto import PrpCrypto
from wechatpy.exceptions import InvalidAppIdException

ENCRYPTED_TEMPLATE = (
    "<xml>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n<MsgSignature><![CDATA[{signature}]]></MsgSignature>\n"
    "<TimeStamp>{timestamp}</TimeStamp>\n<Nonce><![CDATA[{nonce}]]></Nonce>\n</xml>"
)


class CryptoError(ValueError):
    """A message that does not decrypt, or decrypts for another AppId."""


def sign(*parts: str) -> str:
    """WeChat's signature: sha1 of the lexicographically sorted parts, concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()  # noqa: S324 - WeChat's protocol


def signature_ok(signature: str, *parts: str) -> bool:
    return bool(signature) and hmac.compare_digest(sign(*parts).encode(), signature.lower().encode())


class MessageCrypto:
    """Safe-mode encryption bound to one official account (token, EncodingAESKey, AppId)."""

    def __init__(self, token: str, encoding_aes_key: str, app_id: str) -> None:
        key = base64.b64decode(encoding_aes_key + "=")
        if len(key) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes")
        self._key = key
        self._token = token
        self._app_id = app_id

    def signature_of(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return sign(self._token, timestamp, nonce, encrypted)

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> bool:
        return signature_ok(msg_signature, self._token, timestamp, nonce, encrypted)

    def decrypt(self, encrypted: str) -> str:
        try:
            return str(PrpCrypto(self._key).decrypt(encrypted, self._app_id))
        except InvalidAppIdException:
            raise CryptoError("message encrypted for another AppId") from None
        except Exception as exc:  # bad base64, padding or length: all mean "not from WeChat"
            raise CryptoError(f"message does not decrypt: {type(exc).__name__}") from None

    def encrypt(self, plaintext: str) -> str:
        return PrpCrypto(self._key).encrypt(plaintext, self._app_id).decode("ascii")

    def encrypted_reply(self, plaintext_xml: str, nonce: str | None = None, timestamp: str | None = None) -> str:
        """The passive reply wrapped as WeChat expects in safe mode."""
        encrypted = self.encrypt(plaintext_xml)
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or secrets.token_hex(8)
        return ENCRYPTED_TEMPLATE.format(
            encrypt=encrypted,
            signature=self.signature_of(timestamp, nonce, encrypted),
            timestamp=timestamp,
            nonce=nonce,
        )
