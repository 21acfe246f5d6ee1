"""Pages of the reception schedule and the registers, one module per register.

`registers` holds what every register page shares (who reads them, the entry-form
flow: retried submits, "add a row", "refresh").
"""

from .activities import (
    activity_detail,
    activity_edit,
    activity_list,
    activity_new,
    activity_photo,
    activity_photo_delete,
)
from .households import deputy_households, household_edit, household_list, household_new
from .log import log_detail, log_edit, log_list, log_new
from .schedule import (
    exception_delete,
    exception_new,
    rule_edit,
    rule_new,
    rule_toggle_active,
    schedule,
    station_rules,
)
from .visits import visit_detail, visit_edit, visit_list, visit_new

__all__ = [
    "activity_detail",
    "activity_edit",
    "activity_list",
    "activity_new",
    "activity_photo",
    "activity_photo_delete",
    "deputy_households",
    "exception_delete",
    "exception_new",
    "household_edit",
    "household_list",
    "household_new",
    "log_detail",
    "log_edit",
    "log_list",
    "log_new",
    "rule_edit",
    "rule_new",
    "rule_toggle_active",
    "schedule",
    "station_rules",
    "visit_detail",
    "visit_edit",
    "visit_list",
    "visit_new",
]
