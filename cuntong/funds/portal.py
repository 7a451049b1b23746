"""The fund ledger's part of the public portal: the day's published head and the programme's totals."""

from django.utils.translation import gettext_lazy as _

from cuntong.core.public import public_record, register_portal_section

from . import ledger, queries


@register_portal_section("funds.ledger", _("资金使用与台账链头"), template="funds/portal_ledger.html", order=20)
def ledger_section(programme) -> dict:
    total = queries.programme_totals(programme).get("total", {})
    return {
        "head": public_record(ledger.published_head(programme.pk)),
        **{figure: total.get(figure) for figure in ("budget", "approved", "paid")},
    }
