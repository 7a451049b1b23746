from django.utils.translation import gettext_lazy as _

from cuntong.core.navigation import Menu, MenuItem, register

register(
    Menu(
        "funds",
        _("资金"),
        order=40,
        items=(
            MenuItem(_("资金看板"), "funds:dashboard", "funds.view_ledgerentry"),
            MenuItem(_("预算执行"), "funds:line_list", "funds.view_budgetline"),
            MenuItem(_("合同"), "funds:contract_list", "funds.view_contract"),
            MenuItem(_("拨付申请"), "funds:request_list", "funds.view_disbursementrequest"),
            MenuItem(_("申诉"), "funds:appeal_list", "funds.view_appeal"),
            MenuItem(_("补贴及费用"), "funds:subsidy_list", "funds.view_subsidybatch"),
            MenuItem(_("补贴及费用明细"), "funds:subsidy_line_list", "funds.view_subsidyline"),
            MenuItem(_("资金台账"), "funds:ledger_list", "funds.view_ledgerentry"),
        ),
    )
)
