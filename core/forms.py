"""Form pieces every app shares: service errors onto forms, several photos in one field."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def add_service_errors(form, error: ValidationError, *, default_field: str | None = None) -> None:
    """Show a service's ValidationError on the form that called it.

    Field errors land on their field when the form has it, else on the form; a
    plain message lands on `default_field` (or the form as a whole).
    """
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        target = default_field if default_field in form.fields else None
        form.add_error(target, error.messages)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.ImageField):
    """Several photos in one input; each must be an image within `max_bytes`, at most
    `max_count` of them. What is stored is decided by the service, which keeps only a
    sanitised copy (no EXIF, no GPS: `suggestions.images.sanitize_image`)."""

    def __init__(self, *args, max_count: int, max_bytes: int, **kwargs):
        self.max_count, self.max_bytes = max_count, max_bytes
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > self.max_count:
            raise ValidationError(_("最多上传%(n)d张照片。") % {"n": self.max_count})
        cleaned = []
        for upload in files:
            if upload.size > self.max_bytes:
                raise ValidationError(
                    _("照片“%(name)s”超过%(mb)dMB。")
                    % {"name": upload.name, "mb": self.max_bytes // (1024 * 1024)}
                )
            cleaned.append(super().clean(upload, initial))
        return cleaned


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's sort picker with labels in the portal's language: `field_labels`
    keyed by the *parameter* ("region", not "region_path"), and "（降序）" for the
    reverse order (django-filter's own "%s (descending)" has no Chinese translation).
    Labels stay lazy, so each request shows its own language."""

    def __init__(self, *args, field_labels=None, **kwargs):
        fields = dict(self.normalize_fields(kwargs.get("fields", ())))
        by_param = field_labels or {}
        labels = {field: by_param[param] for field, param in fields.items() if param in by_param}
        super().__init__(*args, field_labels=labels, **kwargs)

    def build_choices(self, fields, labels):
        choices = []
        for field, param in fields.items():
            label = labels.get(field, param)
            choices.append((param, label))
            choices.append((f"-{param}", format_lazy(gettext_lazy("{}（降序）"), label)))
        return choices


class LocalMomentField(forms.DateTimeField):
    """A date and time the form reads in the portal's zone.

    Django keeps a typed offset as it came, and PostgreSQL refuses one past 15:59
    ("+20:16" parses in Python): an aware value is turned into local time here, and
    one with no local equivalent is a field error, not a 500.
    """

    default_error_messages = {"invalid": gettext_lazy("请填写有效的日期和时间。")}

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None or moment.tzinfo is None:
            return moment
        from django.utils import timezone

        try:
            return timezone.localtime(moment)
        except OverflowError as beyond:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from beyond
