"""The sales dashboard: the open pipeline by stage, the weighted forecast by expected close month, the win
rate and time to win of the opportunities closed in the period, the quotations sent, accepted and rejected
month by month, and the largest open opportunities.

What it counts:
- pipeline and top opportunities: the opportunities open today, whatever the period (a pipeline is a
  picture of now); the funnel follows the order of the open stages.
- forecast: the open opportunities expected to close in the period, by month: the best case (every amount)
  and the weighted forecast (amount times probability, `crm.rules.weighted`, summed exactly and rounded once per
  figure as the CRM's forecast page does). One still open after its date stays in its month.
- win rate: of the opportunities closed (won or lost) in the period, by the day they closed, the share won;
  the time to win is the days from an opportunity's creation to the day it was won.
- quotations: each version sent in the period, by the day it was sent; accepted and rejected by the day it
  was decided. Amounts are the net of the quotations in the company's currency (others are counted, not
  added up; the note says how many).

The salesperson filter is the opportunity's owner and the quotation's salesperson. The category filter keeps
the quotations with a line of an item in the category (or below it) and the opportunities with such a
quotation. Every panel runs a fixed number of queries, grouped by the database where it can sum exactly
(MoneySum) and read row by row only where each row's dates count (time to win).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.core.aggregates import MoneySum
from nexo.core.models import Company
from nexo.core.rules import round_money
from nexo.crm import rules as crm_rules
from nexo.crm.models import Opportunity, Stage
from nexo.insight import formats
from nexo.insight.charts import Series, bar_chart, funnel_chart, line_chart
from nexo.insight.services.dashboards import (
    COUNT,
    DATE,
    DAYS,
    MONEY,
    PERCENT,
    TEXT,
    Cell,
    Filters,
    Panel,
    chosen_category_path,
)
from nexo.insight.services.dashboards.months import Month, month_key, months_of
from nexo.sales import rules as sales_rules
from nexo.sales.models import Quotation, QuotationLine

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
#: The open opportunities listed, the largest first.
TOP_OPPORTUNITIES = 10
RATE_PLACES = 2  # a win rate or acceptance rate, in percent
DAYS_PLACES = 1  # the average days to win


def build(company: Company, filters: Filters) -> list[Panel]:
    scope = Scope.of(company, filters)
    months = months_of(filters.date_from, filters.date_to)
    return [pipeline(scope), forecast(scope, months), win_rate(scope, months), quotations(scope, months),
            top_open(scope)]  # fmt: skip


@dataclass(frozen=True)
class Scope:
    """The company, the filters and the category's subtree (its path), read once."""

    company: Company
    filters: Filters
    category_path: str | None

    @classmethod
    def of(cls, company: Company, filters: Filters) -> "Scope":
        # Another company's category matches nothing: an empty path filter below.
        return cls(company, filters, chosen_category_path(company, filters))

    def _lines_in_category(self) -> QuerySet[QuotationLine]:
        if not self.category_path:
            return QuotationLine.objects.none()
        return QuotationLine.objects.filter(item__category__path__startswith=self.category_path)

    def opportunities(self) -> QuerySet[Opportunity]:
        found = Opportunity.objects.filter(company=self.company)
        if self.filters.salesperson_id:
            found = found.filter(owner_id=self.filters.salesperson_id)
        if self.filters.category_id:
            found = found.filter(
                Exists(self._lines_in_category().filter(quotation__opportunity_id=OuterRef("pk")))
            )
        return found.order_by()

    def quotations(self) -> QuerySet[Quotation]:
        found = Quotation.objects.filter(company=self.company)
        if self.filters.salesperson_id:
            found = found.filter(salesperson_id=self.filters.salesperson_id)
        if self.filters.category_id:
            found = found.filter(Exists(self._lines_in_category().filter(quotation_id=OuterRef("pk"))))
        return found.order_by()

    @property
    def money(self):
        return formats.money_format(self.company.currency)

    @property
    def money_ticks(self):
        return formats.money_ticks(self.company.currency)

    def note(self, *parts: str) -> str:
        """The panel's note, with what the category filter means here when it is on."""
        if self.filters.category_id:
            parts = (*parts, _("Category: only opportunities with a quotation that has a line in it."))
        return " ".join(part for part in parts if part)


