"""Safe-mode crypto against Tencent's published sample vectors (WXBizMsgCrypt demo and tests)."""

from __future__ import annotations

import pytest

from bot.wechat.crypto import CryptoError, MessageCrypto, sign, signature_ok
from simulators.wechat_server import SimCrypto

# From the official WXBizMsgCrypt Python demo (Sample.py): token, key, AppId, a real message.
DEMO_TOKEN = "spamtest"
DEMO_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
DEMO_APPID = "wx2c2769f8efd9abc2"
DEMO_TIMESTAMP = "1409735669"
DEMO_NONCE = "1320562132"
DEMO_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
DEMO_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbU"
    "Ah0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpK"
    "n6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1"
    "DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)
DEMO_PLAINTEXT_START = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"

# From the official Java WXBizMsgCryptTest: fixed random prefix, known ciphertext.
JAVA_APPID = "wxb11529c136998cb6"
JAVA_RANDOM = b"aaaabbbbccccdddd"
JAVA_REPLY = "我是中文abcd123"
JAVA_ENCRYPTED = "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="


def test_msg_signature_matches_the_published_one() -> None:
    assert sign(DEMO_TOKEN, DEMO_TIMESTAMP, DEMO_NONCE, DEMO_ENCRYPT) == DEMO_MSG_SIGNATURE
    crypto = MessageCrypto(DEMO_TOKEN, DEMO_KEY, DEMO_APPID)
    assert crypto.verify(DEMO_MSG_SIGNATURE, DEMO_TIMESTAMP, DEMO_NONCE, DEMO_ENCRYPT)
    assert not crypto.verify(DEMO_MSG_SIGNATURE, DEMO_TIMESTAMP, "1320562133", DEMO_ENCRYPT)


def test_published_message_decrypts() -> None:
    plaintext = MessageCrypto(DEMO_TOKEN, DEMO_KEY, DEMO_APPID).decrypt(DEMO_ENCRYPT)
    assert plaintext.startswith(DEMO_PLAINTEXT_START)
    assert "<Content><![CDATA[abcdteT]]></Content>" in plaintext
    assert "<MsgId>6054768590064713728</MsgId>" in plaintext


def test_simulator_crypto_reproduces_the_published_vectors() -> None:
    assert SimCrypto(DEMO_KEY, JAVA_APPID).encrypt(JAVA_REPLY, JAVA_RANDOM) == JAVA_ENCRYPTED
    text, app_id = SimCrypto(DEMO_KEY, DEMO_APPID).decrypt(DEMO_ENCRYPT)
    assert text.startswith(DEMO_PLAINTEXT_START)
    assert app_id == DEMO_APPID


def test_our_encryption_decrypts_in_the_simulator_and_back() -> None:
    ours = MessageCrypto(DEMO_TOKEN, DEMO_KEY, JAVA_APPID)
    encrypted = ours.encrypt(JAVA_REPLY)
    assert SimCrypto(DEMO_KEY, JAVA_APPID).decrypt(encrypted) == (JAVA_REPLY, JAVA_APPID)
    assert ours.decrypt(SimCrypto(DEMO_KEY, JAVA_APPID).encrypt("<xml>往返</xml>")) == "<xml>往返</xml>"


def test_message_for_another_app_or_garbage_does_not_decrypt() -> None:
    crypto = MessageCrypto(DEMO_TOKEN, DEMO_KEY, "wxAnotherApp0000")
    with pytest.raises(CryptoError):
        crypto.decrypt(DEMO_ENCRYPT)
    with pytest.raises(CryptoError):
        crypto.decrypt("not base64 at all !!!")
    with pytest.raises(CryptoError):
        crypto.decrypt("QUJD")


def test_encrypted_reply_carries_a_valid_msg_signature() -> None:
    crypto = MessageCrypto(DEMO_TOKEN, DEMO_KEY, DEMO_APPID)
    xml = crypto.encrypted_reply("<xml><Content>ok</Content></xml>", nonce="n1", timestamp="1700000000")
    encrypt = xml.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    signature = xml.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    assert signature == sign(DEMO_TOKEN, "1700000000", "n1", encrypt)
    assert crypto.decrypt(encrypt) == "<xml><Content>ok</Content></xml>"


def test_signature_ok_rejects_empty_and_wrong() -> None:
    assert signature_ok(sign("t", "1", "n"), "t", "1", "n")
    assert not signature_ok("", "t", "1", "n")
    assert not signature_ok(sign("t", "1", "n"), "t", "1", "m")
