"""The two-step spreadsheet import shared by stations and deputies.

Step one (upload) checks the sheet and shows every problem; a clean sheet is kept
under MEDIA_ROOT/imports/ with a random name remembered in the session. Step two
(confirm) reads that file again, checks it again and imports it, consuming the
upload's token in the same transaction (stations.ImportReceipt, unique): confirms
posted twice at once import once.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import ImportUploadForm
from .permissions import require_staff_writer
from .services import ImportAlreadyDone, ImportRejected
from .spreadsheets import Sheet, read_sheet

PREVIEW_ROWS = 20


@dataclass(frozen=True)
class ImportSpec:
    key: str  # "stations" or "deputies": session key and URL namespace
    title: str
    columns: list
    check: Callable  # (actor=, sheet=) -> object with .problems and .plans
    run: Callable  # (actor=, source=, filename=) -> list of created rows; may raise ImportRejected
    list_url: str
    upload_url: str
    confirm_url: str
    template_url: str


def _imports_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stored(request, spec: ImportSpec) -> tuple[Path, str] | None:
    entry = request.session.get(f"import:{spec.key}")
    if not entry:
        return None
    path = _imports_dir() / f"{entry['token']}.xlsx"
    return (path, entry["filename"]) if path.exists() else None


def _forget(request, spec: ImportSpec) -> None:
    stored = _stored(request, spec)
    if stored:
        stored[0].unlink(missing_ok=True)
    request.session.pop(f"import:{spec.key}", None)


def _render(request, spec: ImportSpec, **context):
    return render(
        request,
        "stations/import.html",
        {"spec": spec, "headers": [c.header for c in spec.columns], **context},
    )


def upload(request, spec: ImportSpec):
    require_staff_writer(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _render(request, spec, form=form)
    upload_file = form.cleaned_data["file"]
    sheet: Sheet = read_sheet(upload_file, spec.columns)
    check = spec.check(actor=request.user, sheet=sheet)
    if check.problems:
        return _render(
            request,
            spec,
            form=ImportUploadForm(),
            problems=check.problems,
            filename=upload_file.name,
        )
    _forget(request, spec)
    token = secrets.token_hex(16)
    upload_file.seek(0)
    with open(_imports_dir() / f"{token}.xlsx", "wb") as out:
        for chunk in upload_file.chunks():
            out.write(chunk)
    request.session[f"import:{spec.key}"] = {"token": token, "filename": upload_file.name[:100]}
    preview = [values for _row, values in sheet.rows[:PREVIEW_ROWS]]
    return _render(
        request,
        spec,
        form=None,
        ready=len(check.plans),
        preview=[[values[h.header] for h in spec.columns] for values in preview],
        filename=upload_file.name,
        token=token,
    )


def confirm(request, spec: ImportSpec):
    require_staff_writer(request.user)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    stored = _stored(request, spec)
    if stored is None or request.session[f"import:{spec.key}"]["token"] != request.POST.get(
        "token"
    ):
        messages.error(request, _("导入文件已失效，请重新上传。"))
        return redirect(spec.upload_url)
    path, filename = stored
    token = request.POST["token"]
    try:
        with open(path, "rb") as source:
            created = spec.run(actor=request.user, source=source, filename=filename, token=token)
    except FileNotFoundError:  # a concurrent confirm of the same upload finished first
        return _already_imported(request, spec)
    except ImportAlreadyDone:
        _forget(request, spec)
        return _already_imported(request, spec)
    except ImportRejected as rejected:
        _forget(request, spec)
        return _render(
            request, spec, form=ImportUploadForm(), problems=rejected.problems, filename=filename
        )
    _forget(request, spec)
    messages.success(request, _("已导入%(n)d条记录。") % {"n": len(created)})
    return redirect(spec.list_url)


def _already_imported(request, spec: ImportSpec):
    messages.info(request, _("该表格已经导入，未重复导入。"))
    return redirect(spec.list_url)
