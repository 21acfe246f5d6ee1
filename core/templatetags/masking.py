"""Phone numbers in templates, by the one rule of core/phones.py.

`{{ number|phone_for:request.user }}` masks a number unless the viewer's role needs it;
`{% phone_line obj %}` shows the personal number an object carries, with the audited
reveal (a reason and a button) for those who may reveal it; `{{ number|mask_phone }}`
always masks.
"""

from django import template
from django.urls import reverse

from core import phones
from core.masking import mask_phone

register = template.Library()


@register.filter(name="mask_phone")
def mask_phone_filter(value: str) -> str:
    return mask_phone(value or "")


@register.filter(name="phone_for")
def phone_for(value: str, user) -> str:
    return phones.shown(user, value)


@register.simple_tag(takes_context=True)
def phone_of(context, obj) -> str:
    """The object's personal number as the viewer may see it (no reveal button)."""
    return phones.shown_for(_user(context), obj)


@register.inclusion_tag("core/_phone_line.html", takes_context=True)
def phone_line(context, obj, reveal=True):
    user = _user(context)
    kind = phones.kind_of(obj)
    number = kind.number(obj) if kind and obj is not None else ""
    public = bool(kind and obj is not None and kind.public(obj))
    full = bool(number) and (public or phones.shows_full_phones(user))
    can_reveal = bool(reveal and number and not full and kind.may_reveal(user, obj))
    return {
        "text": phones.shown(user, number, public=public),
        "full": full,
        "can_reveal": can_reveal,
        "url": reverse("core:phone_reveal", args=[kind.name, obj.pk]) if can_reveal else "",
        "reveal_reasons": phones.REVEAL_REASONS,
    }


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")
