"""Who registers and revokes client systems: staff of the region they are bound to."""

from suggestions.permissions import can_manage_region, may_manage_directories
from tenancy.scope import region_scope


def can_manage_clients(user) -> bool:
    return may_manage_directories(user)


def can_register_client_for(user, region) -> bool:
    return can_manage_region(user, region)


def client_scope(client):
    """A client system sees and submits in the subtree of the region it is bound to."""
    return region_scope(client.region.path)
