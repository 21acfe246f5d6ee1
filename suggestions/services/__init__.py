"""Every write to the people's suggestions (群众意见建议), by stage.

- `intake`: a suggestion comes in (the citizen's QR page, or staff recording one);
- `triage`: accept, refuse, merge;
- `handling`: answered on the spot, handled locally, assigned to units; extensions;
- `units`: a unit signs or sends back (staff may act in its place, and it says so);
- `replies`: the reply and the follow-up (close, or reopen once);
- `directory`: handling units, reply templates, deadline rules, the audited phone look.

Every function is keyword-only, runs in one transaction, locks the suggestion row
before reading its state, checks the workflow table (`suggestions.workflow`, whose
predicates live in `suggestions.permissions`), writes an audit record and a
timeline event. Wrong state: `ValidationError` with a Chinese message. Wrong
person: `PermissionDenied`.
"""

from .common import assigning_region, congress_region_of
from .directory import (
    constituent_reveal_phone,
    handling_unit_create,
    handling_unit_update,
    reply_template_save,
    sla_profile_save,
)
from .handling import (
    MAX_EXTENSION_DAYS,
    extension_decide,
    extension_request,
    suggestion_answer_on_spot,
    suggestion_assign,
    suggestion_handle_locally,
    suggestions_assign_bulk,
)
from .intake import (
    MAX_PHOTOS,
    station_id_of_deputy,
    station_of_deputy,
    suggestion_by_token,
    suggestion_submit,
)
from .replies import suggestion_follow_up, suggestion_reply
from .triage import suggestion_accept, suggestion_merge, suggestion_reject
from .units import assignment_acknowledge, assignment_return

__all__ = [
    "MAX_EXTENSION_DAYS",
    "MAX_PHOTOS",
    "assigning_region",
    "assignment_acknowledge",
    "assignment_return",
    "congress_region_of",
    "constituent_reveal_phone",
    "extension_decide",
    "extension_request",
    "handling_unit_create",
    "handling_unit_update",
    "reply_template_save",
    "sla_profile_save",
    "station_of_deputy",
    "station_id_of_deputy",
    "suggestion_accept",
    "suggestion_answer_on_spot",
    "suggestion_assign",
    "suggestion_by_token",
    "suggestion_follow_up",
    "suggestion_handle_locally",
    "suggestion_merge",
    "suggestion_reject",
    "suggestion_reply",
    "suggestion_submit",
    "suggestions_assign_bulk",
]
