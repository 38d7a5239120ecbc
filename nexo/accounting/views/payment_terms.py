"""Payment terms' pages: the list (installments summarised, the company's default marked), the editor with
its installments and a live preview of how 100.00 invoiced today would fall due, setting the default,
deactivating and deleting; and the collection part of the accounting panel on a party's page (its terms as
customer and supplier, credit limit and holiday month)."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from nexo.accounting.models import PartyAccounting, PaymentTerm, PaymentTermLine
from nexo.accounting.rules.payment_terms import MAX_DAYS, MAX_INSTALLMENTS, split
from nexo.accounting.services import payment_terms as services
from nexo.accounting.services.ledger import settings_of
from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import TextOnly
from nexo.core.permissions import page
from nexo.core.validation import record_id
from nexo.parties.models import Party

VIEW, CHANGE = "accounting.view_account", "accounting.change_accountingsettings"
#: A party's collection profile is kept with its own accounts, by whoever may change those.
CHANGE_PARTY = "accounting.change_account"
PREVIEW_TOTAL = Decimal("100.00")
BLANK_ROWS = 2  # empty installment rows offered under the term's own
TERM_FIELDS = ("name", "name_en", "end_of_month", "payment_days", "active")


class TermForm(TextOnly, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name (Spanish)"),
        max_length=services.MAX_NAME_LENGTH,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    name_en = forms.CharField(
        label=gettext_lazy("English name"), max_length=services.MAX_NAME_LENGTH, required=False
    )
    payment_days = forms.CharField(
        label=gettext_lazy("Payment days"),
        max_length=services.MAX_PAYMENT_DAYS_LENGTH,
        required=False,
        help_text=gettext_lazy("Days of the month the customer pays on, e.g. 5, 20. Blank: any day."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    end_of_month = forms.BooleanField(
        label=gettext_lazy("Due at the end of the month"),
        required=False,
        help_text=gettext_lazy("Each due date moves to the last day of its month."),
    )
    active = forms.BooleanField(
        label=gettext_lazy("Active"),
        required=False,
        help_text=gettext_lazy("An inactive term is no longer offered; what already uses it keeps it."),
    )


class InstallmentForm(forms.Form):
    days = forms.IntegerField(
        label=gettext_lazy("Days"),
        min_value=0,
        max_value=MAX_DAYS,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "num"}),
    )
    percent = forms.DecimalField(
        label=gettext_lazy("Percentage"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        required=False,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "num"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("days") is None and data.get("percent") is not None and "days" not in self.errors:
            self.add_error("days", _("Enter the days after the invoice date."))
        return data


InstallmentFormSet = forms.formset_factory(
    InstallmentForm, extra=0, max_num=MAX_INSTALLMENTS + BLANK_ROWS + 3, absolute_max=60, validate_max=True
)


def _term_rows(company) -> list[PaymentTerm]:
    """The company's terms with their installments: two queries whatever their number."""
    lines = Prefetch("lines", queryset=PaymentTermLine.objects.order_by("position", "pk"))
    return list(PaymentTerm.objects.filter(company=company).prefetch_related(lines).order_by("name", "pk"))


def _label(term: PaymentTerm | None, request: HttpRequest) -> str:
    return services.term_label(term, request.LANGUAGE_CODE or "es")


@page(VIEW)
def payment_term_list(request: HttpRequest) -> HttpResponse:
    terms = _term_rows(request.company)
    default_id = settings_of(request.company).default_term_id
    for term in terms:
        term.label = _label(term, request)
        term.summary = services.installments_summary(term.lines.all())
        term.is_default = term.pk == default_id
    context = {
        "terms": terms,
        "title": pgettext("list of terms", "Payment terms"),
        "can_change": request.user.has_perm(CHANGE),
    }
    return render(request, "accounting/payment_term_list.html", context)


def _lines_of(installments) -> tuple[list[tuple[int, Decimal | None]], list[int]]:
    """The typed installments (rows left blank skipped) and, for each, its row in the formset."""
    lines, rows = [], []
    for index, form in enumerate(installments.forms):
        data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
        if data.get("days") is None and data.get("percent") is None:
            continue
        lines.append((data.get("days"), data.get("percent")))
        rows.append(index)
    return lines, rows


def _show_failure(form, installments, failure: ValidationFailed, rows: list[int]) -> list[str]:
    """Put a service's field errors where they were typed: a term's field, an installment's cell, or the
    installments as a whole (returned)."""
    general = []
    for field, texts in failure.field_messages().items():
        parts = field.split(".")
        for text in texts:
            if field in form.fields:
                form.add_error(field, text)
            elif parts[0] == "lines" and len(parts) == 3 and int(parts[1]) < len(rows):
                target = installments.forms[rows[int(parts[1])]]
                target.add_error(parts[2] if parts[2] in target.fields else None, text)
            elif field in ("lines", "lines.0"):
                general.append(text)
            else:
                form.add_error(None, text)
    return general


