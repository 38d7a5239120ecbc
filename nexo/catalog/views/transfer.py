"""Import and export pages: upload a CSV/XLSX file of items or price rules, see its report; download exports.

A small file is imported in the request. A large one is saved under VAR_DIR/imports and imported in a
background thread that writes its progress to the cache; the page polls it with HTMX.
"""

import logging
import threading
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.catalog import transfer
from nexo.core.errors import ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.models import Company, User
from nexo.core.permissions import page

logger = logging.getLogger(__name__)

SYNC_ROWS = 2000  # up to this many rows the import runs in the request
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
JOB_SECONDS = 60 * 60 * 6
PERMISSIONS = {
    "items": ("catalog.add_item", "catalog.change_item"),
    "price_rules": ("catalog.add_pricerule", "catalog.change_pricerule"),
}
EXPORT_PERMISSIONS = {"items": "catalog.view_item", "price_rules": "catalog.view_pricerule"}


class ImportForm(forms.Form):
    what = forms.ChoiceField(
        label=gettext_lazy("Import"),
        choices=[("items", gettext_lazy("Items")), ("price_rules", gettext_lazy("Price list rules"))],
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8, separated by ; or ,) or XLSX; the first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )
    valid_only = forms.BooleanField(
        label=gettext_lazy("Import the valid rows and skip the others"), required=False
    )

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["what"].choices = [c for c in self.fields["what"].choices if c[0] in allowed]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Upload a CSV or XLSX file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large (50 MB at most)."))
        return upload


def _allowed(user) -> list[str]:
    return [what for what, perms in PERMISSIONS.items() if user.has_perms(perms)]


def _job_key(job_id: uuid.UUID) -> str:
    return f"nexo:catalog-import:{job_id}"


def _save_upload(upload) -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return path


def _run_job(job_id: uuid.UUID, path: Path, what: str, company_id: int, user_id: int, valid_only: bool,
             language: str) -> None:  # fmt: skip
    """The background import: progress and finally the report go to the cache under the job's key."""
    key = _job_key(job_id)
    job = cache.get(key) or {}
    close_old_connections()
    try:
        with translation.override(language):
            company = Company.objects.get(pk=company_id)
            user = User.objects.get(pk=user_id)
            table = transfer.read_table(path.read_bytes(), path.name)

            def progress(done: int, total: int) -> None:
                cache.set(key, {**job, "state": "running", "done": done, "total": total}, JOB_SECONDS)

            report = transfer.IMPORTERS[what](company, user, table, valid_only=valid_only, progress=progress)
        cache.set(key, {**job, "state": "done", "report": report.as_dict()}, JOB_SECONDS)
    except Exception:
        logger.exception("catalog import %s failed", job_id)
        cache.set(key, {**job, "state": "failed"}, JOB_SECONDS)
    finally:
        path.unlink(missing_ok=True)
        connection.close()


def _start_job(request: HttpRequest, path: Path, what: str, valid_only: bool, total: int) -> uuid.UUID:
    job_id = uuid.uuid4()
    cache.set(
        _job_key(job_id),
        {
            "state": "running", "done": 0, "total": total, "what": what, "user_id": request.user.pk,
            "company_id": request.company.pk, "started": timezone.now().isoformat(),
        },
        JOB_SECONDS,
    )  # fmt: skip
    arguments = (
        job_id,
        path,
        what,
        request.company.pk,
        request.user.pk,
        valid_only,
        translation.get_language(),
    )
    thread = threading.Thread(target=_run_job, args=arguments, name=f"import-{job_id}", daemon=True)
    transaction.on_commit(thread.start)
    return job_id


@page()
def import_page(request: HttpRequest) -> HttpResponse:
    allowed = _allowed(request.user)
    exports = [what for what, perm in EXPORT_PERMISSIONS.items() if request.user.has_perm(perm)]
    if not allowed and not exports:
        raise PermissionDenied(_("Your role does not allow this."))
    form = ImportForm(request.POST or None, request.FILES or None, allowed=allowed)
    context = {"form": form, "exports": exports, "can_import": bool(allowed), "title": _("Import and export")}
    if request.method == "POST" and allowed and form.is_valid():
        what, valid_only = form.cleaned_data["what"], form.cleaned_data["valid_only"]
        path = _save_upload(form.cleaned_data["file"])
        try:
            table = transfer.read_table(path.read_bytes(), path.name)
        except ValidationFailed as failure:
            path.unlink(missing_ok=True)
            apply_failure(form, failure)
        else:
            if len(table.rows) > SYNC_ROWS:
                context["job_id"] = _start_job(request, path, what, valid_only, len(table.rows))
                context["job"] = {"state": "running", "done": 0, "total": len(table.rows)}
            else:
                try:
                    report = transfer.IMPORTERS[what](
                        request.company, request.user, table, valid_only=valid_only
                    )
                finally:
                    path.unlink(missing_ok=True)
                context["report"] = report
    status = 422 if form.errors or (context.get("report") and not context["report"].imported) else 200
    return render(request, "catalog/import.html", context, status=status)


@page()
def import_progress(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = cache.get(_job_key(job_id))
    if job is None or job.get("user_id") != request.user.pk or job.get("company_id") != request.company.pk:
        raise Http404(_("No such import."))
    context = {"job_id": job_id, "job": job}
    if job["state"] == "done":
        context["report"] = transfer.ImportReport.from_dict(job["report"])
    return render(request, "catalog/_import_job.html", context)


def _export(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    if not request.user.has_perm(EXPORT_PERMISSIONS[what]):
        raise PermissionDenied(_("Your role does not allow this."))
    if fmt not in transfer.FORMATS:
        raise Http404(_("Unknown format."))
    data = transfer.EXPORTERS[what](request.company, fmt)
    response = HttpResponse(data, content_type=transfer.CONTENT_TYPES[fmt])
    name = {"items": "items", "price_rules": "price-rules"}[what]
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.{fmt}"'
    return response


@page()
def export_items(request: HttpRequest, fmt: str) -> HttpResponse:
    return _export(request, "items", fmt)


@page()
def export_price_rules(request: HttpRequest, fmt: str) -> HttpResponse:
    return _export(request, "price_rules", fmt)
