"""A party's 360° view: its figures (what it owes and how much of it is overdue, its credit, what it has bought
and earned us, its pipeline, its next activity) and one timeline of everything done with it, newest first.

The figures are the other modules' own: the open balance, the overdue amount, the credit limit and the credit
left are the payments module's position (`payments.services.position.position`), the very figures its panel on
the party's page shows. Each figure and each kind of record is read only for a user who may see that data
(FIGURE_PERMISSIONS, KIND_PERMISSIONS), and through the modules' visibility rules: a salesperson sees the
opportunities, activities, quotations, orders and delivery notes that are theirs. Without a user (a benchmark,
a command) everything is read.

A constant number of queries whatever the party's history: the party, five for the position, one for the sales
figures, one for the pipeline, one for the next activity, and one per kind of the timeline, each cut to its
newest `timeline_limit` rows before they are merged (about seventeen in all, fewer when a kind is chosen)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from nexo.core.aggregates import MoneySum
from nexo.core.errors import NotFound
from nexo.core.models import Company, User
from nexo.core.rules import round_money
from nexo.crm import queries as crm_queries
from nexo.crm import rules as crm_rules
from nexo.crm.models import Activity, Opportunity
from nexo.invoicing.models import Invoice, SupplierInvoice
from nexo.parties.models import Party
from nexo.payments.models import Direction, Payment, Reminder
from nexo.payments.services import position as payments_position
from nexo.purchasing import queries as purchasing_queries
from nexo.purchasing.models import PurchaseOrder
from nexo.sales import queries as sales_queries
from nexo.sales.models import Delivery, Quotation, SalesOrder

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
#: The most items a timeline may be asked for (the page shows the default, the API takes up to this).
MAX_TIMELINE = 200
DEFAULT_TIMELINE = 50

ACTIVITY, OPPORTUNITY, QUOTATION, ORDER, DELIVERY, INVOICE, PAYMENT, REMINDER = (
    "activity", "opportunity", "quotation", "order", "delivery", "invoice", "payment", "reminder",
)  # fmt: skip
PURCHASE_ORDER, SUPPLIER_INVOICE = "purchase_order", "supplier_invoice"
#: The kinds of the timeline, in the order a sale goes through them (and the filters show them), then what
#: is bought from the party when it is a supplier too. On one day the later step comes first in the timeline,
#: which reads newest first.
KINDS = (ACTIVITY, OPPORTUNITY, QUOTATION, ORDER, DELIVERY, INVOICE, PAYMENT, REMINDER, PURCHASE_ORDER,
         SUPPLIER_INVOICE)  # fmt: skip
KIND_LABELS = {
    ACTIVITY: gettext_lazy("Activities"), OPPORTUNITY: gettext_lazy("Opportunities"),
    QUOTATION: gettext_lazy("Quotations"), ORDER: gettext_lazy("Sales orders"),
    DELIVERY: gettext_lazy("Delivery notes"), INVOICE: gettext_lazy("Invoices and credit notes"),
    PAYMENT: gettext_lazy("Payments"), REMINDER: gettext_lazy("Reminders"),
    PURCHASE_ORDER: gettext_lazy("Purchase orders"), SUPPLIER_INVOICE: gettext_lazy("Supplier invoices"),
}  # fmt: skip
KIND_PERMISSIONS = {
    ACTIVITY: "crm.view_activity", OPPORTUNITY: "crm.view_opportunity", QUOTATION: "sales.view_quotation",
    ORDER: "sales.view_salesorder", DELIVERY: "sales.view_delivery", INVOICE: "invoicing.view_invoice",
    PAYMENT: "payments.view_payment", REMINDER: "payments.view_reminder",
    PURCHASE_ORDER: "purchasing.view_purchaseorder", SUPPLIER_INVOICE: "invoicing.view_supplierinvoice",
}  # fmt: skip
#: Who sees each figure: balances as the payments panel shows them (salespeople too: their role sees due
#: amounts); margins as the margin dashboard does.
FIGURE_PERMISSIONS = {
    "balance": ("payments.view_dueamount",),
    "revenue": ("invoicing.view_invoice",),
    "margin": ("invoicing.view_invoice", "insight.view_margin_dashboard"),
    "pipeline": ("crm.view_opportunity",),
    "next_activity": ("crm.view_activity",),
}
#: The document flow's name for each kind that has one (`/insight/flow/<type>/<id>/`).
FLOW_TYPES = {
    OPPORTUNITY: "opportunity", QUOTATION: "quotation", ORDER: "order", DELIVERY: "delivery", INVOICE: "invoice",
    PAYMENT: "payment", PURCHASE_ORDER: "purchase-order", SUPPLIER_INVOICE: "supplier-invoice",
}  # fmt: skip


def flow_url(kind: str, record_id: int) -> str | None:
    """The document flow of a timeline item, when its kind has one and the flow pages are installed."""
    flow_type = FLOW_TYPES.get(kind)
    if flow_type is None:
        return None
    try:
        return reverse("insight:flow", args=[flow_type, record_id])
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class TimelineItem:
    """One record on the timeline: its day, kind, what it is (`label`), number (or title), state, amount and
    page; `detail` says more where that is not enough (an order's delivery and invoicing, a payment made rather
    than received)."""

    date: Date
    kind: str
    record_id: int
    label: str  # what the record is: a call, a quotation, a credit note, a return
    number: str
    state: str
    state_label: str
    amount: Decimal | None
    currency: str
    url: str | None
    detail: str = ""

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def flow_url(self) -> str | None:
        return flow_url(self.kind, self.record_id)

    @property
    def sort_key(self) -> tuple:
        return (self.date, KINDS.index(self.kind), self.record_id)


@dataclass(frozen=True)
class Balance:
    """What the party owes today, as the payments module's position has it, and its credit."""

    open_balance: Decimal
    overdue: Decimal
    overdue_count: int
    credit_limit: Decimal | None  # None: no limit
    available_credit: Decimal | None
    over_limit: bool


