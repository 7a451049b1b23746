from django.utils.functional import SimpleLazyObject

from .models import Programme

SESSION_KEY = "cuntong_programme"


def visible_programmes(user):
    if user.is_authenticated:
        return Programme.objects.restrict(user, "view").select_related("county")
    return Programme.objects.select_related("county")


def current_programme(request) -> Programme | None:
    """The programme the user is working in: chosen in the session, else the first they may see."""
    programmes = visible_programmes(request.user)
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if chosen:
        programme = programmes.filter(pk=chosen).first()
        if programme:
            return programme
    return programmes.first()


class CurrentProgrammeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.programme = SimpleLazyObject(lambda: current_programme(request))
        return self.get_response(request)
