"""The page shell's context: here, not in core, because the programme switcher needs the programmes."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from cuntong.core import navigation

from . import switcher


def shell(request):
    """What the base layout needs on every page: menus, the current programme, the programme switcher."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "nav_menus": lambda: navigation.menus_for(user),
        "current_programme": getattr(request, "programme", None),
        # The first few programmes and whether there are more (then the menu links to the searchable list of all).
        "programme_menu": SimpleLazyObject(lambda: switcher.menu(request) if user.is_authenticated else {}),
        "map_tiles": settings.MAP_TILES,
        "debug": settings.DEBUG,
    }
