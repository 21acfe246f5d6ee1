from django import template

from core import clock

register = template.Library()

STATUS_CLASSES = {
    "submitted": "status-new",
    "accepted": "status-new",
    "assigned": "status-running",
    "handling": "status-running",
    "replied": "status-replied",
    "closed": "status-done",
    "rejected": "status-muted",
    "merged": "status-muted",
}


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "")


@register.filter
def days_left(date) -> int | None:
    if not date:
        return None
    return (date - clock.today()).days
