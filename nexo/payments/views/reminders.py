"""Pages: reminders. The overdue list's chosen due amounts are previewed as the letters they would make (each
letter's PDF too), then sent (`services.reminders.reminders_send`, e-mailed or only recorded to print); the
reminders sent are listed with their letters, and each due amount shows its own history."""

from datetime import date as Date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from nexo.core.errors import DomainError
from nexo.core.modules import document_url
from nexo.core.permissions import page
from nexo.payments.models import DueAmount, Reminder
from nexo.payments.services import reminders

HISTORY_PAGE_SIZE = 100


def letter_download(letter: reminders.Letter) -> HttpResponse:
    """A reminder letter's PDF, opened in the browser (the page's and the API's)."""
    response = HttpResponse(reminders.letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{reminders.letter_filename(letter)}"'
    return response


def _chosen(data) -> tuple[list[str], Date | None]:
    due_ids = [value for value in data.getlist("due") if value.strip()][: reminders.MAX_DUES + 1]
    try:
        day = Date.fromisoformat(data.get("date", "")) if data.get("date") else timezone.localdate()
    except ValueError:
        day = None
    return due_ids, day


def _preview_page(request: HttpRequest, due_ids, day, *, error: str = "", status: int = 200) -> HttpResponse:
    letters = []
    if not error:
        try:
            letters = reminders.reminders_preview(company=request.company, due_ids=due_ids, date=day)
        except DomainError as problem:
            error, status = problem.detail, problem.status
    for letter in letters:
        query = "&".join(f"due={line.due_id}" for line in letter.lines)
        letter.pdf_url = f"{reverse('payments:reminder_preview_pdf')}?{query}&date={day.isoformat()}"
    context = {
        "title": _("Reminders to send"), "letters": letters, "error": error, "date": day,
        "due_ids": [letter_line.due_id for letter in letters for letter_line in letter.lines] or due_ids,
        "send_email": request.POST.get("send_email", "on") == "on" if request.method == "POST" else True,
    }  # fmt: skip
    return render(request, "payments/reminders_preview.html", context, status=status)


@page("payments.add_reminder")
@require_POST
def reminder_preview(request: HttpRequest) -> HttpResponse:
    due_ids, day = _chosen(request.POST)
    if day is None:
        return _preview_page(request, due_ids, day, error=_("Give the reminder's date."), status=422)
    return _preview_page(request, due_ids, day)


@page("payments.add_reminder")
@require_GET
def reminder_preview_pdf(request: HttpRequest) -> HttpResponse:
    due_ids, day = _chosen(request.GET)
    if day is None:
        return HttpResponse(_("Give the reminder's date."), status=422, content_type="text/plain")
    try:
        letters = reminders.reminders_preview(company=request.company, due_ids=due_ids, date=day)
    except DomainError as problem:
        return HttpResponse(problem.detail, status=problem.status, content_type="text/plain; charset=utf-8")
    return letter_download(letters[0])


@page("payments.add_reminder")
@require_POST
def reminder_send(request: HttpRequest) -> HttpResponse:
    due_ids, day = _chosen(request.POST)
    if day is None:
        return _preview_page(request, due_ids, day, error=_("Give the reminder's date."), status=422)
    send_email = request.POST.get("send_email") == "on"
    try:
        letters = reminders.reminders_send(
            company=request.company, by=request.user, due_ids=due_ids, date=day, send_email=send_email
        )
    except DomainError as problem:
        return _preview_page(request, due_ids, day, error=problem.detail, status=problem.status)
    count = len(letters)
    if send_email:
        messages.success(
            request, _("%(count)s reminder letters recorded and queued to be e-mailed.") % {"count": count}
        )
    else:
        messages.success(
            request, _("%(count)s reminder letters recorded: download them to print.") % {"count": count}
        )
    return redirect(f"{reverse('payments:reminder_list')}?date={day.isoformat()}")


@page("payments.view_reminder")
@require_GET
def reminder_list(request: HttpRequest) -> HttpResponse:
    day = request.GET.get("date", "")
    try:
        on = Date.fromisoformat(day) if day else None
    except ValueError:
        day, on = "", None
    count, found = reminders.reminders_of(request.company, date=on, limit=HISTORY_PAGE_SIZE)
    for reminder in found:
        reminder.history_url = reverse("payments:due_reminders", args=[reminder.due_id])
        reminder.letter_url = reverse("payments:reminder_letter", args=[reminder.pk])
    context = {"title": _("Reminders sent"), "reminders": found, "count": count, "date": day}
    return render(request, "payments/reminders_list.html", context)


@page("payments.view_reminder")
@require_GET
def due_reminders(request: HttpRequest, due_id: int) -> HttpResponse:
    """A due amount and the reminders it was sent, oldest first."""
    due = get_object_or_404(DueAmount.objects.select_related("party"), company=request.company, pk=due_id)
    history = list(Reminder.objects.filter(due=due).select_related("created_by").order_by("date", "pk"))
    for reminder in history:
        reminder.letter_url = reverse("payments:reminder_letter", args=[reminder.pk])
    context = {
        "title": _("Reminders of %(document)s") % {"document": f"{due.origin_number} {due.installment}/{due.installments}"},
        "due": due, "history": history, "document_url": document_url(due.origin_model, due.origin_id),
        "remaining": due.amount - due.paid,
    }  # fmt: skip
    return render(request, "payments/reminders_due.html", context)


@page("payments.view_reminder")
@require_GET
def reminder_letter(request: HttpRequest, reminder_id: int) -> HttpResponse:
    return letter_download(reminders.letter_of_reminder(request.company, reminder_id))


urlpatterns = [
    path("reminders/", reminder_list, name="reminder_list"),
    path("reminders/preview/", reminder_preview, name="reminder_preview"),
    path("reminders/preview.pdf", reminder_preview_pdf, name="reminder_preview_pdf"),
    path("reminders/send/", reminder_send, name="reminder_send"),
    path("reminders/<int:reminder_id>/letter/", reminder_letter, name="reminder_letter"),
    path("reminders/due/<int:due_id>/", due_reminders, name="due_reminders"),
]