@dataclass(frozen=True)
class SalesFigures:
    """What the party has been invoiced in all (posted invoices less credit notes, untaxed) and the margin it
    left (None: the user may not see margins)."""

    revenue: Decimal
    margin: Decimal | None

    @property
    def margin_percent(self) -> Decimal | None:
        if self.margin is None or not self.revenue:
            return None
        return round_money(self.margin * HUNDRED / self.revenue)


@dataclass(frozen=True)
class Pipeline:
    """The party's open opportunities: how many, their expected amounts, and those weighted by probability."""

    open_count: int
    open_amount: Decimal
    weighted_amount: Decimal


@dataclass(frozen=True)
class NextActivity:
    record_id: int
    kind: str
    kind_label: str
    subject: str
    due_at: datetime
    overdue: bool
    url: str | None


@dataclass(frozen=True)
class PartyOverview:
    """The party, its figures (None: not shown to this user; `next_activity` None also when none is pending:
    `shown` names the figures the user may see) and its timeline of the `kinds` the user may see."""

    party: Party
    currency: str
    today: Date
    shown: frozenset[str]
    balance: Balance | None
    sales: SalesFigures | None
    pipeline: Pipeline | None
    next_activity: NextActivity | None
    kinds: tuple[str, ...]
    timeline: tuple[TimelineItem, ...]


def _may(user: User | None, permissions: Iterable[str]) -> bool:
    return user is None or user.has_perms(tuple(permissions))


def visible_kinds(user: User | None) -> tuple[str, ...]:
    """The kinds of record the user may see on a timeline."""
    return tuple(kind for kind in KINDS if _may(user, (KIND_PERMISSIONS[kind],)))


def party_of(company: Company, party_id: int) -> Party:
    """The company's party, else 404 (another company's is as unknown as one that never was)."""
    party = Party.objects.filter(company=company, pk=party_id).defer("search_text").first()
    if party is None:
        raise NotFound(_("No such party."))
    return party


# The figures


