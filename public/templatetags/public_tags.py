import hashlib

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def deputy_photo_url(deputy) -> str:
    """The thumbnail URL, versioned by the photo so a new upload beats phone caches."""
    if not deputy.photo:
        return ""
    version = hashlib.sha256(deputy.photo.name.encode()).hexdigest()[:10]
    return f"{reverse('public:deputy_photo', args=[deputy.public_token])}?v={version}"


@register.filter
def initial(name: str) -> str:
    """The first character of a name, for an avatar when there is no photo."""
    return (name or "").strip()[:1]
