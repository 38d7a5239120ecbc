"""SEPA direct debit pages: customers' mandates (list, add, edit with a customer picker), remittances (list,
a new one chosen from the due amounts a mandate covers, a remittance with its lines: its pain.008 file,
post, cancel a draft, record the bank's return of a line).

Every change is a call to `nexo.payments.services.sepa`; a refused input comes back as a form error (422),
a refused state as a message on the remittance's page."""

from datetime import date as Date
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import TextOnly, apply_failure
from nexo.core.listing import Filter, ListPage, Sort, words_in
from nexo.core.panels import panels
from nexo.core.permissions import page
from nexo.parties.models import Party
from nexo.parties.pickers import PartyPicker, PartyRole, parties_in_role
from nexo.payments.models import BankAccount, Mandate, Remittance, RemittanceLine
from nexo.payments.services import sepa as services

# Mandates

#: The schemes as banks name them (the code first: it is what the file and the bank's contract say).
SCHEMES = [
    (Mandate.Scheme.CORE, gettext_lazy("CORE (consumers and businesses)")),
    (Mandate.Scheme.B2B, gettext_lazy("B2B (businesses only)")),
]

MANDATE_LIST = ListPage(
    search=words_in(("reference", "party__name", "iban")),
    sorts={
        "reference": Sort(gettext_lazy("Reference"), ("reference",)),
        "party": Sort(gettext_lazy("Customer"), ("party__name",)),
        "signed_on": Sort(gettext_lazy("Signature date"), ("signed_on",)),
    },
    default_sort="reference",
    filters=[
        Filter(
            "active",
            gettext_lazy("Active"),
            [("yes", gettext_lazy("Active")), ("no", gettext_lazy("Inactive"))],
            lambda value: Q(active=value == "yes"),
        ),
        Filter("scheme", gettext_lazy("Scheme"), SCHEMES, lambda value: Q(scheme=value)),
    ],
)


@page("payments.view_mandate")
def mandate_list(request: HttpRequest) -> HttpResponse:
    queryset = Mandate.objects.filter(company=request.company).select_related("party")
    listing = MANDATE_LIST.apply(request, queryset)
    context = {
        "listing": listing,
        "title": _("SEPA mandates"),
        "search_hint": _("Reference, customer or IBAN"),
        "results_template": "payments/mandate_results.html",
    }
    partial = request.htmx and not request.htmx.boosted
    return render(request, context["results_template"] if partial else "payments/mandate_list.html", context)