def _balance(company: Company, party_id: int, today: Date) -> Balance:
    seen = payments_position.position(company, party_id, at=today)
    return Balance(
        open_balance=seen.open_balance, overdue=seen.overdue, overdue_count=seen.overdue_count,
        credit_limit=seen.credit_limit, available_credit=seen.available_credit, over_limit=seen.over_limit,
    )  # fmt: skip


def _sales_figures(company: Company, party_id: int, *, with_margin: bool) -> SalesFigures:
    """Lifetime revenue and margin from the posted invoices and credit notes (one query).

    Revenue is the sum of their taxable bases: a credit note's is negative, so it nets what it takes back;
    customer invoices are in the company's currency (quotations, and so orders and invoices, are for now).
    The margin is that revenue less the cost of goods the same documents carry: posting an invoice line keeps
    the cost of what it bills (the delivered goods' valuation cost, a service's quoted cost) and a credit
    note gives back its share. It is read from the invoices rather than from the orders' realised margin
    (`sales.margins`) because the invoices are where the revenue is: both figures then cover the same
    documents and the same days (invoices without an order, credit notes by amount included), and one
    aggregate reads them. Drafts and cancelled invoices count for nothing."""
    sums = Invoice.objects.filter(company=company, party_id=party_id, state=Invoice.State.POSTED).aggregate(
        revenue=MoneySum("base"), cost=MoneySum("cost")
    )
    revenue = sums["revenue"] or ZERO
    return SalesFigures(revenue=revenue, margin=revenue - (sums["cost"] or ZERO) if with_margin else None)


def _opportunities(user: User | None, company: Company) -> QuerySet[Opportunity]:
    if user is None:
        return Opportunity.objects.filter(company=company)
    return crm_queries.opportunities_visible_to(user, company)


def _activities(user: User | None, company: Company, party_id: int) -> QuerySet[Activity]:
    queryset = (
        Activity.objects.filter(company=company)
        if user is None
        else crm_queries.activities_visible_to(user, company)
    )
    return queryset.filter(Q(party_id=party_id) | Q(opportunity__party_id=party_id))


def _pipeline(user: User | None, company: Company, party_id: int) -> Pipeline:
    """Open opportunities summed per probability in the database (one query, exact to the cent), weighted
    here and rounded once, as the CRM's forecast rounds."""
    rows = (
        _opportunities(user, company)
        .filter(party_id=party_id, status=Opportunity.Status.OPEN)
        .values("probability")
        .annotate(count=Count("pk"), amount=MoneySum("amount"))
        .order_by()
    )
    count, amount, weighted = 0, ZERO, Decimal(0)
    for row in rows:
        count += row["count"]
        amount += row["amount"] or ZERO
        weighted += crm_rules.weighted(row["amount"] or ZERO, row["probability"])
    return Pipeline(open_count=count, open_amount=amount, weighted_amount=round_money(weighted))


def _activity_url(user: User | None, record: dict) -> str | None:
    """An activity has no page of its own: its opportunity's, else its form for who may change it."""
    if record["opportunity_id"]:
        return reverse("crm:opportunity_view", args=[record["opportunity_id"]])
    if _may(user, ("crm.change_activity",)):
        return reverse("crm:activity_edit", args=[record["pk"]])
    return None


def _next_activity(user: User | None, company: Company, party_id: int, now: datetime) -> NextActivity | None:
    found = (
        _activities(user, company, party_id)
        .filter(done=False)
        .order_by("due_at", "id")
        .values("pk", "kind", "subject", "due_at", "opportunity_id")
        .first()
    )
    if found is None:
        return None
    return NextActivity(
        record_id=found["pk"], kind=found["kind"], kind_label=str(Activity.Kind(found["kind"]).label),
        subject=found["subject"], due_at=found["due_at"], overdue=found["due_at"] < now,
        url=_activity_url(user, found),
    )  # fmt: skip


# The timeline: one reader per kind, each one query of the newest `limit` rows


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value))


def _local_day(instant: datetime) -> Date:
    return timezone.localdate(instant) if timezone.is_aware(instant) else instant.date()


