from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = _("群众端页面")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from calendars.models import CalendarOverride, CalendarYear
        from calendars.signals import calendar_changed
        from deputies.models import Deputy, StationMembership
        from receptions.models import ReceptionException, ReceptionRule
        from regions.models import Region
        from stations.models import Station

        from .cache import invalidate

        # Every row a public page shows or computes its duty days from: a change to
        # any of them retires the kept pages (public/cache.py), in its transaction.
        shown = (
            Deputy,
            Station,
            StationMembership,
            ReceptionRule,
            ReceptionException,
            Region,
            CalendarOverride,
            CalendarYear,
        )
        for model in shown:
            uid = f"public.invalidate.{model._meta.label_lower}"
            post_save.connect(invalidate, sender=model, dispatch_uid=uid + ".save")
            post_delete.connect(invalidate, sender=model, dispatch_uid=uid + ".delete")
        for through in (ReceptionRule.deputies.through, ReceptionException.deputies.through):
            m2m_changed.connect(
                invalidate, sender=through, dispatch_uid=f"public.invalidate.{through._meta.label}"
            )
        calendar_changed.connect(invalidate, dispatch_uid="public.invalidate.calendar")
