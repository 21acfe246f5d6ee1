"""Every write of the deputies' formal suggestions, by stage.

- `raising` (提): drafts, attachments, co-signers (联名), submission;
- `office` (交): register, refuse, merge, assign (alone or at a 交办会), extensions,
  重点督办, publication, the region's numbers;
- `handling` (办、评): return, co-handlers' view, plan, the three contacts (三见面), the
  reply letter, the rating and the one re-handling, the promise check (回头看).

Every function is keyword-only, runs in one transaction, locks the proposal before
reading its state, checks the workflow table (`proposals.workflow`, whose predicates
live in `proposals.permissions`) and writes an audit record. Deadlines come from
`calendars.deadlines` and are watched by `supervision.tracking`.
"""

from .handling import (
    assignment_return,
    co_view_submit,
    contact_record,
    extension_request,
    plan_save,
    promise_report,
    proposal_rate,
    proposal_reply,
)
from .office import (
    extension_decide,
    meeting_create,
    proposal_assign,
    proposal_merge,
    proposal_publication,
    proposal_refuse,
    proposal_register,
    proposal_supervise,
    proposals_assign_batch,
    settings_save,
)
from .raising import (
    attachment_add,
    cosign_answer,
    proposal_create,
    proposal_invite,
    proposal_record_paper,
    proposal_submit,
    proposal_update,
)

__all__ = [
    "assignment_return",
    "attachment_add",
    "co_view_submit",
    "contact_record",
    "cosign_answer",
    "extension_decide",
    "extension_request",
    "meeting_create",
    "plan_save",
    "promise_report",
    "proposal_assign",
    "proposal_create",
    "proposal_invite",
    "proposal_merge",
    "proposal_publication",
    "proposal_rate",
    "proposal_record_paper",
    "proposal_refuse",
    "proposal_register",
    "proposal_reply",
    "proposal_submit",
    "proposal_supervise",
    "proposal_update",
    "proposals_assign_batch",
    "settings_save",
]