def _activity_items(user, company, party_id, limit, now) -> list[TimelineItem]:
    rows = (
        _activities(user, company, party_id)
        .order_by("-due_at", "-id")
        .values("pk", "kind", "subject", "due_at", "done", "opportunity_id")[:limit]
    )
    items = []
    for row in rows:
        state = "done" if row["done"] else "overdue" if row["due_at"] < now else "planned"
        label = {
            "done": pgettext("activity", "Done"), "overdue": pgettext("activity", "Overdue"),
            "planned": pgettext("activity", "Planned"),
        }[state]  # fmt: skip
        items.append(
            TimelineItem(
                date=_local_day(row["due_at"]), kind=ACTIVITY, record_id=row["pk"],
                label=_label(Activity.Kind.choices, row["kind"]), number=row["subject"], state=state,
                state_label=label, amount=None, currency=company.currency, url=_activity_url(user, row),
            )
        )  # fmt: skip
    return items


def _opportunity_items(user, company, party_id, limit, now) -> list[TimelineItem]:
    rows = (
        _opportunities(user, company)
        .filter(party_id=party_id)
        .order_by("-created_at", "-id")
        .values("pk", "title", "status", "stage__name", "amount", "created_at")[:limit]
    )
    items = []
    for row in rows:
        items.append(TimelineItem(
            date=_local_day(row["created_at"]), kind=OPPORTUNITY, record_id=row["pk"], label=_("Opportunity"),
            number=row["title"],
            state=row["status"], state_label=row["stage__name"], amount=row["amount"], currency=company.currency,
            url=reverse("crm:opportunity_view", args=[row["pk"]]),
            detail=_label(Opportunity.Status.choices, row["status"]),
        ))  # fmt: skip
    return items


def _quotations(user, company):
    return (
        Quotation.objects.filter(company=company)
        if user is None
        else sales_queries.quotations_visible_to(user, company)
    )


def _orders(user, company):
    return (
        SalesOrder.objects.filter(company=company)
        if user is None
        else sales_queries.orders_visible_to(user, company)
    )


def _quotation_items(user, company, party_id, limit, now) -> list[TimelineItem]:
    rows = (
        _quotations(user, company)
        .filter(party_id=party_id)
        .order_by("-date", "-id")
        .values("pk", "number", "version", "state", "total", "currency", "date")[:limit]
    )
    items = []
    for row in rows:
        items.append(TimelineItem(
            date=row["date"], kind=QUOTATION, record_id=row["pk"], label=_("Quotation"),
            number=row["number"] if row["version"] == 1 else f"{row['number']} v{row['version']}",
            state=row["state"], state_label=_label(Quotation.State.choices, row["state"]), amount=row["total"],
            currency=row["currency"], url=reverse("sales:quotation_view", args=[row["pk"]]),
        ))  # fmt: skip
    return items


def _order_items(user, company, party_id, limit, now) -> list[TimelineItem]:
    rows = (
        _orders(user, company)
        .filter(party_id=party_id)
        .order_by("-date", "-id")
        .values("pk", "number", "state", "delivery_state", "invoice_state", "total", "currency", "date")[
            :limit
        ]
    )
    items = []
    for row in rows:
        items.append(TimelineItem(
            date=row["date"], kind=ORDER, record_id=row["pk"], label=_("Sales order"), number=row["number"],
            state=row["state"],
            state_label=_label(SalesOrder.State.choices, row["state"]), amount=row["total"],
            currency=row["currency"], url=reverse("sales:order_view", args=[row["pk"]]),
            detail=" · ".join((
                _label(SalesOrder.DeliveryState.choices, row["delivery_state"]),
                _label(SalesOrder.InvoiceState.choices, row["invoice_state"]),
            )),
        ))  # fmt: skip
    return items


