"""Suggestion objects on the 交城县 side of the `world` cast, made on first use.

The cross-region walk and the suggestion tests share them: `suggestion_world(world).suggestion`.
"""

from types import SimpleNamespace

from suggestions.models import (
    Assignment,
    Category,
    Channel,
    Constituent,
    ExtensionRequest,
    ReplyAttachment,
    ReplyTemplate,
    SLAProfile,
    Suggestion,
    SuggestionPhoto,
)


def suggestion_world(world) -> SimpleNamespace:
    if getattr(world, "_suggestion_world", None) is not None:
        return world._suggestion_world
    constituent = Constituent.objects.create(
        region=world.county, name="张大爷", phone="13812345678", village="西街社区"
    )
    suggestion = Suggestion.objects.create(
        region=world.township,
        channel=Channel.QR,
        category=Category.WATER,
        content="西街社区3号楼停水三天了，一直没人来修。",
        deputy=world.deputy,
        station=world.station,
        constituent=constituent,
        status=Suggestion.Status.ASSIGNED,
        handling=Suggestion.Handling.ASSIGNED,
    )
    assignment = Assignment.objects.create(suggestion=suggestion, unit=world.unit)
    extension = ExtensionRequest.objects.create(
        suggestion=suggestion, assignment=assignment, days=5, reason="需要协调施工"
    )
    photo = SuggestionPhoto.objects.create(suggestion=suggestion, image="suggestions/x.jpg")
    attachment = ReplyAttachment.objects.create(
        suggestion=suggestion, file="suggestions/reply.pdf", name="reply.pdf"
    )
    template = ReplyTemplate.objects.create(
        region=world.county, category=Category.WATER, title="供水答复", body="已安排维修。"
    )
    sla = SLAProfile.objects.create(region=world.county, category="", reply_days=10)
    world._suggestion_world = SimpleNamespace(
        constituent=constituent,
        suggestion=suggestion,
        assignment=assignment,
        extension=extension,
        photo=photo,
        attachment=attachment,
        template=template,
        sla=sla,
    )
    return world._suggestion_world
