from django import template

from supervision import permissions, selectors

register = template.Library()


@register.inclusion_tag("supervision/_suggestion_panel.html", takes_context=True)
def supervision_panel(context, suggestion):
    """The suggestion's supervisions on its detail page, with letters and the 督办 button."""
    user = context["request"].user
    records = selectors.of_suggestion(user, suggestion)
    own = permissions.own_level_path(user, suggestion)
    done_here = own is not None and any(record.region_path == own for record in records)
    return {
        "suggestion": suggestion,
        "records": records,
        "can_escalate": permissions.can_escalate_suggestion(user, suggestion) and not done_here,
    }
