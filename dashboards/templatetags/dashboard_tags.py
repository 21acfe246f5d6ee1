"""Small formatting helpers for the dashboard template."""

from urllib.parse import urlencode

from django import template

register = template.Library()


@register.simple_tag
def query(params: dict, **extra) -> str:
    """`params` plus `extra` as a query string (for period-keeping links)."""
    merged = {**(params or {}), **{k: v for k, v in extra.items() if v not in (None, "")}}
    return urlencode(merged)


@register.filter
def num(value) -> str:
    """1234567 -> 1,234,567 (figures read at a glance)."""
    try:
        return f"{int(value or 0):,}"
    except (TypeError, ValueError):
        return str(value)


@register.filter
def pct(value) -> str:
    """82.6 -> 82.6%; None (nothing to divide by) -> —."""
    if value is None:
        return "—"
    return f"{value:.1f}%"


@register.filter
def star_text(stars: int) -> str:
    return "★" * int(stars) + "☆" * (5 - int(stars))


@register.simple_tag
def link_for(links: dict, prefix: str, key) -> str:
    return links.get(f"{prefix}{key}", "")


@register.simple_tag
def bar_width(value: int, pairs) -> str:
    """A bar's width in % of the largest value among `pairs` ((label, value) tuples)."""
    largest = max((n for _label, n in pairs), default=0)
    if not largest:
        return "0"
    return f"{100 * (value or 0) / largest:.0f}"
