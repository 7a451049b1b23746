"""Personal-data values mask themselves; the column holds ciphertext; the blind index matches."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cuntong.core import crypto
from cuntong.core.fields import lookup_hash
from cuntong.core.personal import PHONE, RESIDENT_ID, PersonalValue, mask_text

VALID_ID = "445281198001010019"  # checksum-valid, invented


def test_valid_id_passes_and_masks():
    number = RESIDENT_ID.validate("445281 19800101 0019")
    assert number == VALID_ID
    assert str(PersonalValue(RESIDENT_ID, number)) == "445281********0019"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("445281198001010010", "checksum"),
        ("4452811980010100", "length"),
        ("445281198013010016", "birth_date"),
        ("995281198001010016", "format"),
    ],
)
def test_invalid_ids_are_refused_with_the_reason(value, code):
    with pytest.raises(ValidationError) as caught:
        RESIDENT_ID.validate(value)
    assert caught.value.code == code


def test_phone_rules():
    assert PHONE.validate("+86 138-0013-8000") == "13800138000"
    assert PHONE.mask("13800138000") == "138****8000"
    with pytest.raises(ValidationError):
        PHONE.validate("12345")


def test_blind_index_is_keyed():
    assert crypto.blind_index("resident_id", VALID_ID) == crypto.blind_index("resident_id", VALID_ID)
    assert crypto.blind_index("resident_id", VALID_ID) != crypto.blind_index("resident_id", VALID_ID, key="another key")
    assert lookup_hash("resident_id", VALID_ID.lower()) == crypto.blind_index("resident_id", VALID_ID)


def test_log_lines_are_masked(caplog):
    from cuntong.core.personal import MaskPersonalDataFilter

    logger = logging.getLogger("cuntong.test")
    logger.addFilter(MaskPersonalDataFilter())
    with caplog.at_level(logging.WARNING, logger="cuntong.test"):
        logger.warning("person %s phone %s", VALID_ID, "13800138000")
    assert VALID_ID not in caplog.text and "13800138000" not in caplog.text
    assert mask_text(f"id {VALID_ID}") == "id 445281********0019"


def test_phone_column_is_ciphertext_and_matches_by_hash(db):
    from cuntong.accounts.models import User

    user = User.objects.create_user("p", password="x", phone="13800138000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_hash FROM accounts_user WHERE id = %s", [user.pk])
        raw, digest = cursor.fetchone()
    assert "13800138000" not in raw and crypto.decrypt(raw) == "13800138000"
    assert User.objects.get(phone_hash=lookup_hash("phone", "138 0013 8000")) == user
    fresh = User.objects.get(pk=user.pk)
    assert str(fresh.phone) == "138****8000" and fresh.phone.reveal() == "13800138000"
