"""Work the outbox runs after commit: plain functions taking ids (see core.outbox)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core import clock
from notifications.services import sms_to_citizen

from .models import Comment, Participation


def text_adopted_authors(*, participation_id: int) -> int:
    """Text every author of an adopted comment who left a phone number, once each.

    The phone numbers served only this text: once it is queued, every number left with
    the point's comments is erased (PIPL: kept no longer than needed).

    The comments of one number are claimed together with a conditional UPDATE before
    the text is queued, so a second delivery of this message texts nobody twice and
    a citizen with three adopted comments gets one text. The text names the draft
    and the point, never the author.
    """
    participation = (
        Participation.objects.select_related("consultation", "station")
        .filter(pk=participation_id)
        .first()
    )
    if participation is None:
        return 0
    text = _("【连心桥】您对《%(title)s》提出的意见已被立法机关采纳，感谢您参与立法。%(point)s") % {
        "title": participation.consultation.title,
        "point": participation.station.name,
    }
    sent = 0
    candidates = Comment.objects.filter(
        participation=participation, adopted=True, adoption_sms_at__isnull=True
    ).exclude(contact_phone="")
    for phone in sorted(set(candidates.values_list("contact_phone", flat=True))):
        claimed = candidates.filter(contact_phone=phone).update(adoption_sms_at=clock.now())
        if claimed:
            sms_to_citizen(phone=phone, text=text, region_path=participation.region_path)
            sent += 1
    Comment.objects.filter(participation=participation).exclude(contact_phone="").update(
        contact_phone=""
    )
    return sent
