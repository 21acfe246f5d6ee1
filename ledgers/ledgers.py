"""The ledgers a user may ask for, and what each is built from."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import exports


class LedgerKind(models.TextChoices):
    RECEPTIONS = "receptions", _("接待群众意见建议登记簿")
    SUGGESTIONS = "suggestions", _("群众意见建议办理台账（一事一记）")
    DUTIES = "duties", _("代表履职情况汇总表")
    STATIONS = "stations", _("联络站点名册（含星级）")


BUILDERS = {
    LedgerKind.RECEPTIONS: exports.reception_register,
    LedgerKind.SUGGESTIONS: exports.suggestion_register,
    LedgerKind.DUTIES: exports.duty_summary,
    LedgerKind.STATIONS: exports.station_list,
}
