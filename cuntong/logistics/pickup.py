"""Pickup codes (取件码): unguessable, stored only as a keyed hash, compared in constant time, used once.

A code is 8 characters from a 31-letter alphabet without look-alikes (no 0/O, 1/I/L): 31⁸ ≈ 8.5·10¹¹ values, about
39.6 bits, drawn with ``secrets``. The database keeps HMAC-SHA256(DATA_HASH_KEY, station + code) only, so a leaked
table gives no code back; the keeper's page finds the parcel by that hash among its station's waiting parcels and the
hand-over clears it in the same conditional UPDATE that marks the parcel picked up (``services.hand_over``): a
second use, even concurrent, finds nothing.
"""

from __future__ import annotations

import hmac
import re
import secrets

from cuntong.core.crypto import blind_index

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str:
    """What a keeper types or scans: any case, spaces or dashes between the groups."""
    return re.sub(r"[\s\-]", "", typed or "").upper()


def display(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def code_hash(station_id: int, code: str) -> str:
    return blind_index("logistics.pickup", f"{station_id}:{normalise(code)}")


def matches(stored_hash: str, station_id: int, typed: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(stored_hash, code_hash(station_id, typed))


def well_formed(typed: str) -> bool:
    code = normalise(typed)
    return len(code) == LENGTH and all(c in ALPHABET for c in code)
