"""Module menus: each app registers its menu in its own ``navigation.py``; the base layout shows what a user may use."""

import functools
from dataclasses import dataclass, field

from django.urls import get_script_prefix, get_urlconf, reverse


@functools.cache
def _reverse(url_name: str, args: tuple, urlconf, prefix: str) -> str:
    """Menu addresses are the same on every page: resolved once per URLconf and prefix, not on every page."""
    return reverse(url_name, args=args, urlconf=urlconf)


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    permission: str | None = None
    url_args: tuple = ()

    @property
    def url(self) -> str:
        return _reverse(self.url_name, self.url_args, get_urlconf(), get_script_prefix())


@dataclass(frozen=True)
class Menu:
    key: str
    label: str
    order: int
    items: tuple[MenuItem, ...] = field(default_factory=tuple)


_menus: dict[str, Menu] = {}


def register(menu: Menu) -> Menu:
    _menus[menu.key] = menu
    return menu


def menus_for(user) -> list[tuple[Menu, list[MenuItem]]]:
    """Menus with the items this user may open; empty menus are left out."""
    if not user.is_authenticated:
        return []
    permissions = user.get_all_permissions()
    visible = []
    for menu in sorted(_menus.values(), key=lambda m: m.order):
        items = [
            item
            for item in menu.items
            if item.permission is None or user.is_superuser or item.permission in permissions
        ]
        if items:
            visible.append((menu, items))
    return visible


# A role whose work lives on one page (a station keeper's phone page) lands there instead of the overview.
_landings: dict[str, str] = {}


def register_landing(role_code: str, url_name: str) -> None:
    _landings[role_code] = url_name


def landing_for(user) -> str | None:
    """The landing page when every role the user holds names the same one; None means the programme overview."""
    if not user.is_authenticated or user.is_superuser:
        return None
    pages = {_landings.get(role) for role in user.roles}
    return reverse(pages.pop()) if len(pages) == 1 and None not in pages else None
