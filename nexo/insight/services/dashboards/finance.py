"""The finance dashboard: the receivables' aging at the period's end, the customers most overdue then, the
cash collected month by month and the days sales outstanding (DSO).

The aging and the overdue amounts are the payments module's aging report at the period's end
(`payments.services.aging.aging`, one statement); the months come from three grouped sums of the period's
due amounts, receipts and reversals. Four queries whatever the number of documents.

What the customers owed at the end of each month is rolled back from what they owed at the period's end
(the aging's total): a month ends owing what the next one ends owing less the next month's change — the due
amounts its invoices and credit notes left, less the receipts dated in it, plus the receipts reversed in it.
That is how the aging counts them (a receipt counts from its date until its reversal's), so the rolled-back
balances are the aging's at each month end (the tests check it)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.core.formatting import day_text, money, number
from nexo.core.models import Company
from nexo.core.rules import round_money
from nexo.insight.charts import Series, bar_chart, line_chart
from nexo.insight.services.dashboards import DAYS, MONEY, TEXT, Cell, Filters, Panel
from nexo.insight.services.dashboards.months import Month, month_key, months_of
from nexo.payments.models import Direction, DueAmount, Payment
from nexo.payments.services.aging import AgingReport, aging
from nexo.payments.views.aging import BUCKET_LABELS

ZERO = Decimal("0.00")
#: Customers named in the overdue panel; the rest add up as one "other customers" row.
TOP_CUSTOMERS = 10
DSO_PLACES = 1


def build(company: Company, filters: Filters) -> list[Panel]:
    # What is owed at a day still to come is not known yet: a period reaching past today ends today.
    end = min(filters.date_to, timezone.localdate())
    report = aging(company, at=end, direction=Direction.RECEIVABLE)
    months = months_of(filters.date_from, end)
    flows = monthly_flows(company, filters.date_from, end)
    panels = [
        receivables_aging(company, report),
        overdue_by_customer(company, report),
        cash_collected(company, months, flows),
        days_sales_outstanding(company, filters.date_from, end, months, flows, report.total.total),
    ]
    ignored = _ignored(filters)
    for panel in panels:
        panel.note = " ".join(part for part in (panel.note, ignored) if part)
    return panels


def _ignored(filters: Filters) -> str:
    if filters.salesperson_id and filters.category_id:
        return _("Receivables and collections are the whole company's: the salesperson and category filters do not apply here.")  # fmt: skip
    if filters.salesperson_id:
        return _("Receivables and collections are the whole company's: the salesperson filter does not apply here.")  # fmt: skip
    if filters.category_id:
        return _("Receivables and collections are the whole company's: the category filter does not apply here.")  # fmt: skip
    return ""


def _money_format(company: Company):
    return lambda value: money(value, company.currency)


# The pure arithmetic


def dso(receivables: Decimal, credit_sales: Decimal, days: int) -> Decimal | None:
    """Days sales outstanding = receivables / credit sales x days, to one decimal; none without credit sales
    (a period that sold nothing on credit, or more credit notes than invoices, has no such figure)."""
    if credit_sales <= 0 or days <= 0:
        return None
    return round_money(receivables * days / credit_sales, DSO_PLACES)


def balances_rolled_back(closing: Decimal, changes: list[Decimal]) -> list[Decimal]:
    """Each month's closing balance, from the last month's (`closing`) and each month's change: a month
    closes at what the next one closes at less the next one's change."""
    balances = [closing] if changes else []
    for change in reversed(changes[1:]):
        balances.append(balances[-1] - change)
    return balances[::-1]


# The aging at the period's end


def receivables_aging(company: Company, report: AgingReport) -> Panel:
    total = report.total
    rows: list[list[Cell]] = [
        [str(label), amount] for label, amount in zip(BUCKET_LABELS, total.buckets, strict=True)
    ]
    rows.append([_("Unapplied credits"), total.credits])
    rows.append([_("Total"), total.total])
    title = _("Receivables aging")
    chart = bar_chart(
        title=title, categories=[str(label) for label in BUCKET_LABELS],
        series=[Series(_("Receivable"), list(total.buckets))], value_format=_money_format(company),
        empty_text=_("No data"),
    )  # fmt: skip
    note = _(
        "What the customers owed at the end of %(day)s, by days past the due date (the aging report);"
        " receipts not matched to an invoice are the unapplied credits."
    ) % {"day": day_text(report.at)}
    return Panel(
        key="aging",
        title=title,
        columns=[_("Days overdue"), _("Amount")],
        kinds=[TEXT, MONEY],
        rows=rows,
        chart=chart,
        note=note,
        figures={_("Receivables"): total.total, _("Overdue amount"): total.overdue},
    )


def overdue_by_customer(company: Company, report: AgingReport) -> Panel:
    """The customers with the most overdue at the period's end, each by bucket; the others summed."""
    late = sorted(
        (row for row in report.rows if row.overdue > 0),
        key=lambda row: (-row.overdue, row.party_name, row.party_id),
    )
    named, others = late[:TOP_CUSTOMERS], late[TOP_CUSTOMERS:]
    if len(others) == 1:  # one customer is shown by name rather than as "1 other"
        named, others = late, []
    lines = [(row.party_name, row.buckets[1:]) for row in named]
    if others:
        summed = [sum((row.buckets[index] for row in others), ZERO) for index in range(1, len(BUCKET_LABELS))]
        lines.append((_("Other customers (%(count)s)") % {"count": len(others)}, summed))
    rows: list[list[Cell]] = [[name, *buckets, sum(buckets, ZERO)] for name, buckets in lines]
    title = _("Overdue by customer")
    overdue_labels = [str(label) for label in BUCKET_LABELS[1:]]
    chart = bar_chart(
        title=title, categories=[name for name, _buckets in lines],
        series=[
            Series(label, [buckets[index] for _name, buckets in lines]) for index, label in enumerate(overdue_labels)
        ],
        value_format=_money_format(company), horizontal=True, stacked=True,
        empty_text=_("Nothing overdue at that date."),
    )  # fmt: skip
    return Panel(
        key="overdue_by_customer",
        title=title,
        columns=[_("Customer"), *overdue_labels, _("Overdue amount")],
        kinds=[TEXT, *(MONEY for _label in overdue_labels), MONEY],
        rows=rows,
        chart=chart,
        note=_("What each customer had overdue at the end of %(day)s, the most first.")
        % {"day": day_text(report.at)},
        figures={_("Customers with overdue amounts"): len(late)},
    )


