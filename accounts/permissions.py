"""Who may act on login security (second factors, their rules, lockouts)."""

from .roles import STAFF, holds, is_sysadmin


def can_enrol_second_factor(user) -> bool:
    """Staff and administrators enrol a second factor; so does anyone a rule requires it of."""
    from .two_factor import required_for

    return holds(user, STAFF) or required_for(user)


def can_manage_two_factor_rules(user) -> bool:
    """System administrators say which roles in their region must use a second factor."""
    return is_sysadmin(user)


def can_read_staff_descriptions(user) -> bool:
    """The home page's menu cards describe congress staff's work (受理、交办、管理...);
    only staff (and administrators) are shown those descriptions."""
    return holds(user, STAFF)