def _delivery_items(user, company, party_id, limit, now) -> list[TimelineItem]:
    queryset = (
        Delivery.objects.filter(company=company)
        if user is None
        else sales_queries.deliveries_visible_to(user, company)
    )
    rows = (
        queryset.filter(party_id=party_id)
        .order_by("-date", "-id")
        .values("pk", "number", "kind", "state", "date")[:limit]
    )
    items = []
    for row in rows:
        items.append(TimelineItem(
            date=row["date"], kind=DELIVERY, record_id=row["pk"],
            label=_("Return") if row["kind"] == Delivery.Kind.RETURN else _("Delivery note"),
            number=row["number"], state=row["state"], state_label=_label(Delivery.State.choices, row["state"]),
            amount=None, currency=company.currency, url=reverse("sales:delivery_view", args=[row["pk"]]),
        ))  # fmt: skip
    return items


def _invoice_items(user, company, party_id, limit, now) -> list[TimelineItem]:
    rows = (
        Invoice.objects.filter(company=company, party_id=party_id)
        .order_by("-date", "-id")
        .values("pk", "number", "kind", "state", "total", "currency", "date")[:limit]
    )
    items = []
    for row in rows:
        items.append(TimelineItem(
            date=row["date"], kind=INVOICE, record_id=row["pk"], label=_label(Invoice.Kind.choices, row["kind"]),
            number=row["number"] or _("Draft"), state=row["state"],
            state_label=_label(Invoice.State.choices, row["state"]), amount=row["total"], currency=row["currency"],
            url=reverse("invoicing:invoice_view", args=[row["pk"]]),
        ))  # fmt: skip
    return items


def _payment_items(user, company, party_id, limit, now) -> list[TimelineItem]:
    rows = (
        Payment.objects.filter(company=company, party_id=party_id)
        .order_by("-date", "-id")
        .values("pk", "number", "direction", "method", "state", "amount", "currency", "date")[:limit]
    )
    items = []
    for row in rows:
        items.append(TimelineItem(
            date=row["date"], kind=PAYMENT, record_id=row["pk"], label=_("Payment"), number=row["number"],
            state=row["state"],
            state_label=_label(Payment.State.choices, row["state"]), amount=row["amount"],
            currency=row["currency"], url=reverse("payments:payment_view", args=[row["pk"]]),
            detail=" · ".join((
                _("Received") if row["direction"] == Direction.RECEIVABLE else _("Paid out"),
                _label(Payment.Method.choices, row["method"]),
            )),
        ))  # fmt: skip
    return items


def _reminder_items(user, company, party_id, limit, now) -> list[TimelineItem]:
    rows = (
        Reminder.objects.filter(company=company, due__party_id=party_id)
        .order_by("-date", "-id")
        .values(
            "pk", "level", "date", "due_id", "due__origin_number", "due__installment", "due__installments",
            "due__amount", "due__currency",
        )[:limit]
    )  # fmt: skip
    items = []
    for row in rows:
        number = row["due__origin_number"]
        if row["due__installments"] > 1:
            number = f"{number} {row['due__installment']}/{row['due__installments']}"
        items.append(
            TimelineItem(
                date=row["date"], kind=REMINDER, record_id=row["pk"], label=_("Reminder"), number=number,
                state=str(row["level"]),
                state_label=_label(Reminder.Level.choices, row["level"]), amount=row["due__amount"],
                currency=row["due__currency"], url=reverse("payments:due_reminders", args=[row["due_id"]]),
            )
        )  # fmt: skip
    return items


def _purchase_order_items(user, company, party_id, limit, now) -> list[TimelineItem]:
    """The orders placed with the party as a supplier, each with its total (one more query for the totals of
    the orders shown, purchase orders keep none)."""
    rows = list(
        PurchaseOrder.objects.filter(company=company, supplier_id=party_id)
        .order_by("-date", "-id")
        .values("pk", "number", "state", "currency", "date")[:limit]
    )
    totals = purchasing_queries.order_totals([row["pk"] for row in rows]) if rows else {}
    items = []
    for row in rows:
        items.append(TimelineItem(
            date=row["date"], kind=PURCHASE_ORDER, record_id=row["pk"], label=_("Purchase order"),
            number=row["number"] or _("Draft"), state=row["state"],
            state_label=_label(PurchaseOrder.State.choices, row["state"]), amount=round_money(totals[row["pk"]]),
            currency=row["currency"], url=reverse("purchasing:order_view", args=[row["pk"]]),
        ))  # fmt: skip
    return items


