"""Import the registered-poor roster from the poverty office's XLSX/CSV export.

Every bad row is reported with its row number and reason — an ID number failing the GB 11643 check digit, a village
outside the importer's scope, a person listed twice in the file or already on the roster (matched by blind index,
never by decrypting) — and nothing is written unless the whole file is valid. Messages never quote an ID number in
clear: the report is stored and shown on the job page.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cuntong.core import crypto
from cuntong.core import importer as imp
from cuntong.core.actors import restrict
from cuntong.core.importer import Column, RowInvalid, register_importer
from cuntong.core.personal import PHONE, RESIDENT_ID
from cuntong.geo.models import Area

from . import rules
from .models import PovertyStatus, Resident
from .services import ResidentImport, import_residents, stored_id_hashes


def _rule(parse):
    def wrapped(value: str):
        try:
            return parse(value)
        except rules.Unrecognised as exc:
            raise RowInvalid(str(exc)) from exc

    return wrapped


def optional_phone(value: str) -> str:
    """A phone cell: blank, or a valid mobile/landline number (shared with the account import)."""
    return PHONE.validate(value) if value else ""


@register_importer("residents")
class ResidentImporter(imp.Importer):
    title = _lazy("建档立卡人员")
    model = Resident
    columns = (
        Column("name", ("姓名", "name"), required=True, parse=imp.text),
        Column(
            "id_number",
            ("身份证号", "证件号码", "公民身份号码", "id_number"),
            required=True,
            parse=RESIDENT_ID.validate,
        ),
        Column("village", ("村", "所在村", "行政村", "村代码", "village"), required=True, parse=imp.text),
        Column("household_number", ("户编号", "household_number"), parse=imp.text),
        Column("relation_to_head", ("与户主关系", "relation_to_head"), parse=imp.text),
        Column("phone", ("联系电话", "手机号", "phone"), parse=optional_phone),
        Column("is_labour_capable", ("劳动能力", "有劳动能力", "labour_capable"), parse=_rule(rules.labour_capable)),
        Column("is_migrant_worker", ("务工状态", "外出务工", "migrant_worker"), parse=_rule(rules.migrant_worker)),
        Column("poverty_status", ("贫困状态", "脱贫状态", "poverty_status"), parse=_rule(rules.poverty_status)),
        Column("lifted_year", ("脱贫年度", "lifted_year"), parse=imp.non_negative_integer),
    )

    spooled = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.villages_by_code: dict[str, Area] = {}
        self.villages_by_name: dict[str, list[Area]] = {}
        self.repeats = imp.RepeatFinder()
        if self.programme is None:
            return
        villages = Area.objects.current().filter(level="village", code__startswith=self.programme.county.code)
        villages = restrict(villages, self.user, "view")
        for village in villages:
            self.villages_by_code[village.code] = village
            self.villages_by_name.setdefault(village.name, []).append(village)

    def _village(self, text: str) -> Area:
        if text in self.villages_by_code:
            return self.villages_by_code[text]
        candidates = self.villages_by_name.get(text, [])
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            raise RowInvalid(_("村名“%(v)s”重名，请填写12位区划代码") % {"v": text}, column=_("村"))
        raise RowInvalid(_("找不到村“%(v)s”，或不在您的管辖范围内") % {"v": text}, column=_("村"))

    @staticmethod
    def _key(digest: str) -> int:
        return int(digest[:16], 16)  # the blind index is a keyed hash already: 64 of its bits are key enough

    def clean_row(self, values, row_number):
        if self.programme is None:
            raise RowInvalid(_("未指定示范项目"))
        village = self._village(values["village"])
        if values.get("poverty_status") != "lifted" and values.get("lifted_year"):
            raise RowInvalid(_("只有已脱贫人员才填写脱贫年度"), column=_("脱贫年度"))
        # Repeats within the file and people already on the roster are found once the whole file is read.
        self.repeats.add(self._key(crypto.blind_index(RESIDENT_ID.name, values["id_number"])), row_number)
        return row_number, ResidentImport(
            village.pk,
            values["name"],
            values["id_number"],
            values.get("household_number") or "",
            values.get("relation_to_head") or "",
            values.get("phone") or "",
            bool(values.get("is_labour_capable")),
            bool(values.get("is_migrant_worker")),
            values.get("poverty_status") or PovertyStatus.POOR,
            values.get("lifted_year"),
        )

    def check_file(self, cleaned, report):
        """One query streams the roster's ID hashes past the file's; a repeated ID number is named masked."""
        try:
            for digest, pk in stored_id_hashes(self.programme):
                self.repeats.stored(self._key(digest), pk)
            repeats = {}
            for repeat in self.repeats.repeats():
                if len(repeats) >= self.max_errors:
                    break
                repeats[repeat.row] = repeat
        finally:
            self.repeats.close()
        if not repeats:
            return (item for _row, item in cleaned)
        errors = []
        for row, item in cleaned:
            repeat = repeats.get(row)
            if repeat is None:
                continue
            masked = RESIDENT_ID.mask(item.id_number)
            if repeat.first_row is not None:
                message = _("身份证号 %(id)s 与第%(row)d行重复") % {"id": masked, "row": repeat.first_row}
            else:
                message = _("身份证号 %(id)s 已在名册中（记录编号 %(pk)d）") % {"id": masked, "pk": repeat.stored}
            errors.append(imp.RowError(row, _("身份证号"), message))
        refused = self.refuse(report, errors)
        return (item for row, item in cleaned if row not in refused)

    def write(self, cleaned):
        return import_residents(self.user, self.programme, cleaned)

    def filled_tables(self):
        from cuntong.audit.models import ChangeRecord

        return [(model, model._meta.db_table) for model in (Resident, ChangeRecord)]