class MandateForm(TextOnly, forms.Form):
    party = PartyPicker(
        Party.objects.none(), label=gettext_lazy("Customer"), search={"role": PartyRole.CUSTOMER}
    )
    reference = forms.CharField(
        label=gettext_lazy("Mandate reference"),
        max_length=35,
        help_text=gettext_lazy("Unique; letters without accents, digits, spaces and / - ? : ( ) . , ' +"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    iban = forms.CharField(
        label=gettext_lazy("IBAN"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    bic = forms.CharField(
        label=gettext_lazy("BIC"),
        max_length=15,
        required=False,
        help_text=gettext_lazy("Optional: found from the IBAN when left empty."),
    )
    signed_on = forms.DateField(
        label=gettext_lazy("Signature date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    scheme = forms.ChoiceField(label=gettext_lazy("Scheme"), choices=SCHEMES)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties_in_role(company, PartyRole.CUSTOMER)


def _mandate_form(request: HttpRequest, mandate: Mandate | None) -> HttpResponse:
    initial = {"scheme": Mandate.Scheme.CORE, "active": True}
    if mandate is not None:
        initial = {
            "party": mandate.party_id, "reference": mandate.reference, "iban": mandate.iban, "bic": mandate.bic,
            "signed_on": mandate.signed_on, "scheme": mandate.scheme, "active": mandate.active,
        }  # fmt: skip
    elif request.GET.get("party", "").isdigit():
        initial["party"] = int(request.GET["party"])
    form = MandateForm(request.POST or None, initial=initial, company=request.company)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.mandate_save(
                company=request.company, by=request.user, mandate_id=mandate.pk if mandate else None,
                party_id=data["party"].pk, reference=data["reference"], iban=data["iban"], bic=data["bic"],
                signed_on=data["signed_on"], scheme=data["scheme"], active=data["active"],
            )  # fmt: skip
        except ValidationFailed as failure:
            apply_failure(form, failure)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Mandate %(reference)s saved.") % {"reference": saved.reference})
            return redirect("payments:mandate_list")
    title = (
        _("Mandate %(reference)s") % {"reference": mandate.reference} if mandate else _("New SEPA mandate")
    )
    context = {
        "form": form, "title": title, "mandate": mandate, "cancel_url": reverse("payments:mandate_list"),
        "subtitle": _("The customer's written authorisation to charge its account by direct debit."),
    }  # fmt: skip
    return render(request, "payments/mandate_form.html", context, status=422 if form.errors else 200)


@page("payments.add_mandate")
def mandate_create(request: HttpRequest) -> HttpResponse:
    return _mandate_form(request, None)


@page("payments.change_mandate")
def mandate_edit(request: HttpRequest, mandate_id: int) -> HttpResponse:
    mandate = get_object_or_404(
        Mandate.objects.select_related("party"), company=request.company, pk=mandate_id
    )
    return _mandate_form(request, mandate)


# Remittances

REMITTANCE_LIST = ListPage(
    search=words_in(("number", "bank_account__name")),
    sorts={
        "charge_date": Sort(gettext_lazy("Charge date"), ("charge_date",)),
        "number": Sort(gettext_lazy("Number"), ("number",)),
    },
    default_sort="charge_date",
    default_descending=True,
    filters=[Filter("state", gettext_lazy("State"), Remittance.State.choices, lambda value: Q(state=value))],
)


@page("payments.view_remittance")
def remittance_list(request: HttpRequest) -> HttpResponse:
    queryset = (
        Remittance.objects.filter(company=request.company)
        .select_related("bank_account")
        .annotate(line_count=Count("lines"))
    )
    listing = REMITTANCE_LIST.apply(request, queryset)
    context = {
        "listing": listing,
        "title": _("SEPA remittances"),
        "search_hint": _("Number or bank account"),
        "results_template": "payments/remittance_results.html",
        "currency": request.company.currency,
    }
    partial = request.htmx and not request.htmx.boosted
    return render(
        request, context["results_template"] if partial else "payments/remittance_list.html", context
    )


def _day(value: str | None, default: Date) -> tuple[Date, bool]:
    text = (value or "").strip()
    if not text:
        return default, True
    try:
        day = Date.fromisoformat(text)
    except ValueError:
        return default, False
    return (day, True) if 1900 <= day.year <= 9000 else (default, False)


def _field_messages(failure: ValidationFailed) -> dict[str, str]:
    """A refusal's message per field ("" for one that names no field), as the page shows them."""
    return {item["field"]: item["message"] for item in failure.errors} or {"": failure.detail}


def _debit_banks(company) -> list[BankAccount]:
    return list(BankAccount.objects.filter(company=company, active=True).order_by("name", "pk"))


@page("payments.add_remittance")
def remittance_create(request: HttpRequest) -> HttpResponse:
    """GET: the due amounts a remittance can charge up to a date (all ticked); POST: the remittance of the
    ones left ticked, on the charge date, through the bank account."""
    company = request.company
    data = request.POST if request.method == "POST" else request.GET
    today = timezone.localdate()
    errors: dict[str, str] = {}
    charge_date, valid = _day(data.get("charge_date"), today + timedelta(days=1))
    if not valid:
        errors["charge_date"] = _("Enter a valid date.")
    until, valid = _day(data.get("until"), charge_date)
    if not valid:
        errors["until"] = _("Enter a valid date.")
    banks = _debit_banks(company)
    bank_id = (data.get("bank_account") or "").strip()
    if not bank_id and banks:
        bank_id = str(next((bank.pk for bank in banks if bank.creditor_id), banks[0].pk))
    chosen = {value for value in data.getlist("due") if value.isdigit()} if request.method == "POST" else None
    if request.method == "POST" and not errors:
        try:
            remittance = services.remittance_create(
                company=company, by=request.user, bank_account_id=int(bank_id) if bank_id.isdigit() else None,
                charge_date=charge_date, due_ids=[int(value) for value in chosen or ()],
            )  # fmt: skip
        except ValidationFailed as failure:
            errors.update(_field_messages(failure))
        except DomainError as error:
            errors[""] = error.detail
        else:
            messages.success(
                request,
                _("Remittance %(number)s created: download its file and send it to the bank.")
                % {"number": remittance.number},
            )
            return redirect("payments:remittance_view", remittance.pk)
    candidates = list(services.remittance_candidates(company, charge_date_until=until)[: services.MAX_LINES])
    for due in candidates:
        due.ticked = chosen is None or str(due.pk) in chosen
    context = {
        "title": _("New SEPA remittance"),
        "banks": banks,
        "bank_id": bank_id,
        "charge_date": charge_date.isoformat(),
        "until": until.isoformat(),
        "candidates": candidates,
        "total": sum((due.remaining for due in candidates if due.ticked), services.ZERO),
        "errors": errors,
        "currency": company.currency,
        "today": today.isoformat(),
    }
    return render(request, "payments/remittance_create.html", context, status=422 if errors else 200)


def _remittance_page(request: HttpRequest, remittance_id: int, *, status: int = 200, **shown) -> HttpResponse:
    remittance = services.remittance_get(request.company, remittance_id)
    lines = services.remittance_lines(remittance)
    today = timezone.localdate()
    context = {
        "title": _("Remittance %(number)s") % {"number": remittance.number},
        "remittance": remittance,
        "lines": lines,
        "returned": sum(1 for line in lines if line.state == RemittanceLine.State.RETURNED),
        "reasons": list(services.RETURN_REASONS.values()),
        "currency": request.company.currency,
        "today": today.isoformat(),
        "can_post": remittance.state == Remittance.State.DRAFT and remittance.charge_date <= today,
        "can_change": request.user.has_perm("payments.change_remittance"),
        "panels": panels("document_panel", request, "payments.remittance", remittance),
        **shown,
    }
    return render(request, "payments/remittance_detail.html", context, status=status)


@page("payments.view_remittance")
def remittance_view(request: HttpRequest, remittance_id: int) -> HttpResponse:
    return _remittance_page(request, remittance_id)


@page("payments.view_remittance")
def remittance_file(request: HttpRequest, remittance_id: int) -> HttpResponse:
    """The pain.008 file as an attachment; a file the schema refuses comes back as the page with the reason."""
    remittance = services.remittance_get(request.company, remittance_id)
    try:
        document = services.remittance_file(request.company, remittance.pk)
    except DomainError as error:
        return _remittance_page(request, remittance.pk, status=422, file_error=error.detail)
    response = HttpResponse(document, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{services.remittance_filename(remittance)}"'
    return response


def _acted(request: HttpRequest, action, done: str) -> None:
    try:
        action()
    except DomainError as error:
        for message in (
            [item["message"] for item in error.errors]
            if isinstance(error, ValidationFailed) and error.errors
            else [error.detail]
        ):
            messages.error(request, message)
    else:
        messages.success(request, done)


@page("payments.change_remittance")
@require_POST
def remittance_post(request: HttpRequest, remittance_id: int) -> HttpResponse:
    remittance = services.remittance_get(request.company, remittance_id)
    _acted(
        request,
        lambda: services.remittance_post(
            company=request.company, by=request.user, remittance_id=remittance.pk
        ),
        _("Remittance %(number)s posted: its due amounts are paid.") % {"number": remittance.number},
    )
    return redirect("payments:remittance_view", remittance.pk)


@page("payments.change_remittance")
@require_POST
def remittance_cancel(request: HttpRequest, remittance_id: int) -> HttpResponse:
    remittance = services.remittance_get(request.company, remittance_id)
    try:
        services.remittance_cancel(company=request.company, by=request.user, remittance_id=remittance.pk)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("payments:remittance_view", remittance.pk)
    messages.success(
        request,
        _("Remittance %(number)s cancelled: its due amounts can be charged again.")
        % {"number": remittance.number},
    )
    return redirect("payments:remittance_list")


@page("payments.change_remittance")
@require_POST
def remittance_line_return(request: HttpRequest, line_id: int) -> HttpResponse:
    """The bank's return of a line; a refused input shows the remittance again with the line's form errors."""
    line = get_object_or_404(RemittanceLine, company=request.company, pk=line_id)
    day, valid = _day(request.POST.get("date"), timezone.localdate())
    values = {
        "reason": request.POST.get("reason", "")[:4],
        "date": request.POST.get("date", "")[:20],
        "charges": request.POST.get("charges", "")[:20],
    }
    errors: dict[str, str] = {} if valid else {"date": _("Enter a valid date.")}
    if not errors:
        try:
            services.remittance_return(
                company=request.company, by=request.user, line_id=line.pk, reason=values["reason"], date=day,
                charges=values["charges"].strip() or "0",
            )  # fmt: skip
        except ValidationFailed as failure:
            errors = _field_messages(failure)
        except DomainError as error:
            messages.error(request, error.detail)
            return redirect("payments:remittance_view", line.remittance_id)
        else:
            messages.success(
                request,
                _("Line %(line)s returned (%(reason)s): its due amount is open again.")
                % {"line": line.end_to_end_id, "reason": values["reason"]},
            )
            return redirect("payments:remittance_view", line.remittance_id)
    return _remittance_page(
        request,
        line.remittance_id,
        status=422,
        return_line=line.pk,
        return_values=values,
        return_errors=errors,
    )


urlpatterns = [
    path("mandates/", mandate_list, name="mandate_list"),
    path("mandates/new/", mandate_create, name="mandate_create"),
    path("mandates/<id:mandate_id>/", mandate_edit, name="mandate_edit"),
    path("remittances/", remittance_list, name="remittance_list"),
    path("remittances/new/", remittance_create, name="remittance_create"),
    path("remittances/<id:remittance_id>/", remittance_view, name="remittance_view"),
    path("remittances/<id:remittance_id>/file/", remittance_file, name="remittance_file"),
    path("remittances/<id:remittance_id>/post/", remittance_post, name="remittance_post"),
    path("remittances/<id:remittance_id>/cancel/", remittance_cancel, name="remittance_cancel"),
    path("remittance-lines/<id:line_id>/return/", remittance_line_return, name="remittance_line_return"),
]
