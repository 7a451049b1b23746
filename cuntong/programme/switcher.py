"""The programme switcher: every programme the user may see, searchable, none left out.

The navigation bar's menu shows the first few (``MENU_SIZE``) and, when there are more, a search box and a link to
this page, which lists them all (a province sees its 124 counties' programmes here). Choosing one posts to
``programme:switch`` as before; the search works without JavaScript (a GET form) and narrows as one types with htmx.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.template.response import TemplateResponse

from cuntong.core.scoping import scope_filter

from .middleware import MENU_SIZE, programme_head, visible_programmes
from .models import Programme


def matching(programmes, text: str):
    text = (text or "").strip()[:64]
    if not text:
        return programmes
    return programmes.filter(
        Q(name__icontains=text)
        | Q(short_name__icontains=text)
        | Q(code__icontains=text)
        | Q(county__name__icontains=text)
        | Q(county__code__startswith=text)
    )


def menu(request) -> dict:
    """The navigation bar's part: the first ``MENU_SIZE`` programmes and whether there are more (the request's
    one read of them, shared with the current programme)."""
    first = programme_head(request)
    return {"programmes": first[:MENU_SIZE], "more": len(first) > MENU_SIZE, "several": len(first) > 1}


@login_required
def switcher(request):
    if scope_filter(Programme, request.user, "view") is None:
        raise PermissionDenied  # a member of no programme has nothing to switch between
    text = request.GET.get("q", "")
    programmes = matching(visible_programmes(request.user), text)
    template = "programme/_switcher_rows.html" if request.htmx else "programme/switcher.html"
    return TemplateResponse(
        request,
        template,
        {"programmes": programmes, "q": text.strip()[:64], "next": request.GET.get("next", "")},
    )
