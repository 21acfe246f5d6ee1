"""Who may see what about notices: everyone their own inbox; administrators failed deliveries."""

from accounts.roles import is_sysadmin


def can_see_failed_deliveries(user) -> bool:
    return is_sysadmin(user)
