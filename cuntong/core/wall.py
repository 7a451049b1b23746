"""Sections that apps add to the wall dashboard (大屏), without the wall's app knowing them.

An app declares them in its own ``wall.py`` (imported at start-up, see ``core/apps.py``)::

    @wall_section("logistics", title=_("共同配送"), figures=(("waiting", _("待取包裹")), ...), order=10)
    def parcels(scope):
        return {"waiting": 12, ...}

The function receives the wall's scope (``programme.kpi.AreaScope``: the programme as the viewer, or a display
link's areas, sees it; ``scope.records(queryset)`` narrows rows to it) and returns a value for each named figure,
or ``None`` to show nothing. The wall's payload is cached per programme data version (``core.freshness``), so an
app whose figures move bumps that version when its records change. The kernel imports no app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class WallSection:
    name: str
    title: Any  # a lazy translation
    figures: tuple[tuple[str, Any], ...]  # (key, lazy label)
    compute: Callable[[Any], dict | None]
    order: int = 100

    def figure_id(self, key: str) -> str:
        return f"wall-{self.name}-{key}"


_sections: dict[str, WallSection] = {}


def register_wall_section(name: str, *, title, figures, compute: Callable[[Any], dict | None], order: int = 100):
    """Add the section ``name`` to the wall: ``figures`` are its (key, label) pairs, ``compute(scope)`` their values."""
    if name in _sections:
        raise ValueError(f"wall section {name} registered twice")
    if not figures:
        raise ValueError(f"wall section {name} names no figure")
    entry = WallSection(name=name, title=title, figures=tuple(figures), compute=compute, order=order)
    _sections[name] = entry
    return entry


def wall_section(name: str, **options) -> Callable:
    """``register_wall_section`` as a decorator of the compute function."""

    def decorate(compute):
        register_wall_section(name, compute=compute, **options)
        return compute

    return decorate


def unregister_wall_section(name: str) -> None:
    """Take a section away again (tests that register their own)."""
    _sections.pop(name, None)


def sections() -> list[WallSection]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.name))


def display(value) -> str:
    """A figure as the wall shows it: thousands separated, "—" for no figure."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value:,f}"
    return str(value)


def section_payload(scope) -> dict:
    """The registered sections' part of the wall payload for ``scope``: ``sections`` (title and the figures' ids and
    labels, in the request's language, for the page) and ``text`` (each figure's id and value, for the refresh)."""
    shown, text = [], {}
    for section in sections():
        values = section.compute(scope)
        if values is None:
            continue
        figures = []
        for key, label in section.figures:
            figure_id = section.figure_id(key)
            text[figure_id] = display(values.get(key))
            figures.append({"id": figure_id, "label": str(label)})
        shown.append({"name": section.name, "title": str(section.title), "figures": figures})
    return {"sections": shown, "text": text}
