"""Jobs' part of the home page's workbench: work finished in the last days, counted
with the job list's own selector and parameters."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workbench import Item, link

from .selectors import job_rows

PARAMS = {"recent": "done"}


def finished_items(user) -> list[Item]:
    count = job_rows(user, PARAMS).count()
    return [Item(_("近7天完成的导入导出任务"), count, link("jobs:list", PARAMS))]
