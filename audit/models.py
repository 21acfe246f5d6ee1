from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule


class AuditRecordImmutable(Exception):
    pass


class AuditRecord(models.Model):
    """Who did what to which record, when, from where, and what changed.

    Records are written once and never changed through the application: `save()`
    refuses updates and `delete()` refuses outright; on PostgreSQL a trigger also
    refuses UPDATE, and DELETE of anything younger than the retention floor.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        UPDATE = "update", _("修改")
        STATE = "state", _("状态变更")
        DELETE = "delete", _("删除")
        REVEAL = "reveal", _("查看敏感信息")
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        API = "api", _("接口调用")  # a registered client system called the open interface

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    # No index of its own: `audit_object` (content type, object, at) begins with it.
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    region_path = models.CharField(max_length=80, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    succeeded = models.BooleanField(_("结果"), default=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path")

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()}"

    # save() only refuses changes: a new record may be written by core.writes.together().
    insert_without_save = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditRecordImmutable("Audit records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRecordImmutable("Audit records cannot be deleted.")
