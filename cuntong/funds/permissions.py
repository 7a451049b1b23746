"""What each built-in role may do with funds (added to accounts/roles.py's role specs).

The programme office reviews; the finance bureau approves and pays (separation of duties): the office's ``*.*``
would include approve and pay, so they are taken away by negative patterns. Nobody edits or deletes the ledger,
and fund records are never deleted (their history is the trace). Contractors and station operators see only their
own records (own-records roles, scoped by contractor organisation or station operator).
"""

ROLE_PERMISSIONS = {
    "office": [
        "!funds.approve_*",
        "!funds.pay_*",
        "!funds.delete_*",
        "!funds.add_ledger*",
        "!funds.change_ledger*",
        "!funds.add_subsidyline",
        "!funds.change_subsidyline",
        "!funds.change_subsidybatch",
    ],
    "finance": [
        "funds.approve_disbursementrequest",
        "funds.pay_disbursementrequest",
        "attachments.add_attachment",
    ],
    "contractor": [
        "funds.view_contract",
        "funds.view_contractmilestone",
        "funds.view_disbursementrequest",
        "funds.add_disbursementrequest",
        "funds.change_disbursementrequest",
        "funds.view_appeal",
        "funds.add_appeal",
        "attachments.add_attachment",
    ],
    "station_operator": [
        "funds.view_subsidyline",
        "funds.view_appeal",
        "funds.add_appeal",
        "attachments.add_attachment",
    ],
    # The evaluator's business-wide read (``*.view_*``) already covers every fund record and the ledger.
    "evaluator": [],
}
