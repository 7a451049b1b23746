from django.conf import settings

from cuntong.core import navigation


def shell(request):
    """What the base layout needs on every page: menus, the current programme, the programme switcher."""
    from cuntong.programme.middleware import visible_programmes

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