def _supplier_invoice_items(user, company, party_id, limit, now) -> list[TimelineItem]:
    rows = (
        SupplierInvoice.objects.filter(company=company, party_id=party_id)
        .order_by("-date", "-id")
        .values("pk", "number", "supplier_number", "state", "total", "currency", "date")[:limit]
    )
    items = []
    for row in rows:
        items.append(TimelineItem(
            date=row["date"], kind=SUPPLIER_INVOICE, record_id=row["pk"], label=_("Supplier invoice"),
            number=row["number"] or row["supplier_number"], state=row["state"],
            state_label=_label(SupplierInvoice.State.choices, row["state"]), amount=row["total"],
            currency=row["currency"], url=reverse("invoicing:supplier_invoice_view", args=[row["pk"]]),
            detail=row["supplier_number"],
        ))  # fmt: skip
    return items


READERS: dict[str, Callable[..., list[TimelineItem]]] = {
    ACTIVITY: _activity_items, OPPORTUNITY: _opportunity_items, QUOTATION: _quotation_items, ORDER: _order_items,
    DELIVERY: _delivery_items, INVOICE: _invoice_items, PAYMENT: _payment_items, REMINDER: _reminder_items,
    PURCHASE_ORDER: _purchase_order_items, SUPPLIER_INVOICE: _supplier_invoice_items,
}  # fmt: skip


def timeline(
    company: Company,
    party_id: int,
    *,
    user: User | None = None,
    kinds: Iterable[str] | None = None,
    limit: int = DEFAULT_TIMELINE,
    now: datetime | None = None,
) -> list[TimelineItem]:
    """The party's newest `limit` records of the `kinds` asked (all by default) that the user may see, newest
    first: one query per kind."""
    now = now or timezone.now()
    limit = max(1, min(limit, MAX_TIMELINE))
    allowed = visible_kinds(user)
    wanted = [kind for kind in (kinds or KINDS) if kind in allowed]
    items = [item for kind in wanted for item in READERS[kind](user, company, party_id, limit, now)]
    items.sort(key=lambda item: item.sort_key, reverse=True)
    return items[:limit]


def party_overview(
    company: Company,
    party_id: int,
    *,
    user: User | None = None,
    today: Date | None = None,
    timeline_limit: int = DEFAULT_TIMELINE,
    kinds: Iterable[str] | None = None,
) -> PartyOverview:
    """The party's figures and timeline as `user` may see them (everything without a user); 404 for a party
    of another company. `kinds` narrows the timeline (the page's filter); the figures stay whole."""
    party = party_of(company, party_id)
    now = timezone.now()
    today = today or timezone.localdate()
    shown = frozenset(name for name, perms in FIGURE_PERMISSIONS.items() if _may(user, perms))
    revenue_shown = "revenue" in shown
    return PartyOverview(
        party=party,
        currency=company.currency,
        today=today,
        shown=shown,
        balance=_balance(company, party.pk, today) if "balance" in shown else None,
        sales=(_sales_figures(company, party.pk, with_margin="margin" in shown) if revenue_shown else None),
        pipeline=_pipeline(user, company, party.pk) if "pipeline" in shown else None,
        next_activity=_next_activity(user, company, party.pk, now) if "next_activity" in shown else None,
        kinds=visible_kinds(user),
        timeline=tuple(timeline(company, party.pk, user=user, kinds=kinds, limit=timeline_limit, now=now)),
    )


__all__ = [
    "FIGURE_PERMISSIONS",
    "KINDS",
    "KIND_LABELS",
    "KIND_PERMISSIONS",
    "MAX_TIMELINE",
    "Balance",
    "NextActivity",
    "PartyOverview",
    "Pipeline",
    "SalesFigures",
    "TimelineItem",
    "flow_url",
    "party_of",
    "party_overview",
    "timeline",
    "visible_kinds",
]
