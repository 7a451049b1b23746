"""Key rotation and a data subject's requests (export, erasure), across every model holding personal data."""

import json

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from cuntong.accounts.models import User
from cuntong.audit.models import ChangeRecord, SecurityEvent
from cuntong.core import crypto
from cuntong.people.models import Resident
from cuntong.web.testing import HONGYANG, NANXI, make_user

from .factories import id_number, make_resident

pytestmark = pytest.mark.usefixtures("base_data")


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


# --- key rotation ----------------------------------------------------------------------------------------------


def test_rotation_re_encrypts_every_column_under_the_new_first_key(db, settings, capsys):
    old, new = settings.DATA_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    resident = make_resident(HONGYANG, 1)
    user = make_user("clerk", "township", HONGYANG, phone="13912345678")
    before = raw("people_resident", "id_number", resident.pk), raw("accounts_user", "phone", user.pk)

    settings.DATA_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_keys", "--no-progress")
    after = raw("people_resident", "id_number", resident.pk), raw("accounts_user", "phone", user.pk)
    assert after[0] != before[0] and after[1] != before[1]
    assert "people.Resident: 1 rows" in capsys.readouterr().out

    settings.DATA_ENCRYPTION_KEYS = [new]  # the old key is gone: everything still reads
    assert Resident.objects.get().id_number.reveal() == id_number(1)
    assert User.objects.get(pk=user.pk).phone.reveal() == "13912345678"
    with pytest.raises(Exception):  # noqa: B017 - InvalidToken from Fernet
        Fernet(old.encode()).decrypt(after[0].encode())
    event = SecurityEvent.objects.get(kind="key_rotation")
    assert event.detail["rows"]["people.Resident"] == 1 and event.detail["rehash"] is False


def test_rotation_changes_nothing_when_a_value_cannot_be_decrypted(db, settings):
    resident = make_resident(HONGYANG, 1)
    before = raw("people_resident", "id_number", resident.pk)
    settings.DATA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the key in use is missing
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("rotate_keys", "--no-progress")
    assert raw("people_resident", "id_number", resident.pk) == before
    assert not SecurityEvent.objects.filter(kind="key_rotation").exists()


def test_rehash_recomputes_blind_indexes_under_a_new_hash_key(db, settings):
    resident = make_resident(HONGYANG, 1)
    old_index = resident.id_number_hash
    settings.DATA_HASH_KEY = "a-new-blind-index-key"
    assert not Resident.objects.with_id_number(id_number(1)).exists()  # lookups miss until re-indexed
    call_command("rotate_keys", "--rehash", "--no-progress")
    found = Resident.objects.with_id_number(id_number(1)).get()
    assert found.pk == resident.pk and found.id_number_hash != old_index
    assert found.id_number_hash == crypto.blind_index("resident_id", id_number(1), key="a-new-blind-index-key")


# --- data subjects --------------------------------------------------------------------------------------------------


@pytest.fixture
def person(db):
    resident = make_resident(HONGYANG, 5, name="李四")
    make_resident(NANXI, 6, name="王五")
    return resident


def test_export_gives_everything_held_about_one_person_and_is_logged(person, capsys):
    call_command("personal_data", "export", "--id-number", id_number(5), "--reason", "申请单 2026-001")
    data = json.loads(capsys.readouterr().out)
    assert [(r["model"], r["id"]) for r in data["records"]] == [("people.Resident", person.pk)]
    record = data["records"][0]
    assert record["fields"]["name"] == "李四" and record["fields"]["id_number"] == id_number(5)
    assert record["fields"]["phone"] == person.phone.reveal() and "id_number_hash" not in record["fields"]
    assert record["fields"]["village"]["name"] == person.village.name
    assert record["history"][0]["action"] == "create"
    event = SecurityEvent.objects.get(kind="data_subject")
    assert event.detail == {"action": "export", "records": [f"people.Resident#{person.pk}"]}
    assert event.reason == "申请单 2026-001" and event.username.startswith("cli:")
    assert id_number(5) not in json.dumps(event.detail) + event.reason


def test_export_to_a_file(person, tmp_path):
    path = tmp_path / "subject.json"
    call_command("personal_data", "export", "--id-number", id_number(5), "--reason", "申请", "--output", str(path))
    assert json.loads(path.read_text())["records"][0]["id"] == person.pk


def test_delete_erases_the_person_everywhere_and_keeps_the_statistics(person):
    call_command("personal_data", "delete", "--id-number", id_number(5), "--reason", "申请单 2026-002", "--yes")
    erased = Resident.objects.get(pk=person.pk)
    assert erased.name == "（已删除）" and not erased.id_number and not erased.phone
    assert erased.id_number_hash == "" and erased.phone_hash == "" and erased.household_number == ""
    assert erased.erased_at is not None and erased.village_id == person.village_id  # still counted by village
    assert not Resident.objects.registered().filter(pk=person.pk).exists()
    assert raw("people_resident", "id_number", person.pk) == ""
    assert Resident.objects.get(name="王五").id_number.reveal() == id_number(6)  # nobody else touched
    history = " ".join(f"{c.before} {c.after} {c.object_repr}" for c in ChangeRecord.objects.all())
    assert "李四" not in history and id_number(5) not in history  # the audit trail never held them in clear
    assert SecurityEvent.objects.get(kind="data_subject").detail["action"] == "erase"
    with pytest.raises(CommandError, match="no records"):
        call_command("personal_data", "delete", "--id-number", id_number(5), "--reason", "再次", "--yes")


def test_delete_by_phone_reaches_accounts_too(db):
    user = make_user("leaver", "township", HONGYANG, phone="13912345678")
    call_command("personal_data", "delete", "--phone", "139-1234-5678", "--reason", "离职", "--yes")
    user.refresh_from_db()
    assert not user.phone and user.phone_hash == ""


def test_delete_asks_before_erasing(person):
    with pytest.raises(CommandError, match="--yes"):
        call_command("personal_data", "delete", "--id-number", id_number(5), "--reason", "申请")
    assert Resident.objects.get(pk=person.pk).name == "李四"


def test_the_number_can_come_from_standard_input_to_stay_out_of_shell_history(person, capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(id_number(5) + "\n"))
    call_command("personal_data", "export", "--id-number", "-", "--reason", "申请单 2026-003")
    assert json.loads(capsys.readouterr().out)["records"][0]["id"] == person.pk
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="no number"):
        call_command("personal_data", "export", "--id-number", "-", "--reason", "申请")
