from django import template

from core.masking import mask_phone

register = template.Library()


@register.filter
def phone_shown(phone: str, full: bool) -> str:
    """The phone in full for roles that need it, else masked (138****1234)."""
    if not phone:
        return ""
    return phone if full else mask_phone(phone)
