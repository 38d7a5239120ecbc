"""Pages: a customer's position and statement of account (`party_position`), the statement as a PDF
(`statement_of_account`), sent by e-mail (`statement_send`), and the position panel on the party's page
(`party_panel`, the module's hook). The figures come from `payments.services.position`."""

from datetime import date as Date
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.modules import document_url
from nexo.core.permissions import page
from nexo.parties.queries import email_address_of
from nexo.payments.services import position as services
from nexo.payments.services.position_pdf import statement_filename, statement_pdf
from nexo.payments.services.position_sending import statement_send as send_statement

READ = ("payments.view_dueamount",)
DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatementRangeForm(forms.Form):
    """The statement's days; a wrong value falls back to this year to date, with its error shown."""

    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DAY)
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DAY)

    def days(self) -> tuple[Date | None, Date | None]:
        if not self.is_valid():
            return None, None
        return self.cleaned_data.get("start"), self.cleaned_data.get("end")


def _range(request: HttpRequest, data) -> tuple[StatementRangeForm, Date, Date]:
    form = StatementRangeForm(data)
    start, end = form.days()
    try:
        start, end = services.statement_range(start, end)
    except ValidationFailed as failure:
        form.add_error(None, failure.detail)
        start, end = services.statement_range(None, None)
    return form, start, end


def dues_url(party_id: int) -> str | None:
    """The party's due amounts list (another page of this module), when it is there."""
    try:
        return reverse("payments:due_list") + "?" + urlencode({"party": party_id})
    except NoReverseMatch:
        return None


def _query(start: Date, end: Date) -> str:
    return urlencode({"start": start.isoformat(), "end": end.isoformat()})


@page(*READ)
def party_position(request: HttpRequest, party_id: int) -> HttpResponse:
    """The customer's position today and its statement of account for the chosen days."""
    form, start, end = _range(request, request.GET)
    statement = services.statement_of_account(request.company, party_id, start, end)
    party = statement.party
    rows = [
        {"movement": movement, "url": document_url(movement.origin_model, movement.origin_id)}
        for movement in statement.movements
    ]
    context = {
        "title": _("Position of %(party)s") % {"party": party.name},
        "party": party,
        "position": services.position(request.company, party.pk),
        "statement": statement,
        "rows": rows,
        "form": form,
        "query": _query(start, end),
        "dues_url": dues_url(party.pk),
        "recipient": email_address_of(party),
    }
    return render(request, "payments/position_page.html", context)


@page(*READ)
def statement_of_account(request: HttpRequest, party_id: int) -> HttpResponse:
    """The statement of account as a PDF, in the customer's language."""
    _form, start, end = _range(request, request.GET)
    statement = services.statement_of_account(request.company, party_id, start, end)
    response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{statement_filename(statement)}"'
    return response


@require_POST
@page(*READ)
def statement_send(request: HttpRequest, party_id: int) -> HttpResponse:
    """E-mail the statement of account (the days shown) to the address typed, else the customer's."""
    party = services.party_of(request.company, party_id)
    _form, start, end = _range(request, request.POST)
    try:
        sent_to = send_statement(
            company=request.company, by=request.user, party_id=party.pk, start=start, end=end,
            to=request.POST.get("to", ""), message=request.POST.get("message", ""),
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Statement of account sent to %(to)s.") % {"to": sent_to})
    return redirect(reverse("payments:party_position", args=[party.pk]) + "?" + _query(start, end))


def party_panel(request: HttpRequest, party) -> dict | None:
    """The party's position on its page (open balance, overdue, credit limit, available credit), with
    links to its statement and its due amounts; for users who may see due amounts. It loads after the page
    (`party_position_panel`), so the party's page keeps its own fixed number of queries."""
    if not request.user.has_perm("payments.view_dueamount"):
        return None
    return {"template": "payments/_party_position_panel.html", "party": party, "lazy": True}


@page(*READ)
def party_position_panel(request: HttpRequest, party_id: int) -> HttpResponse:
    """The position panel's figures (five queries), swapped into the party's page."""
    party = services.party_of(request.company, party_id)
    panel = {
        "party": party,
        "position": services.position(request.company, party.pk),
        "dues_url": dues_url(party.pk),
    }
    return render(request, "payments/_party_position_panel.html", {"panel": panel})


urlpatterns = [
    path("parties/<id:party_id>/position/", party_position, name="party_position"),
    path("parties/<id:party_id>/position/panel/", party_position_panel, name="party_position_panel"),
    path("parties/<id:party_id>/statement/", statement_of_account, name="statement_of_account"),
    path("parties/<id:party_id>/statement/send/", statement_send, name="statement_send"),
]
