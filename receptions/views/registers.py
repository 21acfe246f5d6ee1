"""What every register page shares: who reads the registers, and the entry-form flow.

A register entry (a reception, a home visit) is a header form plus rows of
suggestions raised. Its pages all take the same steps, kept here once:
- a retried POST (the same form token) lands on the entry already saved;
- "add a row" shows the form again with one more row of suggestions, validating
  nothing; "refresh" (another station or deputy picked) shows it again with its
  lists refilled;
- otherwise the header and the rows are validated and saved by the page's service.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseFormSet
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.shortcuts import redirect

from core.forms import add_service_errors

from ..forms import RaisedSuggestionFormSet
from ..permissions import can_read_registers
from ..services import MAX_RAISED

LOG_PAGE_SIZE = 30
ROWS = "raised"  # the formset prefix of the suggestions raised


def require_register_reader(user) -> None:
    if not can_read_registers(user):
        raise PermissionDenied


def quiet(*forms) -> None:
    """Re-show bound forms without validating them (after "add a row" or a station change).

    Setting an empty error dict is how a bound form is told it has been checked;
    the typed values still show, and no field is marked as wrong.
    """
    for form in forms:
        if isinstance(form, BaseFormSet):
            form._errors, form._non_form_errors = [], form.error_class()
            quiet(*form.forms)
        elif form is not None:
            form._errors = ErrorDict()


def _with_extra_row(data: QueryDict) -> QueryDict:
    data = data.copy()
    key = f"{ROWS}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "1"))
    except ValueError:
        total = 1
    data[key] = str(min(max(total, 0) + 1, MAX_RAISED))
    return data


def date_param(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


def raised_rows(data, *, deputies, show_deputy: bool, start_empty: bool = False):
    """The rows of suggestions raised; a correction starts with no empty row."""
    formset = RaisedSuggestionFormSet(
        data, prefix=ROWS, form_kwargs={"deputies": deputies, "show_deputy": show_deputy}
    )
    if data is None and start_empty:
        formset.extra = 0
    return formset


def already_saved(model, request):
    """The entry a retried POST already made (same form token), if the user sees it."""
    token = request.POST.get("form_token", "")
    if request.method != "POST" or not token:
        return None
    return model.objects.visible_to(request.user).filter(form_token=token).first()


class EntryFlow:
    """One request of a register entry form: add a row, refresh, or submit."""

    def __init__(self, request, *, refresh: Callable[[QueryDict], None] | None = None):
        self.data: QueryDict | None = None
        self.quiet = False
        self.added = request.method == "POST" and "add_suggestion" in request.POST
        if request.method == "POST":
            self.data = request.POST
            if self.added:
                self.data, self.quiet = _with_extra_row(self.data), True
            elif "refresh" in self.data and refresh is not None:
                self.data, self.quiet = self.data.copy(), True
                refresh(self.data)

    def submit(self, form, rows, save: Callable[[dict, list], object]):
        """Validate and call `save(header values, raised rows)`; its answer, or None to re-show."""
        if self.quiet:
            quiet(form, rows)
            return None
        if self.data is None or not form.is_valid() or (rows is not None and not rows.is_valid()):
            return None
        try:
            return save(form.cleaned_data, rows.raised() if rows is not None else [])
        except ValidationError as error:
            add_service_errors(form, error)
            return None


def saved(request, message: str | None, url_name: str, **kwargs):
    """The answer to a saved entry: a message (if any) and its detail page."""
    if message:
        messages.success(request, message)
    return redirect(url_name, **kwargs)
