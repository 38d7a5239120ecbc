"""Pages: record a payment (direction and party, then its open due amounts ticked with an amount each), the
payment list, and a payment's page (its allocations with their documents, its entry, reverse, apply the
credit it left to later due amounts). Every change goes through `payments.services.payments`."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from nexo.catalog.forms import DateInput
from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import TextOnly, apply_failure
from nexo.core.listing import Filter, ListPage, Sort
from nexo.core.modules import document_url
from nexo.core.panels import panels
from nexo.core.permissions import page
from nexo.core.validation import record_id
from nexo.parties.models import Party
from nexo.parties.pickers import PartyPicker, PartyRole, parties_in_role
from nexo.payments.models import Allocation, BankAccount, Direction, DueAmount, Payment
from nexo.payments.services import payments as services
from nexo.payments.services.dues import PAYABLE_STATES
from nexo.payments.services.payments import Match

ZERO = Decimal("0.00")
#: Open due amounts the record form lists for one party; a party with more is paid from the due amounts page.
MAX_DUES_SHOWN = 200
ROLE_OF = {Direction.RECEIVABLE: PartyRole.CUSTOMER, Direction.PAYABLE: PartyRole.SUPPLIER}

PAYMENT_LIST = ListPage(
    search=lambda word: (
        Q(number__icontains=word) | Q(reference__icontains=word) | Q(party__name__icontains=word)
    ),
    sorts={
        "date": Sort(gettext_lazy("Date"), ("date", "number")),
        "number": Sort(gettext_lazy("Number"), ("number",)),
        "amount": Sort(gettext_lazy("Amount"), ("amount",)),
    },
    default_sort="date",
    default_descending=True,
    filters=[
        Filter("direction", gettext_lazy("Direction"), Direction.choices, lambda value: Q(direction=value)),
        Filter("method", gettext_lazy("Method"), Payment.Method.choices, lambda value: Q(method=value)),
        Filter("state", gettext_lazy("State"), Payment.State.choices, lambda value: Q(state=value)),
    ],
    per_page=100,
)


@page("payments.view_payment")
def payment_list(request: HttpRequest) -> HttpResponse:
    queryset = Payment.objects.filter(company=request.company).select_related("party")
    listing = PAYMENT_LIST.apply(request, queryset)
    for payment in listing.rows:
        payment.unapplied_amount = payment.amount - payment.applied
    context = {
        "listing": listing,
        "title": _("Payments"),
        "search_hint": _("Number, reference or party"),
        "results_template": "payments/payment_results.html",
    }
    template = (
        context["results_template"]
        if request.htmx and not request.htmx.boosted
        else "payments/payment_list.html"
    )
    return render(request, template, context)


# Recording a payment


class PartyChoiceForm(forms.Form):
    """The first step: who paid (or whom the company pays)."""

    direction = forms.ChoiceField(label=gettext_lazy("Direction"), choices=Direction.choices)
    party = PartyPicker(label=gettext_lazy("Party"), queryset=Party.objects.none())

    def __init__(self, company, *args, **kwargs):
        super().__init__(*args, **kwargs)
        direction = self.data.get("direction") if self.is_bound else None
        role = ROLE_OF.get(direction, PartyRole.ANY)
        self.fields["party"].queryset = parties_in_role(company, role)
        self.fields["party"].search = {"role": role}


class PaymentForm(TextOnly, forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"), max_digits=15, decimal_places=2, min_value=0, localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "num"}),
    )  # fmt: skip
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=Payment.Method.choices)
    bank_account = forms.ModelChoiceField(
        label=gettext_lazy("Bank account"), queryset=BankAccount.objects.none(), required=False,
        empty_label=gettext_lazy("(none: cash or offset)"),
    )  # fmt: skip
    reference = forms.CharField(label=pgettext_lazy("payment", "Reference"), max_length=140, required=False)
    keep_credit = forms.BooleanField(
        label=gettext_lazy("Keep the rest as the party's credit"), required=False,
        help_text=gettext_lazy("When the amount is more than the due amounts chosen."),
    )  # fmt: skip

    def __init__(self, company, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank_account"].queryset = BankAccount.objects.filter(company=company, active=True)


def _open_dues(company, party_id: int, direction: str) -> list[DueAmount]:
    return list(
        DueAmount.objects.filter(
            company=company, party_id=party_id, direction=direction, state__in=PAYABLE_STATES
        ).order_by("due_date", "pk")[:MAX_DUES_SHOWN]
    )


def _money(text: str) -> Decimal | None:
    """An amount typed the Spanish way (1.234,56) or the English way (1234.56)."""
    text = (text or "").strip()
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _due_rows(request: HttpRequest, dues: list[DueAmount], preselected: set[int]) -> tuple[list, list, list]:
    """Each open due amount with its tick and amount (as posted, else what it has left when preselected);
    the matches ticked, and the rows whose typed amount is not a number."""
    posted = request.method == "POST"
    ticked = {record_id(value) for value in request.POST.getlist("pick")} if posted else preselected
    matches, bad = [], []
    for due in dues:
        due.remaining_amount = due.amount - due.paid
        due.document_href = document_url(due.origin_model, due.origin_id)
        due.ticked = due.pk in ticked
        if posted:
            due.typed = request.POST.get(f"amount_{due.pk}", "").strip()[:20]
        else:
            due.typed = f"{due.remaining_amount:.2f}" if due.ticked else ""
        if due.ticked:
            value = _money(due.typed) if due.typed else due.remaining_amount
            if value is None:
                bad.append(due)
            else:
                matches.append(Match(due.pk, value))
    return dues, matches, bad


@page("payments.add_payment")
def payment_record(request: HttpRequest) -> HttpResponse:
    company = request.company
    source = request.POST if request.method == "POST" else request.GET
    chosen = source.get("direction") and (source.get("party") or source.get("party_search"))
    chooser = PartyChoiceForm(company, source if chosen else None)
    party = direction = None
    if chooser.is_bound and chooser.is_valid():
        party, direction = chooser.cleaned_data["party"], chooser.cleaned_data["direction"]
    context = {"chooser": chooser, "title": _("Record payment"), "party": party, "direction": direction}
    if party is None:
        context["initial_direction"] = source.get("direction") or Direction.RECEIVABLE
        return render(request, "payments/payment_record.html", context, status=422 if chooser.errors else 200)
    preselected = {record_id(value) for value in request.GET.getlist("due")} - {None}
    dues, matches, bad = _due_rows(request, _open_dues(company, party.pk, direction), preselected)
    bank_accounts = BankAccount.objects.filter(company=company, active=True)
    if request.method == "POST":
        form = PaymentForm(company, request.POST)
        for due in bad:
            form.add_error(
                None, _("The amount for %(document)s is not a number.") % {"document": due.origin_number}
            )
        if form.is_valid() and not bad:
            data = form.cleaned_data
            try:
                payment = services.payment_record(
                    company=company, by=request.user, direction=direction, party_id=party.pk, date=data["date"],
                    amount=data["amount"], method=data["method"],
                    bank_account_id=data["bank_account"].pk if data["bank_account"] else None,
                    allocations=matches, reference=data["reference"], keep_credit=data["keep_credit"],
                )  # fmt: skip
            except ValidationFailed as failure:
                apply_failure(form, failure)
            except DomainError as error:
                form.add_error(None, error.detail)
            else:
                messages.success(
                    request,
                    _("Payment %(number)s of %(amount)s recorded.")
                    % {"number": payment.number, "amount": f"{payment.amount:.2f}"},
                )
                return redirect("payments:payment_view", payment_id=payment.pk)
    else:
        chosen = sum((match.amount for match in matches), ZERO)
        form = PaymentForm(
            company,
            initial={
                "date": timezone.localdate(),
                "amount": chosen if chosen > 0 else None,
                "method": Payment.Method.TRANSFER,
                "bank_account": bank_accounts.first(),
            },
        )
    context.update(
        form=form,
        dues=dues,
        more_dues=len(dues) >= MAX_DUES_SHOWN,
        has_credit_notes=any(due.amount < 0 for due in dues),
        currency=dues[0].currency if dues else company.currency,
        dues_url=f"{reverse('payments:due_list')}?direction={direction}&party={party.pk}",
    )
    return render(request, "payments/payment_record.html", context, status=422 if form.errors else 200)


# A payment's page


def _entry_url(entry_id: int | None) -> str | None:
    if entry_id is None:
        return None
    try:
        return reverse("accounting:entry_detail", args=[entry_id])
    except NoReverseMatch:
        return None


@page("payments.view_payment")
def payment_view(request: HttpRequest, payment_id: int) -> HttpResponse:
    return _detail(request, services.payment_get(request.company, payment_id))


def _detail(request: HttpRequest, payment: Payment, credit_errors=(), status: int = 200) -> HttpResponse:
    allocations = list(Allocation.objects.filter(payment=payment).select_related("due").order_by("pk"))
    for allocation in allocations:
        allocation.document_href = document_url(allocation.due.origin_model, allocation.due.origin_id)
    unapplied = payment.amount - payment.applied
    posted = payment.state == Payment.State.POSTED
    credit_dues = []
    if posted and unapplied > 0 and request.user.has_perm("payments.add_payment"):
        credit_dues, _matches, _bad = _due_rows(
            request,
            [
                due
                for due in _open_dues(request.company, payment.party_id, payment.direction)
                if due.amount > 0
            ],
            set(),
        )
    context = {
        "payment": payment,
        "title": payment.number,
        "allocations": allocations,
        "unapplied": unapplied,
        "entry_url": _entry_url(payment.entry_id),
        "reversal_url": _entry_url(payment.reversal_entry_id),
        "can_reverse": posted and request.user.has_perm("payments.reverse_payment"),
        "credit_dues": credit_dues,
        "credit_errors": list(credit_errors),
        "today": timezone.localdate(),
        "panels": panels("document_panel", request, "payments.payment", payment),
        "party_href": reverse("parties:party_view", args=[payment.party_id])
        if request.user.has_perm("parties.view_party")
        else None,
    }
    return render(request, "payments/payment_detail.html", context, status=status)


@page("payments.reverse_payment")
@require_POST
def payment_reverse(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = services.payment_get(request.company, payment_id)
    day = None
    if request.POST.get("date"):
        try:
            day = forms.DateField().clean(request.POST["date"])
        except forms.ValidationError:
            messages.error(request, _("Enter a valid date."))
            return redirect("payments:payment_view", payment_id=payment.pk)
    try:
        services.payment_reverse(company=request.company, by=request.user, payment_id=payment.pk, date=day)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            _("Payment %(number)s reversed: what it paid is open again.") % {"number": payment.number},
        )
    return redirect("payments:payment_view", payment_id=payment.pk)


@page("payments.add_payment")
@require_POST
def payment_apply_credit(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = services.payment_get(request.company, payment_id)
    dues = [due for due in _open_dues(request.company, payment.party_id, payment.direction) if due.amount > 0]
    _dues, matches, bad = _due_rows(request, dues, set())
    errors = [
        _("The amount for %(document)s is not a number.") % {"document": due.origin_number} for due in bad
    ]
    if not errors:
        try:
            services.credit_apply(
                company=request.company, by=request.user, payment_id=payment.pk, allocations=matches
            )
        except DomainError as error:
            errors.append(error.detail)
        else:
            messages.success(request, _("The credit of %(number)s is applied.") % {"number": payment.number})
            return redirect("payments:payment_view", payment_id=payment.pk)
    return _detail(request, payment, errors, status=422)


payment = "<id:payment_id>"
urlpatterns = [
    path("payments/", payment_list, name="payment_list"),
    path("payments/new/", payment_record, name="payment_record"),
    path(f"payments/{payment}/", payment_view, name="payment_view"),
    path(f"payments/{payment}/reverse/", payment_reverse, name="payment_reverse"),
    path(f"payments/{payment}/apply-credit/", payment_apply_credit, name="payment_apply_credit"),
]
