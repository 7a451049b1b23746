"""The inbox, the bell, the user's channel choices and the office's delivery log (thin: services do the work)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cuntong.web.redirects import next_url
from cuntong.web.views import ObjectListView

from . import channels, registry, services, tables
from .channels import CHANNELS
from .rules import INBOX


@login_required
def inbox_view(request):
    unread_only = request.GET.get("unread") == "1"
    rows = services.inbox(request.user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/inbox.html",
        {"page_obj": page, "unread_only": unread_only, "unread": services.unread_count(request.user)},
    )


@login_required
@require_POST
def mark_read_view(request):
    """``all=1``: every message; else the ``message`` ids given (one, when opening it); then on to ``next``."""
    if request.POST.get("all") == "1":
        services.mark_read(request.user)
    else:
        services.mark_read(request.user, [int(v) for v in request.POST.getlist("message") if v.isdigit()])
    return redirect(next_url(request, reverse("notify:inbox")))


@login_required
def bell_view(request):
    """The bell's count, loaded by htmx after the page: the page itself costs no query for it."""
    return render(request, "notify/_bell.html", {"unread": services.unread_count(request.user)})


@login_required
def preferences_view(request):
    offered = [c for c in channels.enabled() if not CHANNELS[c].group]
    kinds = registry.kinds(listed_only=True)
    if request.method == "POST":
        choices = {k.code: [c for c in request.POST.getlist(k.code) if c != INBOX] for k in kinds}
        try:
            services.save_preferences(request.user, choices)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("通知设置已保存。"))
            return redirect("notify:preferences")
    current = services.preferences(request.user)
    rows = [
        {
            "kind": kind,
            "channels": [
                {"code": c, "label": CHANNELS[c].label, "on": c in current[kind.code], "fixed": c == INBOX}
                for c in offered
            ],
        }
        for kind in kinds
    ]
    return render(request, "notify/preferences.html", {"rows": rows})


class DeliveryListView(ObjectListView):
    """Who was told what, when, over which channel, and whether it arrived (``notify.audit_delivery``, scoped)."""

    table = tables.DeliveryTable
    # notify.audit_delivery (the office, the system administrator), restricted by the delivery's scope; not
    # view_delivery, which "read every business record" roles hold. A user's own inbox needs no policy: every query
    # of it is filtered by the user.
    action = "audit"
    export_filename = "deliveries.xlsx"
