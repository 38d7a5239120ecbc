"""Pages: the due amounts (receivable and payable tabs; filters party, state, due before a date, overdue only;
totals of what the filters keep), and the panel an invoice's or supplier invoice's page shows: its due
amounts, its payment status and its payments, with a link to record one."""

from datetime import date as Date
from decimal import Decimal

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from nexo.core.aggregates import MoneySum
from nexo.core.listing import Filter, ListPage, Sort
from nexo.core.modules import document_url
from nexo.core.permissions import page
from nexo.core.validation import record_id
from nexo.parties.models import Party
from nexo.payments.models import Direction, DueAmount, Payment
from nexo.payments.services.dues import INVOICE, OWED_STATES, PAYABLE_STATES, SUPPLIER_INVOICE, payment_status

ZERO = Decimal("0.00")
#: An invoice's payment status (the context tells Spanish the noun is feminine: factura).
STATUS_LABELS = {
    "paid": pgettext_lazy("invoice payment status", "Paid"),
    "partial": pgettext_lazy("invoice payment status", "Partially paid"),
    "unpaid": pgettext_lazy("invoice payment status", "Unpaid"),
}

DUE_LIST = ListPage(
    search=lambda word: Q(origin_number__icontains=word) | Q(party__name__icontains=word),
    sorts={
        "due_date": Sort(gettext_lazy("Due date"), ("due_date",)),
        "document": Sort(gettext_lazy("Document"), ("origin_number", "installment")),
        "party": Sort(gettext_lazy("Party"), ("party__name", "due_date")),
        "amount": Sort(gettext_lazy("Amount"), ("amount",)),
    },
    default_sort="due_date",
    filters=[
        Filter(
            "state",
            gettext_lazy("State"),
            [("owed", gettext_lazy("Still owed")), *DueAmount.State.choices],
            lambda value: Q(state__in=OWED_STATES) if value == "owed" else Q(state=value),
        ),
    ],
    per_page=100,
)


def _day(value: str) -> Date | None:
    try:
        return parse_date(value or "")
    except ValueError:  # a well-formed but impossible date (2026-02-30)
        return None


@page("payments.view_dueamount")
def due_list(request: HttpRequest) -> HttpResponse:
    direction = request.GET.get("direction", Direction.RECEIVABLE)
    if direction not in Direction.values:
        direction = Direction.RECEIVABLE
    today = timezone.localdate()
    dues = DueAmount.objects.filter(company=request.company, direction=direction).select_related("party")
    party = None
    party_id = record_id(request.GET.get("party"))
    if party_id is not None:
        party = Party.objects.filter(company=request.company, pk=party_id).only("pk", "name").first()
        dues = dues.filter(party_id=party.pk if party else 0)
    due_before = _day(request.GET.get("due_before", ""))
    if due_before is not None:
        dues = dues.filter(due_date__lt=due_before)
    overdue = request.GET.get("overdue") == "1"
    if overdue:
        dues = dues.filter(state__in=OWED_STATES, due_date__lt=today)
    listing = DUE_LIST.apply(request, dues)
    totals = listing.page.paginator.object_list.order_by().aggregate(
        amount=MoneySum("amount"), paid=MoneySum("paid")
    )
    amount, paid = totals["amount"] or ZERO, totals["paid"] or ZERO
    can_pay = request.user.has_perm("payments.add_payment")
    for due in listing.rows:
        due.remaining_amount = due.amount - due.paid
        due.is_overdue = due.state in OWED_STATES and due.due_date < today
        due.document_href = document_url(due.origin_model, due.origin_id)
        due.payable = can_pay and due.state in PAYABLE_STATES
    context = {
        "listing": listing,
        "title": _("Due amounts"),
        "search_hint": _("Document or party"),
        "results_template": "payments/dues_results.html",
        "direction": direction,
        "tabs": [(value, label) for value, label in Direction.choices],
        "party": party,
        "due_before": due_before,
        "overdue": overdue,
        "totals": {"amount": amount, "paid": paid, "remaining": amount - paid},
        "currency": request.company.currency,
        "record_url": reverse("payments:payment_record"),
    }
    template = (
        context["results_template"]
        if request.htmx and not request.htmx.boosted
        else "payments/dues_list.html"
    )
    return render(request, template, context)


urlpatterns = [path("dues/", due_list, name="due_list")]

PANEL_MODELS = {INVOICE: Direction.RECEIVABLE, SUPPLIER_INVOICE: Direction.PAYABLE}
DUE_FIELDS = ("id", "installment", "installments", "due_date", "amount", "paid", "state", "currency")
ALLOCATION_FIELDS = (
    "allocations__amount", "allocations__payment_id", "allocations__payment__number",
    "allocations__payment__date", "allocations__payment__method", "allocations__payment__state",
)  # fmt: skip


def document_panel(request: HttpRequest, model_label: str, document) -> dict | None:
    """A posted invoice's (or supplier invoice's) due amounts, payment status and payments, for its page;
    one query whatever their number. None for other documents, drafts, or a user who may not see them."""
    if model_label not in PANEL_MODELS or not request.user.has_perm("payments.view_dueamount"):
        return None
    # One query: each due amount joined to its allocations and their payments (a row per allocation).
    rows = (
        DueAmount.objects.filter(company=request.company, origin_model=model_label, origin_id=document.pk)
        .order_by("installment", "pk", "allocations__payment__date", "allocations__pk")
        .values(*DUE_FIELDS, *ALLOCATION_FIELDS)
    )
    dues_by_id: dict[int, DueAmount] = {}
    payments: dict[int, dict] = {}
    for row in rows:
        if row["id"] not in dues_by_id:
            dues_by_id[row["id"]] = DueAmount(**{name: row[name] for name in DUE_FIELDS})
        payment_id = row["allocations__payment_id"]
        if payment_id is not None:
            found = payments.setdefault(
                payment_id,
                {
                    "payment": Payment(
                        pk=payment_id,
                        number=row["allocations__payment__number"],
                        date=row["allocations__payment__date"],
                        method=row["allocations__payment__method"],
                        state=row["allocations__payment__state"],
                    ),
                    "amount": ZERO,
                },
            )
            found["amount"] += row["allocations__amount"]
    dues = list(dues_by_id.values())
    if not dues:
        return None
    today = timezone.localdate()
    for due in dues:
        due.remaining_amount = due.amount - due.paid
        due.is_overdue = due.state in OWED_STATES and due.due_date < today
    status = payment_status(dues)
    open_ids = [due.pk for due in dues if due.state in PAYABLE_STATES]
    record_url = None
    if open_ids and request.user.has_perm("payments.add_payment"):
        query = "&".join(f"due={pk}" for pk in open_ids)
        record_url = (
            f"{reverse('payments:payment_record')}?direction={PANEL_MODELS[model_label]}"
            f"&party={document.party_id}&{query}"
        )
    return {
        "template": "payments/_document_panel.html",
        "dues": dues,
        "payments": [
            {**row, "href": reverse("payments:payment_view", args=[row["payment"].pk])}
            for row in payments.values()
        ],
        "status": status,
        "status_label": STATUS_LABELS.get(status, ""),
        "record_url": record_url,
        "currency": dues[0].currency,
        "remaining": sum((due.remaining_amount for due in dues), ZERO),
        "total": sum((due.amount for due in dues), ZERO),
        "paid": sum((due.paid for due in dues), ZERO),
        "reversed": Payment.State.REVERSED,
    }
