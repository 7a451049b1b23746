"""Template filters every page uses: money in 万元/元, percentages, status badges, masked personal data."""

from django import template
from django.utils.html import format_html

from cuntong.core import money

register = template.Library()


@register.filter
def wan(value, places: int = 2):
    """Yuan shown as 万元: 16500000 → 1,650.00"""
    return money.format_wan(value, int(places))


@register.filter
def yuan(value):
    """¥1,234.50"""
    return money.format_yuan(value)


@register.filter
def pct(value):
    """A percentage from ``money.percent``: 56.3%"""
    return money.format_percent(value)


@register.filter
def percent_of(part, whole):
    """part/whole rounded half up, as every figure: 9, 16 → 56.3%"""
    return money.format_percent(money.percent(part or 0, whole))


@register.filter
def attr(obj, path: str):
    """Follow a dotted path (``station.area.name``); call display methods for choice fields."""
    for part in path.split("."):
        if obj is None:
            return None
        display = getattr(obj, f"get_{part}_display", None)
        obj = display() if callable(display) else getattr(obj, part, None)
        if callable(obj) and not hasattr(obj, "all"):
            obj = obj()
    return obj


@register.simple_tag
def badge(text, tone: str = "secondary"):
    return format_html('<span class="badge text-bg-{}">{}</span>', tone, text)


STATUS_TONES = {
    "met": "success",
    "not_met": "danger",
    "no_target": "secondary",
    "no_data": "warning",
    "not_registered": "light",
}


@register.filter
def status_tone(status: str) -> str:
    return STATUS_TONES.get(status, "secondary")
