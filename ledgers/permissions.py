"""Who orders a region's ledgers (台账): staff and leaders of the region."""

from accounts.roles import is_region_reader


def can_order_ledgers(user) -> bool:
    return is_region_reader(user)