def _rate(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in percent, or nothing when there is no whole."""
    return round_money(Decimal(part) * HUNDRED / whole, RATE_PLACES) if whole else None


def _weighted_sum(groups: list[tuple[Decimal, Decimal]]) -> Decimal:
    """Σ amount times probability over (amount, probability) pairs, exact, rounded once."""
    return round_money(sum((crm_rules.weighted(amount, probability) for amount, probability in groups), ZERO))


# The pipeline now


def pipeline(scope: Scope) -> Panel:
    """Open opportunities per open stage, in the pipeline's order: two queries."""
    stages = list(
        Stage.objects.filter(company=scope.company, kind=Stage.Kind.OPEN)
        .order_by("sequence", "id")
        .values_list("pk", "name", "is_active")
    )
    grouped = (
        scope.opportunities()
        .filter(status=Opportunity.Status.OPEN)
        .values("stage_id", "probability")
        .annotate(count=Count("pk"), amount=MoneySum("amount"))
    )
    counts: dict[int, int] = defaultdict(int)
    amounts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    weights: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for row in grouped:
        counts[row["stage_id"]] += row["count"]
        amounts[row["stage_id"]] += row["amount"]
        weights[row["stage_id"]].append((row["amount"], row["probability"]))
    # A stage taken out of use still shows while opportunities wait in it.
    shown = [(pk, name) for pk, name, active in stages if active or counts[pk]]
    rows: list[list[Cell]] = [
        [name, counts[pk], amounts[pk], _weighted_sum(weights[pk])] for pk, name in shown
    ]
    title = _("Pipeline by stage")
    total_count = sum(counts[pk] for pk, _name in shown)
    total_amount = sum((amounts[pk] for pk, _name in shown), ZERO)
    return Panel(
        key="pipeline",
        title=title,
        columns=[_("Stage"), _("Open opportunities"), _("Amount"), _("Weighted")],
        kinds=[TEXT, COUNT, MONEY, MONEY],
        rows=rows,
        chart=funnel_chart(
            title=title, stages=[name for _pk, name in shown] if total_count else [],
            values=[amounts[pk] for pk, _name in shown] if total_count else [],
            value_format=scope.money, empty_text=_("No open opportunities."),
        ),
        note=scope.note(_("The opportunities open today, whatever the period: their expected amount in each stage.")),
        figures={
            _("Open opportunities"): total_count,
            _("Open amount"): total_amount,
            _("Weighted"): _weighted_sum([pair for pk, _name in shown for pair in weights[pk]]),
        },
        figure_kinds={_("Open opportunities"): COUNT, _("Open amount"): MONEY, _("Weighted"): MONEY},
    )  # fmt: skip


# The forecast of the period


def forecast(scope: Scope, months: list[Month]) -> Panel:
    """Best case and weighted forecast by expected close month: one query."""
    grouped = (
        scope.opportunities()
        .filter(
            status=Opportunity.Status.OPEN,
            expected_close__gte=scope.filters.date_from,
            expected_close__lte=scope.filters.date_to,
        )
        .annotate(month=TruncMonth("expected_close"))
        .values("month", "probability")
        .annotate(count=Count("pk"), amount=MoneySum("amount"))
    )
    counts: dict[Date, int] = defaultdict(int)
    best: dict[Date, Decimal] = defaultdict(lambda: ZERO)
    weights: dict[Date, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for row in grouped:
        month = month_key(row["month"])
        counts[month] += row["count"]
        best[month] += row["amount"]
        weights[month].append((row["amount"], row["probability"]))
    weighted = {month.first: _weighted_sum(weights[month.first]) for month in months}
    rows: list[list[Cell]] = [
        [month.label, counts[month.first], best[month.first], weighted[month.first]] for month in months
    ]
    title = _("Weighted forecast by month")
    return Panel(
        key="forecast",
        title=title,
        columns=[_("Month"), _("Open opportunities"), _("Best case"), _("Weighted")],
        kinds=[TEXT, COUNT, MONEY, MONEY],
        rows=rows,
        chart=line_chart(
            title=title, categories=[month.label for month in months],
            series=[Series(_("Weighted"), [weighted[month.first] for month in months]),
                    Series(_("Best case"), [best[month.first] for month in months])],
            value_format=scope.money, tick_format=scope.money_ticks, empty_text=_("No data"),
        ),
        note=scope.note(_(
            "Open opportunities by the month they are expected to close: the best case counts every amount, the "
            "weighted forecast each amount times its probability. One still open after its date stays in its month."
        )),
        figures={
            _("Weighted forecast"): _weighted_sum([pair for pairs in weights.values() for pair in pairs]),
            _("Best case"): sum(best.values(), ZERO),
        },
        figure_kinds={_("Weighted forecast"): MONEY, _("Best case"): MONEY},
    )  # fmt: skip


# Won and lost in the period


def average_days(durations: list[int]) -> Decimal | None:
    return round_money(Decimal(sum(durations)) / len(durations), DAYS_PLACES) if durations else None


def win_rate(scope: Scope, months: list[Month]) -> Panel:
    """Won against lost by the month they closed, and the days each won one took: one query."""
    closed = (
        scope.opportunities()
        .filter(
            status__in=(Opportunity.Status.WON, Opportunity.Status.LOST),
            closed_on__gte=scope.filters.date_from,
            closed_on__lte=scope.filters.date_to,
        )
        .values_list("status", "closed_on", "created_at", "amount")
    )
    won: dict[Date, int] = defaultdict(int)
    lost: dict[Date, int] = defaultdict(int)
    won_amount: dict[Date, Decimal] = defaultdict(lambda: ZERO)
    durations: list[int] = []
    for status, closed_on, created_at, amount in closed:
        month = closed_on.replace(day=1)
        if status == Opportunity.Status.WON:
            won[month] += 1
            won_amount[month] += amount
            durations.append((closed_on - timezone.localdate(created_at)).days)
        else:
            lost[month] += 1
    rows: list[list[Cell]] = [
        [month.label, won[month.first], lost[month.first], _rate(won[month.first], won[month.first] + lost[month.first]),
         won_amount[month.first]]
        for month in months
    ]  # fmt: skip
    won_count, lost_count = sum(won.values()), sum(lost.values())
    title = _("Won and lost")
    return Panel(
        key="win_rate",
        title=title,
        columns=[_("Month"), _("Won"), _("Lost"), _("Win rate"), _("Amount won")],
        kinds=[TEXT, COUNT, COUNT, PERCENT, MONEY],
        rows=rows,
        chart=bar_chart(
            title=title, categories=[month.label for month in months],
            series=[Series(_("Won"), [won[month.first] for month in months]),
                    Series(_("Lost"), [lost[month.first] for month in months])],
            value_format=formats.count, empty_text=_("No data"),
        ),
        note=scope.note(_(
            "Opportunities closed in the period, by the day they closed. Win rate: won ÷ (won + lost). Time to win: "
            "the days from an opportunity's creation to the day it was won."
        )),
        figures={
            _("Win rate"): _rate(won_count, won_count + lost_count),
            _("Average days to win"): average_days(durations),
            _("Won"): won_count,
            _("Lost"): lost_count,
            _("Amount won"): sum(won_amount.values(), ZERO),
        },
        figure_kinds={_("Win rate"): PERCENT, _("Average days to win"): DAYS, _("Won"): COUNT, _("Lost"): COUNT,
                      _("Amount won"): MONEY},
    )  # fmt: skip


# Quotations sent and decided in the period


def _instants(day: Date) -> datetime:
    """The first instant of `day` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def quotations(scope: Scope, months: list[Month]) -> Panel:
    """Sent by the month sent; accepted and rejected by the month decided: two queries."""
    # The period as a range of instants, not `__date`: on SQLite a date lookup converts every row's time
    # in Python before comparing, where a range of instants is compared by the database.
    start, end = _instants(scope.filters.date_from), _instants(scope.filters.date_to + timedelta(days=1))
    sent_rows = (
        scope.quotations()
        .filter(sent_at__gte=start, sent_at__lt=end)
        .annotate(month=TruncMonth("sent_at"))
        .values("month", "currency")
        .annotate(count=Count("pk"), amount=MoneySum("net"))
    )
    decided_rows = (
        scope.quotations()
        .filter(
            state__in=(sales_rules.ACCEPTED, sales_rules.REJECTED),
            closed_at__gte=start, closed_at__lt=end,
        )
        .annotate(month=TruncMonth("closed_at"))
        .values("month", "state", "currency")
        .annotate(count=Count("pk"), amount=MoneySum("net"))
    )  # fmt: skip
    currency = scope.company.currency
    counts: dict[tuple[str, Date], int] = defaultdict(int)
    amounts: dict[tuple[str, Date], Decimal] = defaultdict(lambda: ZERO)
    foreign = 0
    for what, grouped in (("sent", sent_rows), ("decided", decided_rows)):
        for row in grouped:
            key = (row["state"] if what == "decided" else "sent", month_key(row["month"]).replace(day=1))
            counts[key] += row["count"]
            if row["currency"] == currency:
                amounts[key] += row["amount"]
            else:
                foreign += row["count"]
    sent, accepted, rejected = "sent", sales_rules.ACCEPTED, sales_rules.REJECTED
    rows: list[list[Cell]] = [
        [month.label, counts[sent, month.first], amounts[sent, month.first], counts[accepted, month.first],
         amounts[accepted, month.first], counts[rejected, month.first]]
        for month in months
    ]  # fmt: skip
    total = {
        state: sum(counts[state, month.first] for month in months) for state in (sent, accepted, rejected)
    }
    title = _("Quotations sent, accepted and rejected")
    foreign_note = (
        _(
            "Quotations in other currencies than %(currency)s: %(count)s, counted but their amounts not added up."
        )
        % {"count": foreign, "currency": currency}
        if foreign
        else ""
    )
    return Panel(
        key="quotations",
        title=title,
        columns=[_("Month"), _("Sent"), _("Amount sent"), _("Accepted"), _("Amount accepted"), _("Rejected")],
        kinds=[TEXT, COUNT, MONEY, COUNT, MONEY, COUNT],
        rows=rows,
        chart=bar_chart(
            title=title, categories=[month.label for month in months],
            series=[Series(_("Sent"), [counts[sent, month.first] for month in months]),
                    Series(_("Accepted"), [counts[accepted, month.first] for month in months]),
                    Series(_("Rejected"), [counts[rejected, month.first] for month in months])],
            value_format=formats.count, empty_text=_("No data"),
        ),
        note=scope.note(
            _("Every version sent in the period, by the day it was sent; accepted and rejected by the day the "
              "customer decided. Acceptance rate: accepted ÷ (accepted + rejected)."),
            foreign_note,
        ),
        figures={
            _("Sent"): total[sent],
            _("Accepted"): total[accepted],
            _("Rejected"): total[rejected],
            _("Acceptance rate"): _rate(total[accepted], total[accepted] + total[rejected]),
            _("Amount accepted"): sum((amounts[accepted, month.first] for month in months), ZERO),
        },
        figure_kinds={_("Sent"): COUNT, _("Accepted"): COUNT, _("Rejected"): COUNT, _("Acceptance rate"): PERCENT,
                      _("Amount accepted"): MONEY},
    )  # fmt: skip


# The largest open opportunities


def _person(user) -> str:
    return user.get_full_name() or user.username


def top_open(scope: Scope) -> Panel:
    """The largest open opportunities today: one query, a table without a chart."""
    found = (
        scope.opportunities()
        .filter(status=Opportunity.Status.OPEN)
        .select_related("party", "stage", "owner")
        .order_by("-amount", "expected_close", "pk")[:TOP_OPPORTUNITIES]
    )
    rows: list[list[Cell]] = [
        [opportunity.title, opportunity.party.name, opportunity.stage.name, _person(opportunity.owner),
         opportunity.expected_close, opportunity.amount, opportunity.probability,
         round_money(crm_rules.weighted(opportunity.amount, opportunity.probability))]
        for opportunity in found
    ]  # fmt: skip
    return Panel(
        key="top_open",
        title=_("Largest open opportunities"),
        columns=[_("Opportunity"), _("Customer"), _("Stage"), _("Salesperson"), _("Expected close"), _("Amount"),
                 _("Probability"), _("Weighted")],
        kinds=[TEXT, TEXT, TEXT, TEXT, DATE, MONEY, PERCENT, MONEY],
        rows=rows,
        note=scope.note(
            _("The %(count)s largest opportunities open today, whatever the period.") % {"count": TOP_OPPORTUNITIES}
        ),
    )  # fmt: skip