def _preview(form, installments) -> dict:
    """How 100.00 invoiced today falls due under the term as typed, or why it cannot be split (the term's
    name need not be there yet)."""
    form.is_valid()
    if "payment_days" in form.errors or not installments.is_valid():
        return {"error": _("Correct the installments to see the due dates.")}
    lines, _rows = _lines_of(installments)
    return _split_preview(
        lines, form.cleaned_data.get("end_of_month", False), form.cleaned_data.get("payment_days", "")
    )


def _split_preview(lines, end_of_month: bool, payment_days: str) -> dict:
    try:
        spec = services.term_spec_of(lines=lines, end_of_month=end_of_month, payment_days=payment_days)
    except ValidationFailed as failure:
        return {"error": " ".join(error["message"] for error in failure.errors) or failure.detail}
    today = timezone.localdate()
    return {"rows": split(PREVIEW_TOTAL, today, spec), "today": today, "total": PREVIEW_TOTAL}


def _blank_rows(data, count: int):
    """The posted formset with `count` more empty rows, without showing errors (More installments)."""
    data = data.copy()
    total = int(record_id(data.get("lines-TOTAL_FORMS")) or 0)
    data["lines-TOTAL_FORMS"] = str(min(total + count, InstallmentFormSet.max_num))
    return InstallmentFormSet(data, prefix="lines")


def _editor(request: HttpRequest, term: PaymentTerm | None) -> HttpResponse:
    if term is None:
        initial = {"active": True}
        rows = [{"days": 30}]
    else:
        initial = {field: getattr(term, field) for field in TERM_FIELDS}
        rows = [{"days": line.days, "percent": line.percent} for line in term.lines.all()]
    general: list[str] = []
    preview = None
    if request.method != "POST":
        form = TermForm(initial=initial)
        installments = InstallmentFormSet(prefix="lines", initial=[*rows, *[{}] * BLANK_ROWS])
        preview = _split_preview(
            [(row["days"], row.get("percent")) for row in rows],
            initial.get("end_of_month", False),
            initial.get("payment_days", ""),
        )
    elif "add_lines" in request.POST:
        form = TermForm(request.POST)
        installments = _blank_rows(request.POST, 3)
    else:
        form = TermForm(request.POST)
        installments = InstallmentFormSet(request.POST, prefix="lines")
        preview = _preview(form, installments)
        if "preview" not in request.POST and form.is_valid() and installments.is_valid():
            lines, line_rows = _lines_of(installments)
            try:
                saved = services.payment_term_save(
                    company=request.company,
                    by=request.user,
                    term_id=term.pk if term else None,
                    lines=lines,
                    **form.cleaned_data,
                )
            except ValidationFailed as failure:
                general = _show_failure(form, installments, failure, line_rows)
            except DomainError as error:
                form.add_error(None, error.detail)
            else:
                messages.success(
                    request, _("Payment term %(term)s saved.") % {"term": _label(saved, request)}
                )
                return redirect("accounting:payment_term_list")
    if installments.non_form_errors():
        general.extend(installments.non_form_errors())
    invalid = request.method == "POST" and (
        form.errors or general or any(f.errors for f in installments.forms)
    )
    context = {
        "form": form,
        "installments": installments,
        "general_errors": general,
        "preview": preview,
        "term": term,
        "is_default": term is not None and settings_of(request.company).default_term_id == term.pk,
        "title": _("Edit payment term %(term)s") % {"term": _label(term, request)}
        if term
        else _("New payment term"),
        "preview_url": reverse("accounting:payment_term_preview"),
    }
    return render(request, "accounting/payment_term_form.html", context, status=422 if invalid else 200)


