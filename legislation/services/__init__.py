"""Every write of the legislative liaison points, by stage.

- `consultations`: publish a consultation (facts, text from .docx or pasted, points);
- `comments`: comments come in (public page, deputies, collectors, offline, Excel);
- `summary`: keep / merge / drop, the point's opinions, sending up, adoption feedback;
- `collectors`: the collectors' register and the meetings they attend.

Every function is keyword-only, runs in one transaction, locks the row it moves
before reading its state, checks the workflow table (`legislation.workflow`, whose
predicates live in `legislation.permissions`) and writes an audit record. Wrong
state or bad input: `ValidationError` with a Chinese message. Wrong person:
`PermissionDenied`.
"""

from .collectors import collector_renew_link, collector_save, meeting_record
from .comments import comment_record, comment_submit, comments_import
from .consultations import (
    consultation_create,
    consultation_publish,
    consultation_set_text,
    consultation_update,
    supervising_region,
)
from .summary import (
    comment_decide,
    comments_mark_adopted,
    opinion_save,
    participation_feedback,
    participation_reopen,
    participation_send,
)

__all__ = [
    "collector_renew_link",
    "collector_save",
    "comment_decide",
    "comment_record",
    "comment_submit",
    "comments_import",
    "comments_mark_adopted",
    "consultation_create",
    "consultation_publish",
    "consultation_set_text",
    "consultation_update",
    "meeting_record",
    "opinion_save",
    "participation_feedback",
    "participation_reopen",
    "participation_send",
    "supervising_region",
]
