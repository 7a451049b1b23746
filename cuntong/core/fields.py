"""Model fields for personal data: encrypted at rest, matched by a keyed hash, masked when shown."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from . import crypto
from .personal import KINDS, PHONE, RESIDENT_ID, PersonalKind, PersonalValue


class PersonalFormField(forms.CharField):
    """Blank on edit forms: the stored value shows only as its masked placeholder and stays unless replaced."""

    def __init__(self, *, kind: PersonalKind, **kwargs):
        self.kind = kind
        kwargs.pop("max_length", None)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return "" if isinstance(value, PersonalValue) else value

    def to_python(self, value):
        value = super().to_python(value)
        return self.kind.validate(value) if value else value


class EncryptedPersonalField(models.TextField):
    """A personal value stored as ciphertext; Python sees a self-masking :class:`PersonalValue`.

    Lookups on this column cannot match (every encryption is randomised): match on its :class:`BlindIndexField`.
    """

    def __init__(self, *args, kind: str = RESIDENT_ID.name, **kwargs):
        self.kind = KINDS[kind]
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind.name
        return name, "cuntong.core.fields.EncryptedPersonalField", args, kwargs

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return PersonalValue(self.kind, crypto.decrypt(value))

    def to_python(self, value):
        if value in (None, "") or isinstance(value, PersonalValue):
            return value
        return PersonalValue(self.kind, self.kind.validate(value))

    def get_prep_value(self, value):
        if value in (None, ""):
            return value
        plain = value.reveal() if isinstance(value, PersonalValue) else self.kind.validate(value)
        return crypto.encrypt(plain)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value not in (None, "") and not isinstance(value, PersonalValue):
            value = self.to_python(value)
            setattr(model_instance, self.attname, value)
        return value

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value in (None, "") else str(value)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PersonalFormField, "kind": self.kind, **kwargs})

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if value not in (None, "") and not isinstance(value, PersonalValue):
            self.kind.validate(value)


class BlindIndexField(models.CharField):
    """HMAC of another field's value, kept in step on every save; the column queries match on."""

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("editable", False), ("blank", True), ("db_index", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, "cuntong.core.fields.BlindIndexField", args, kwargs

    def pre_save(self, model_instance, add):
        source_field = model_instance._meta.get_field(self.source)
        value = source_field.pre_save(model_instance, add)
        digest = "" if value in (None, "") else crypto.blind_index(source_field.kind.name, value.reveal())
        setattr(model_instance, self.attname, digest)
        return digest


def IdentityNumberField(*args, **kwargs) -> EncryptedPersonalField:
    """居民身份证号, validated by the GB 11643 check digit."""
    return EncryptedPersonalField(*args, kind=RESIDENT_ID.name, **kwargs)


def PhoneNumberField(*args, **kwargs) -> EncryptedPersonalField:
    return EncryptedPersonalField(*args, kind=PHONE.name, **kwargs)


def lookup_hash(kind: str, value: str) -> str:
    """The blind index of a typed-in value, for ``filter(id_number_hash=lookup_hash(...))``."""
    personal_kind = KINDS[kind]
    try:
        normalised = personal_kind.validate(value)
    except ValidationError:
        normalised = personal_kind.normalise(value)
    return crypto.blind_index(kind, normalised)
