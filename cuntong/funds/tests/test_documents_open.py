"""The auditors' workbook opens in LibreOffice (what many county offices use) with every sheet and figure intact."""

from decimal import Decimal

from cuntong.funds import ledger
from cuntong.funds.models import LedgerEntry
from cuntong.web.testing import login, programme

from .factories import contract, milestone_request, through


def test_the_auditors_workbook_opens_in_libreoffice(cast, libreoffice):
    paid = through(milestone_request(cast.contractor, contract(cast.office, number=1), 1), cast)
    sheets = libreoffice(login(cast.evaluator).get("/funds/export.xlsx").content)
    assert set(sheets) == {"预算执行", "子项", "合同", "付款节点", "拨付申请", "证据文件", "申诉", "资金台账"}
    ledger_rows = sheets["资金台账"]
    assert len(ledger_rows) == LedgerEntry.objects.count() + 1
    assert ledger_rows[-1][-1] == ledger.current_head(programme().pk)[1]  # the chain head survives the round trip
    request_row = next(row for row in sheets["拨付申请"] if row[0] == paid.code)
    assert Decimal(paid.amount) in {Decimal(cell) for cell in request_row if _is_number(cell)}


def _is_number(cell: str) -> bool:
    try:
        Decimal(cell)
    except ArithmeticError:
        return False
    return True
