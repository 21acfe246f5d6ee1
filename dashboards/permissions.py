"""Who reads the dashboards: staff and leaders a region's; the station's officer its station's."""

from accounts.roles import REGION_READERS, Role, holds


def can_read_region_dashboard(user) -> bool:
    return holds(user, REGION_READERS)


def can_read_station_dashboard(user) -> bool:
    return holds(user, REGION_READERS | {Role.STATION_OFFICER})
