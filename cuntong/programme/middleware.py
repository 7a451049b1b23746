from django.utils.functional import SimpleLazyObject

from .models import Programme

SESSION_KEY = "cuntong_programme"
# The switcher's menu shows this many programmes; one more is read to know whether there are more.
MENU_SIZE = 8


def visible_programmes(user):
    if user.is_authenticated:
        return Programme.objects.restrict(user, "view").select_related("county")
    return Programme.objects.select_related("county")


def programme_head(request) -> list[Programme]:
    """The first programmes the user may see, read once per request: the switcher's menu, and usually the current
    programme too (one query for both)."""
    if not hasattr(request, "_programme_head"):
        request._programme_head = list(visible_programmes(request.user)[: MENU_SIZE + 1])
    return request._programme_head


def current_programme(request) -> Programme | None:
    """The programme the user is working in: chosen in the session, else the first they may see."""
    head = programme_head(request)
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if chosen:
        programme = next((p for p in head if p.pk == chosen), None)
        programme = programme or visible_programmes(request.user).filter(pk=chosen).first()
        if programme:
            return programme
    return head[0] if head else None


class CurrentProgrammeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.programme = SimpleLazyObject(lambda: current_programme(request))
        return self.get_response(request)
