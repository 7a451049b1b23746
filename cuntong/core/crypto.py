"""The one module that knows which algorithms protect personal data.

Encryption: Fernet (AES-128-CBC + HMAC-SHA256) through MultiFernet, so keys rotate: the first key in
``CUNTONG_DATA_KEYS`` encrypts, every listed key decrypts, and ``cuntong rotate_keys`` re-encrypts with the first.
Matching: a blind index, HMAC-SHA256 under its own key (``CUNTONG_HASH_KEY``). An unkeyed hash of an 18-digit ID
number falls to brute force in minutes; a keyed one does not without the key.

A later cryptography review may ask for SM4/SM3: only this module changes.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("CUNTONG_DATA_KEYS is empty")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured("each CUNTONG_DATA_KEYS entry must be a url-safe base64 32-byte key") from exc


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.DATA_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return cipher().encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode("ascii")).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("personal data cannot be decrypted with the configured keys") from exc


def reencrypt(token: str) -> str:
    """The same plaintext under the current primary key."""
    return cipher().rotate(token.encode("ascii")).decode("ascii")


def blind_index(kind: str, normalised_value: str, key: str | None = None) -> str:
    """Keyed hash for equality matching without decrypting; ``kind`` keeps an ID and a phone with equal digits apart."""
    secret = (key or settings.DATA_HASH_KEY).encode()
    return hmac.new(secret, f"{kind}:{normalised_value}".encode(), hashlib.sha256).hexdigest()


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")