# The months: credit sales, receipts, reversals


@dataclass
class Flows:
    """Per month (its first day): the due amounts the invoices and credit notes dated in it left (credit
    sales), the receipts dated in it, and the receipts reversed in it (by their reversal's date)."""

    credit_sales: dict[Date, Decimal]
    received: dict[Date, Decimal]
    reversed: dict[Date, Decimal]

    def collected(self, month: Date) -> Decimal:
        return self.received[month] - self.reversed[month]

    def change(self, month: Date) -> Decimal:
        """How much more the customers owed at the month's end than at its start."""
        return self.credit_sales[month] - self.collected(month)


def _by_month(rows, month_field: str, amount_field: str) -> dict[Date, Decimal]:
    grouped = rows.annotate(month=TruncMonth(month_field)).values("month").annotate(total=Sum(amount_field))
    sums: dict[Date, Decimal] = defaultdict(lambda: ZERO)
    for row in grouped.order_by():
        sums[month_key(row["month"])] += round_money(row["total"])  # SQLite sums decimals as floats
    return sums


def monthly_flows(company: Company, date_from: Date, date_to: Date) -> Flows:
    """Three grouped queries. An offset (a credit note set against invoices) moves no money and is left out:
    its amount is zero."""
    dues = DueAmount.objects.filter(
        company=company,
        direction=Direction.RECEIVABLE,
        document_date__gte=date_from,
        document_date__lte=date_to,
    )
    receipts = Payment.objects.filter(company=company, direction=Direction.RECEIVABLE).exclude(
        method=Payment.Method.OFFSET
    )
    received = receipts.filter(date__gte=date_from, date__lte=date_to)
    reversed_ = receipts.filter(reversal_entry__date__gte=date_from, reversal_entry__date__lte=date_to)
    return Flows(
        credit_sales=_by_month(dues, "document_date", "amount"),
        received=_by_month(received, "date", "amount"),
        reversed=_by_month(reversed_, "reversal_entry__date", "amount"),
    )


def cash_collected(company: Company, months: list[Month], flows: Flows) -> Panel:
    rows: list[list[Cell]] = [
        [month.label, flows.received[month.first], flows.reversed[month.first], flows.collected(month.first)]
        for month in months
    ]
    title = _("Cash collected by month")
    chart = bar_chart(
        title=title, categories=[month.label for month in months],
        series=[Series(_("Net collected"), [flows.collected(month.first) for month in months])],
        value_format=_money_format(company), empty_text=_("No data"),
    )  # fmt: skip
    return Panel(
        key="cash_collected",
        title=title,
        columns=[_("Month"), _("Received"), _("Reversed"), _("Net collected")],
        kinds=[TEXT, MONEY, MONEY, MONEY],
        rows=rows,
        chart=chart,
        note=_(
            "Customers' payments dated in each month (transfers, cash, cards, direct debits), less the payments"
            " reversed or returned by the bank in it."
        ),
        figures={_("Collected in the period"): sum((flows.collected(month.first) for month in months), ZERO)},
    )


# Days sales outstanding


def days_sales_outstanding(
    company: Company, date_from: Date, date_to: Date, months: list[Month], flows: Flows, receivables: Decimal
) -> Panel:
    balances = balances_rolled_back(receivables, [flows.change(month.first) for month in months])
    rows: list[list[Cell]] = []
    charted: list[tuple[str, Decimal]] = []
    for month, balance in zip(months, balances, strict=True):
        figure = dso(balance, flows.credit_sales[month.first], month.days)
        rows.append([month.label, flows.credit_sales[month.first], balance, month.days, figure])
        if figure is not None:
            charted.append((month.label, figure))
    days = (date_to - date_from).days + 1
    credit_sales = sum((flows.credit_sales[month.first] for month in months), ZERO)
    title = _("Days sales outstanding")
    chart = line_chart(
        title=title, categories=[label for label, _figure in charted],
        series=[Series(_("DSO (days)"), [figure for _label, figure in charted])],
        value_format=lambda value: number(value, DSO_PLACES), empty_text=_("No credit sales in the period."),
    )  # fmt: skip
    return Panel(
        key="dso",
        title=title,
        columns=[
            _("Month"),
            _("Credit sales"),
            _("Receivables at the month's end"),
            _("Days"),
            _("DSO (days)"),
        ],
        kinds=[TEXT, MONEY, MONEY, DAYS, DAYS],
        rows=rows,
        chart=chart,
        note=_(
            "DSO = receivables at the period's end ÷ credit sales in the period × days in the period; each"  # noqa: RUF001
            " month's, with its own end, sales and days. Credit sales are what the invoices and credit notes"
            " dated in the period left to collect, VAT included, like the receivables; no figure where they"
            " are not positive."
        ),
        figures={
            _("DSO (days)"): dso(receivables, credit_sales, days),
            _("Receivables"): receivables,
            _("Credit sales"): credit_sales,
            _("Days"): days,
        },
        figure_kinds={_("DSO (days)"): DAYS, _("Days"): DAYS},
    )
