from django import template

from calendars.permissions import may_manage_calendar
from calendars.selectors import missing_years_for

register = template.Library()


@register.inclusion_tag("calendars/missing_notice.html", takes_context=True)
def calendar_notice(context):
    """For calendar administrators: years ahead with no holiday data (others: nothing)."""
    user = context.get("user")
    if user is None or not user.is_authenticated or not may_manage_calendar(user):
        return {"missing_years": []}
    return {"missing_years": missing_years_for(user), "link": True}
