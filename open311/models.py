"""Client systems registered to call the Open311 GeoReport v2 interface.

A client (the 12345 hotline platform, a county's app...) is registered by staff of a
region and bound to it: it sees and submits suggestions in that subtree only. Its key
is shown once; only a digest is stored, found by its first characters. Read-only
clients may not post.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regions.models import RegionScoped, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule


class ApiClient(RegionScoped):
    class Access(models.TextChoices):
        READ = "read", _("只读")  # GET requests only
        READ_WRITE = "read_write", _("读写")  # may also post requests

    name = models.CharField(_("系统名称"), max_length=100)
    access = models.CharField(_("权限"), max_length=12, choices=Access.choices)
    # The first characters of the key find the row; the rest is checked against the digest.
    key_prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_digest = models.CharField(max_length=64, editable=False)
    # The client's operator undertook to show citizens the PIPL notice on its own forms.
    pipl_notice = models.BooleanField(_("已承诺向群众告知个人信息处理规则"), default=False)
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近调用"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path")

    class Meta:
        verbose_name = _("对接系统")
        verbose_name_plural = _("对接系统")
        ordering = ["-created_at"]
        indexes = [region_path_index("apiclient")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def may_post(self) -> bool:
        return self.is_active and self.access == self.Access.READ_WRITE
