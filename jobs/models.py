from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from regions.models import RegionScoped, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule


class Job(RegionScoped):
    """Background work a user started (a batch of placards, an export) and its result.

    `region` is the area the work covers; a job is nevertheless seen only by the
    person who started it (and superusers): its result file is theirs.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")  # saved; waiting for a worker to claim it
        RUNNING = "running", _("进行中")  # a worker claimed it and is reporting progress
        DONE = "done", _("已完成")  # the result file is ready to download
        FAILED = "failed", _("失败")  # stopped; `error` tells the user why, in Chinese

    kind = models.CharField(_("任务类型"), max_length=40)
    title = models.CharField(_("任务名称"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("已完成"), default=0)
    progress_total = models.PositiveIntegerField(_("总数"), default=0)
    result = models.FileField(_("结果文件"), upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(_("下载文件名"), max_length=200, blank=True)
    error = models.CharField(_("失败原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Runs so far (a worker's claim counts one); a run writes only while it is the
    # latest, so a run the sweep gave up on can never overwrite its successor.
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    # Written by the running worker every JOB_HEARTBEAT_SECONDS; a running job silent
    # for JOB_STALE_SECONDS lost its worker and is queued again (jobs.tasks).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    # Owner only: a colleague over the same region does not see my downloads.
    tenancy_rule = TenancyRule(region=None, owner="created_by_id")

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-pk"]
        indexes = [
            region_path_index("job"),
            models.Index(fields=["created_by", "-created_at"], name="job_owner_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)
