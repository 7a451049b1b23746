"""What funds adds to other apps' pages: the claims on the funds (subsidies, costs) about a record, on its page —
a station's operating subsidies today, a training session's later — for every claim source naming its subject
model (``core.claims``; funds imports no other domain app)."""

from django.utils.translation import gettext_lazy as _

from cuntong.core import claims
from cuntong.core.panels import ANY_MODEL, panel

from .models import SubsidyLine

CLAIM_ROWS = 6


def _is_a_claim_subject(call) -> bool:
    return bool(claims.sources_about(call.object._meta.label_lower))


@panel(
    ANY_MODEL,
    "claims",
    title=_("补贴及费用"),
    template="funds/_claims_panel.html",
    permission="funds.view_subsidyline",
    visible=_is_a_claim_subject,
    order=50,
)
def claims_about(call):
    """The record's latest claim lines the viewer may see; nothing while there are none."""
    codes = [source.code for source in claims.sources_about(call.object._meta.label_lower)]
    lines = list(
        call.related(SubsidyLine, batch__claim_source__in=codes, subject_id=call.object.pk)
        .select_related("batch")
        .order_by("-batch__month")[: CLAIM_ROWS + 1]
    )
    if not lines:
        return None
    return {"lines": lines[:CLAIM_ROWS], "more": len(lines) > CLAIM_ROWS}
