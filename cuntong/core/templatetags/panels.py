"""``{% panels object %}`` and ``{% panel_tabs object %}``: the cards and tabs other apps registered for a record's
detail page (``core.panels``), as the viewing user may see them. ``core/object_detail.html`` uses both; a detail page
on a template of its own loads this library and places them itself."""

from django import template

from cuntong.core.panels import shown_panels

register = template.Library()


@register.inclusion_tag("core/_panels.html", takes_context=True)
def panels(context, obj):
    """The registered cards, in order; a card whose content function returns None is left out."""
    return {"cards": shown_panels(context["request"], obj, tab=False)}


@register.inclusion_tag("core/_panel_tabs.html", takes_context=True)
def panel_tabs(context, obj):
    """The registered tabs: the first rendered with the page, the others fetched with htmx when first opened."""
    return {"tabs": shown_panels(context["request"], obj, tab=True), "object": obj}
