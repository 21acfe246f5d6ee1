"""Who reads the audit trail: the system administrators of a region (their subtree)."""

from accounts.roles import is_sysadmin


def can_read_audit_trail(user) -> bool:
    return is_sysadmin(user)
