from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = _("群众意见建议")

    def ready(self) -> None:
        from calendars.deadlines import register_mover
        from core.phones import PhoneKind, register_phone_kind

        from .deadlines import move_deadlines
        from .models import Constituent
        from .permissions import can_reveal_constituent

        register_phone_kind(
            PhoneKind(
                name="constituent",
                model=Constituent,
                number=lambda c: c.phone,
                may_reveal=can_reveal_constituent,
            )
        )
        # Reply, signing and return deadlines move when holidays are edited.
        register_mover("suggestions", move_deadlines)

        from accounts.roles import STAFF, Role
        from core.workbench import register_item

        from . import workbench

        register_item(
            "suggestions.staff",
            roles=STAFF,
            order=10,
            title=_("意见建议"),
            items=workbench.staff_items,
        )
        register_item(
            "suggestions.unit",
            roles=(Role.UNIT_CLERK,),
            order=11,
            title=_("本单位承办"),
            items=workbench.unit_items,
        )
        register_item(
            "suggestions.deputy",
            roles=(Role.DEPUTY,),
            order=12,
            title=_("群众反映的问题"),
            items=workbench.deputy_items,
        )
