"""Panels and tabs that one app adds to another app's detail pages, without editing that app's views or templates.

An app declares them in its own ``panels.py`` (imported at start-up, see ``core/apps.py``)::

    @panel("stations.station", "trainings", title=_("培训场次"), template="training/_station_sessions.html",
           permission="training.view_session", order=50)
    def station_sessions(call):
        return {"sessions": call.related(Session, station_id=call.object.pk)[:6]}

The function receives a :class:`PanelCall` (the object, the request, the user) and returns the template's context,
or ``None`` to show nothing. Without a template it returns the panel's HTML itself (escaped unless marked safe).
A panel is shown only to users holding its ``permission`` for whom its ``visible`` predicate holds; the rows it
lists come from ``call.related(...)``, which is restricted to the user exactly as the owning app's pages are.
Cards stand in the detail page's side column; tabs (``tab=True``) sit below it and load on demand from
``web:panel``, which checks the object's scope and the panel's visibility again.

The kernel imports no app: targets are model labels (``"stations.station"``) or :data:`ANY_MODEL`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.template.context_processors import csrf
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import conditional_escape

ANY_MODEL = "*"  # a panel for every scoped record's detail page (attachments, for one)


@dataclass(frozen=True)
class PanelCall:
    """One rendering of a panel: the record, the request and the viewer."""

    object: object
    request: object

    @property
    def user(self):
        return self.request.user

    def related(self, model, via: str | None = None, *, action: str = "view", **lookups):
        """Rows of ``model`` the viewer may ``action``, narrowed to those ``via`` points to this record (a foreign
        key's name) and to ``lookups``: the same ``restrict`` the owning app's pages start from."""
        if via is not None:
            lookups[via] = self.object
        return model.objects.restrict(self.user, action).filter(**lookups)


@dataclass(frozen=True)
class Panel:
    """A card (or tab) registered for the detail pages of ``target``'s records; see ``register_panel``."""

    target: str
    name: str
    title: str
    content: Callable[[PanelCall], dict | str | None]
    template: str | None = None
    order: int = 100
    permissions: tuple[str, ...] = ()
    visible: Callable[[PanelCall], bool] | None = None
    tab: bool = False

    @property
    def dom_id(self) -> str:
        return f"panel-{self.name}"

    def shows_for(self, call: PanelCall) -> bool:
        """The viewer holds every permission the panel names and its own predicate agrees."""
        user = call.user
        if not all(user.has_perm(permission) for permission in self.permissions):
            return False
        return self.visible is None or bool(self.visible(call))

    def url(self, obj) -> str:
        return reverse("web:panel", args=[obj._meta.label_lower, obj.pk, self.name])

    def render(self, call: PanelCall) -> str | None:
        """The panel's HTML, or None when it has nothing to show. Visibility is the caller's check."""
        result = self.content(call)
        if result is None:
            return None
        if self.template is None:
            return conditional_escape(result)
        context = {
            "object": call.object,
            "request": call.request,
            "user": call.user,
            "panel": self,
            **csrf(call.request),  # the one context processor a panel's form needs; the others cost queries
            **result,
        }
        return get_template(self.template).render(context)


_panels: dict[tuple[str, str], Panel] = {}


def register_panel(
    target: str,
    name: str,
    *,
    title,
    content: Callable[[PanelCall], dict | str | None] | None = None,
    template: str | None = None,
    order: int = 100,
    permission: str | tuple[str, ...] = (),
    visible: Callable[[PanelCall], bool] | None = None,
    tab: bool = False,
) -> Panel:
    """Add a card (or, with ``tab=True``, a tab) named ``name`` to the detail page of ``target``'s records."""
    if (target, name) in _panels:
        raise ValueError(f"panel {name} registered twice on {target}")
    if template is None and content is None:
        raise ValueError(f"panel {name} needs a template or a content function")
    entry = Panel(
        target=target.lower(),
        name=name,
        title=title,
        content=content or (lambda call: {}),
        template=template,
        order=order,
        permissions=(permission,) if isinstance(permission, str) else tuple(permission),
        visible=visible,
        tab=tab,
    )
    _panels[(entry.target, name)] = entry
    return entry


def panel(target: str, name: str, **options) -> Callable:
    """``register_panel`` as a decorator of the content function."""

    def decorate(content):
        register_panel(target, name, content=content, **options)
        return content

    return decorate


def unregister_panel(target: str, name: str) -> None:
    """Take a panel away again (tests that register their own)."""
    _panels.pop((target.lower(), name), None)


def panels_of(model) -> list[Panel]:
    """Every panel registered for ``model``'s pages, in order; a model's own panel hides an ANY_MODEL one of the
    same name."""
    by_name = {p.name: p for p in _panels.values() if p.target == ANY_MODEL}
    by_name.update({p.name: p for p in _panels.values() if p.target == model._meta.label_lower})
    return sorted(by_name.values(), key=lambda p: (p.order, p.name))


def find(model, name: str) -> Panel | None:
    return next((p for p in panels_of(model) if p.name == name), None)


@dataclass
class Shown:
    """A panel as one viewer sees it on one page: its HTML is rendered when first asked for."""

    panel: Panel
    call: PanelCall

    @cached_property
    def html(self) -> str | None:
        return self.panel.render(self.call)

    @property
    def url(self) -> str:
        return self.panel.url(self.call.object)


def shown_panels(request, obj, *, tab: bool) -> list[Shown]:
    """The cards (or tabs) of ``obj``'s page that ``request.user`` may see."""
    call = PanelCall(obj, request)
    return [Shown(p, call) for p in panels_of(type(obj)) if p.tab == tab and p.shows_for(call)]
