"""The page shell's context: here, not in core, because the programme switcher needs the programmes."""

from django.conf import settings

from cuntong.core import navigation

from .middleware import visible_programmes


def shell(request):
    """What the base layout needs on every page: menus, the current programme, the programme switcher."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "nav_menus": lambda: navigation.menus_for(user),
        "current_programme": getattr(request, "programme", None),
        "switchable_programmes": lambda: list(visible_programmes(user)[:50]) if user.is_authenticated else [],
        "map_tiles": settings.MAP_TILES,
        "debug": settings.DEBUG,
    }