@page(CHANGE)
def payment_term_create(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@page(CHANGE)
def payment_term_edit(request: HttpRequest, term_id: int) -> HttpResponse:
    term = get_object_or_404(
        PaymentTerm.objects.prefetch_related("lines"), company=request.company, pk=term_id
    )
    return _editor(request, term)


@require_POST
@page(CHANGE)
def payment_term_preview(request: HttpRequest) -> HttpResponse:
    """The editor's preview, refreshed as the user types (an HTMX fragment)."""
    preview = _preview(TermForm(request.POST), InstallmentFormSet(request.POST, prefix="lines"))
    return render(request, "accounting/payment_term_preview.html", {"preview": preview})


@require_POST
@page(CHANGE)
def payment_term_default(request: HttpRequest, term_id: int) -> HttpResponse:
    try:
        term = services.default_term_set(request.company, request.user, term_id)
    except ValidationFailed as failure:
        messages.error(request, failure.detail)
    else:
        messages.success(
            request,
            _("%(term)s is now the company's default payment term.") % {"term": _label(term, request)},
        )
    return redirect("accounting:payment_term_list")


@require_POST
@page(CHANGE)
def payment_term_activate(request: HttpRequest, term_id: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    try:
        term = services.payment_term_activate(
            company=request.company, by=request.user, term_id=term_id, active=active
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        text = _("%(term)s is active again.") if active else _("%(term)s deactivated.")
        messages.success(request, text % {"term": _label(term, request)})
    return redirect("accounting:payment_term_list")


@require_POST
@page(CHANGE)
def payment_term_delete(request: HttpRequest, term_id: int) -> HttpResponse:
    term = get_object_or_404(PaymentTerm, company=request.company, pk=term_id)
    try:
        services.payment_term_delete(company=request.company, by=request.user, term_id=term.pk)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("accounting:payment_term_edit", term_id=term.pk)
    messages.success(request, _("Payment term %(term)s deleted.") % {"term": _label(term, request)})
    return redirect("accounting:payment_term_list")


# The collection part of the accounting panel on a party's page.


def month_choices() -> list[tuple[int, str]]:
    """(1, "enero")… in the active language."""
    return [(number, str(MONTHS[number])) for number in range(1, 13)]


def profile_panel(request: HttpRequest, party: Party, own: PartyAccounting | None) -> dict:
    """The party's terms (its own, else the company's default), credit limit and holiday month for the
    panel, and the terms it may choose: two queries (the default term, the choices)."""
    default = services.default_term(request.company)
    customer_term = own.customer_term if own else None
    supplier_term = own.supplier_term if own else None
    months = dict(month_choices())
    profile = {
        "customer_term": _label(customer_term or default, request),
        "customer_term_own": customer_term is not None,
        "supplier_term": _label(supplier_term or default, request),
        "supplier_term_own": supplier_term is not None,
        "credit_limit": own.credit_limit if own else None,
        "holiday_month": months.get(own.holiday_month) if own and own.holiday_month else "",
        "customer_term_id": customer_term.pk if customer_term else None,
        "supplier_term_id": supplier_term.pk if supplier_term else None,
        "holiday_month_number": own.holiday_month if own else None,
    }
    term_choices = []
    if request.user.has_perm(CHANGE_PARTY):
        kept = [term_id for term_id in (profile["customer_term_id"], profile["supplier_term_id"]) if term_id]
        term_choices = list(
            PaymentTerm.objects.filter(Q(active=True) | Q(pk__in=kept), company=request.company).order_by(
                "name"
            )
        )
        for term in term_choices:
            term.label = _label(term, request)
    return {
        "profile": profile,
        "term_choices": term_choices,
        "month_choices": month_choices(),
        "default_term": _label(default, request),
        "can_change_profile": request.user.has_perm(CHANGE_PARTY),
    }


@require_POST
@page(CHANGE_PARTY)
def party_profile_set(request: HttpRequest, party_id: int) -> HttpResponse:
    party = get_object_or_404(Party, company=request.company, pk=party_id)
    month = request.POST.get("holiday_month", "").strip()
    try:
        services.party_profile_set(
            company=request.company,
            by=request.user,
            party_id=party.pk,
            customer_term_id=_chosen(request.POST.get("customer_term"), "customer_term"),
            supplier_term_id=_chosen(request.POST.get("supplier_term"), "supplier_term"),
            credit_limit=request.POST.get("credit_limit", "").strip() or None,
            holiday_month=_chosen(month, "holiday_month"),
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Collection terms of %(party)s saved.") % {"party": party.name})
    return redirect("parties:party_view", party_id=party.pk)


def _chosen(value: str | None, field: str) -> int | None:
    """A choice's id as posted: blank is None; anything but a positive number is that field's error."""
    value = (value or "").strip()
    if not value:
        return None
    number = record_id(value)
    if number is None:
        raise ValidationFailed.on(field, _("Choose one of the options."))
    return number


urlpatterns = [
    path("payment-terms/", payment_term_list, name="payment_term_list"),
    path("payment-terms/new/", payment_term_create, name="payment_term_create"),
    path("payment-terms/preview/", payment_term_preview, name="payment_term_preview"),
    path("payment-terms/<int:term_id>/edit/", payment_term_edit, name="payment_term_edit"),
    path("payment-terms/<int:term_id>/default/", payment_term_default, name="payment_term_default"),
    path("payment-terms/<int:term_id>/active/", payment_term_activate, name="payment_term_activate"),
    path("payment-terms/<int:term_id>/delete/", payment_term_delete, name="payment_term_delete"),
    path("parties/<int:party_id>/collection/", party_profile_set, name="party_profile_set"),
]
