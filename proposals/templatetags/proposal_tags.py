""" "转为代表建议" on a concern's page, for the deputy who handled it."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from proposals import permissions as can

register = template.Library()


@register.simple_tag(takes_context=True)
def raise_proposal_link(context, suggestion):
    request = context.get("request")
    if request is None or not can.can_raise_from_suggestion(request.user, suggestion):
        return ""
    url = reverse("proposals:new") + f"?from_suggestion={suggestion.pk}"
    return format_html(
        '<p><a role="button" class="secondary" href="{}">{}</a></p>', url, _("转为代表建议")
    )
