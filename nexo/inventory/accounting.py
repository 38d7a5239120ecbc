"""Stock in the ledger, by the company's stock method (accounting settings `stock_method`).

- Perpetual: each document that changes the stock value (a receipt, a delivery, a return, a count) posts one
  entry in the stock journal (EXI) on its date, at its moves' valuation: the sum of the `value` of the
  valuation entries the posting wrote (and the change of later entries a backdated move revalued). Receipts
  and returns to the supplier against purchases (600), deliveries, customer returns, counts and revaluations
  against the change in inventory (610). The stock account then equals the valuation report after every move.
- Continental (the default): nothing at the moves; at a period end `stock_variation_post` posts the
  difference between the valuation at that date and the stock account's balance (300 / 610).

Reading the method costs no query of its own: it comes with the inventory settings a posting reads anyway.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal
from functools import cache

from django.db import transaction
from django.db.models import DecimalField, OuterRef, Subquery
from django.utils.translation import gettext as _

from nexo.accounting.models import AccountingSettings, EntryLine, StockMethod
from nexo.accounting.services import ledger as accounting_ledger
from nexo.accounting.services.accounts import account_name
from nexo.accounting.services.defaults import default_account, default_accounts
from nexo.core import plainsql
from nexo.core.aggregates import MoneySum
from nexo.core.errors import Conflict
from nexo.core.models import Company, User
from nexo.core.rules import round_money
from nexo.inventory.models import InventorySettings, Location, StockBalance, StockMove, ValuationEntry

ZERO = Decimal(0)
JOURNAL = "EXI"
PERPETUAL = StockMethod.PERPETUAL.value
CONTINENTAL = StockMethod.CONTINENTAL.value
AMOUNT_SUM = DecimalField(max_digits=30, decimal_places=2)

#: The documents inventory's moves come from, by the origin type the moves carry → their model label.
DOCUMENT_MODELS = {"delivery": "sales.delivery", "purchase_receipt": "purchasing.receipt"}
MOVE_MODEL = "inventory.stockmove"


# The method, read with the inventory settings


def settings_with_method(company: Company) -> tuple[InventorySettings, str]:
    """The company's inventory settings and its stock method, in the one query that reads the settings."""
    row = _settings_row(company)
    if row is None or row[0].default_warehouse_id is None:
        from nexo.inventory.services import inventory_setup  # the services import this module

        inventory_setup(company=company)
        row = _settings_row(company)
    settings, method = row
    return settings, method or CONTINENTAL


@cache
def _settings_sql() -> str:
    settings_table = plainsql.quoted(InventorySettings._meta.db_table)
    accounting_table = plainsql.quoted(AccountingSettings._meta.db_table)
    return (
        f"SELECT {plainsql.columns(InventorySettings, 's')}, a.stock_method FROM {settings_table} s "  # noqa: S608
        f"LEFT JOIN {accounting_table} a ON a.company_id = s.company_id WHERE s.company_id = %s"
    )


def _settings_row(company: Company) -> tuple[InventorySettings, str | None] | None:
    """(the inventory settings, the stock method or None without accounting settings); None without
    inventory settings."""
    with plainsql.connection_now().cursor() as cursor:
        cursor.execute(_settings_sql(), [company.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    settings = plainsql.from_row(InventorySettings, row[:-1])
    return settings, row[-1]


# Perpetual: one entry per document


@dataclass
class _Document:
    date: Date
    origin: accounting_ledger.Origin
    label: str
    amounts: dict  # role → signed amount (debit minus credit)


def _counterpart(source: Location, target: Location) -> str:
    """The account role a move's stock value is balanced against."""
    if Location.Kind.SUPPLIER in (source.kind, target.kind):
        return "purchases"  # a receipt, or a return to the supplier (its mirror)
    return "stock_variation"  # deliveries, customer returns, counts, a transfer's rounding


def _document_key(move: StockMove) -> tuple:
    if move.origin_type and move.origin_id is not None:
        return (move.origin_type, move.origin_id, "")
    if move.origin_type:
        return (move.origin_type, None, move.origin_label)
    return ("", None, "")  # moves entered by hand and posted together


def _origin(move: StockMove) -> tuple[accounting_ledger.Origin, str]:
    label = move.origin_label or _("Stock move %(id)s") % {"id": move.pk}
    model = DOCUMENT_MODELS.get(move.origin_type)
    if model is not None and move.origin_id is not None:
        return accounting_ledger.Origin(model, move.origin_id, label), label
    return accounting_ledger.Origin(MOVE_MODEL, move.pk, label), label


def moves_entries(
    company: Company,
    by: User | None,
    moves: list[StockMove],
    locations: dict[int, Location],
    values: dict[int, Decimal],
    revalued: Decimal = ZERO,
) -> list:
    """The perpetual entries of moves just posted: one per document (and date), lines grouped by account.

    `values` is each move's change of the stock value (its valuation entries' `value`); `revalued` what
    later entries changed by, as a backdated move recomputed them. Refused with the ledger's message (a
    lock date, a closed period, the stock journal's date order): the caller's transaction then undoes all.
    """
    documents: dict[tuple, _Document] = {}
    for move in sorted(moves, key=lambda move: (move.date, move.pk)):
        key = (*_document_key(move), move.date)
        document = documents.get(key)
        if document is None:
            origin, label = _origin(move)
            document = documents[key] = _Document(move.date, origin, label, defaultdict(Decimal))
        value = round_money(values.get(move.pk, ZERO))
        role = _counterpart(locations[move.from_location_id], locations[move.to_location_id])
        document.amounts["stock"] += value
        document.amounts[role] -= value
    if revalued and documents:
        last = list(documents.values())[-1]
        last.amounts["stock"] += round_money(revalued)
        last.amounts["stock_variation"] -= round_money(revalued)
    wanted = [document for document in documents.values() if any(document.amounts.values())]
    if not wanted:
        return []
    defaults = default_accounts(company)
    entries = []
    for document in wanted:
        by_account: dict[int, Decimal] = defaultdict(Decimal)
        for role, amount in document.amounts.items():
            by_account[default_account(defaults, role).pk] += amount
        lines = _lines(by_account, document.label)
        if not lines:
            continue
        entry = accounting_ledger.entry_record(
            company=company, by=by, journal=JOURNAL, date=document.date, lines=lines,
            description=_("Stock: %(document)s") % {"document": document.label}, origin=document.origin,
        )  # fmt: skip
        entries.append(entry)
    return entries


def _lines(by_account: dict[int, Decimal], description: str) -> list:
    """Debits first, then credits; accounts that net to nothing left out."""
    debits = [
        accounting_ledger.LineInput(account_id, debit=amount, description=description[:200])
        for account_id, amount in by_account.items()
        if amount > 0
    ]
    credits = [
        accounting_ledger.LineInput(account_id, credit=-amount, description=description[:200])
        for account_id, amount in by_account.items()
        if amount < 0
    ]
    return [*debits, *credits] if debits and credits else []


# Continental: the change in inventory at a period end


@dataclass(frozen=True)
class StockAccounting:
    """The valuation at the end of a day beside the stock account's balance on the ledger then."""

    date: Date
    stock_method: str
    account_code: str
    account_name: str
    valuation: Decimal
    ledger_balance: Decimal

    @property
    def difference(self) -> Decimal:
        """What a variation entry would post: + the stock grew (D 300 / C 610), - it shrank."""
        return self.valuation - self.ledger_balance

    @property
    def amount(self) -> Decimal:
        """The variation entry's amount, whichever its side."""
        return abs(self.difference)


def stock_value_at(company: Company, day: Date) -> Decimal:
    """The valuation report's total at the end of `day`: each (item, warehouse)'s latest entry's value after."""
    latest = ValuationEntry.objects.filter(
        item_id=OuterRef("item_id"), warehouse_id=OuterRef("warehouse_id"), date__lte=day
    ).order_by("-date", "-id")
    total = (
        StockBalance.objects.filter(company=company)
        .annotate(value_at=Subquery(latest.values("value_after")[:1], output_field=AMOUNT_SUM))
        .aggregate(total=MoneySum("value_at"))["total"]
    )
    return total or ZERO


def account_balance_at(company: Company, account_id: int, day: Date) -> Decimal:
    """Debits minus credits of the posted lines of one account dated on or before `day`: one SQL sum."""
    totals = (
        EntryLine.objects.filter(company=company, posted=True, account_id=account_id, date__lte=day)
        .order_by()
        .aggregate(debit=MoneySum("debit"), credit=MoneySum("credit"))
    )
    return (totals["debit"] or ZERO) - (totals["credit"] or ZERO)


def stock_method_of(company: Company) -> str:
    """The company's stock method (continental until its accounting settings say otherwise)."""
    method = AccountingSettings.objects.filter(company=company).values_list("stock_method", flat=True).first()
    return method or CONTINENTAL


def stock_accounting(company: Company, day: Date) -> StockAccounting:
    """The valuation at `day` and the ledger's stock account then (a constant number of queries)."""
    stock = default_account(default_accounts(company), "stock")
    method = stock_method_of(company)
    return StockAccounting(
        date=day, stock_method=method, account_code=stock.code, account_name=account_name(stock),
        valuation=stock_value_at(company, day), ledger_balance=account_balance_at(company, stock.pk, day),
    )  # fmt: skip


def stock_variation_post(*, company: Company, by: User, date: Date):
    """Post the change in inventory at the end of `date`: the valuation then minus the stock account's balance
    then, D 300 / C 610 when the stock grew, D 610 / C 300 when it shrank, in the stock journal. Only the
    difference still open: run again later, it posts only what changed since. Refused (nothing changes): a
    date the ledger refuses (lock date, closed year or period, the journal's date order), no difference (409).
    Locks the company's accounting settings, so two runs at once never post the same difference twice."""
    with transaction.atomic():
        accounting_ledger.journal_of(company, JOURNAL)  # a company without books gets them set up first
        accounting_ledger.settings_of(company)
        AccountingSettings.objects.select_for_update().filter(company=company).first()
        accounting_ledger.fiscal_year_at(company, date, create=True)  # the lock date, before anything else
        defaults = default_accounts(company)
        stock = default_account(defaults, "stock")
        variation = default_account(defaults, "stock_variation")
        difference = stock_value_at(company, date) - account_balance_at(company, stock.pk, date)
        if difference == 0:
            raise Conflict(
                _("The stock account already equals the inventory value at %(date)s: nothing to post.")
                % {"date": date.isoformat()}
            )
        description = _("Change in inventory at %(date)s") % {"date": date.isoformat()}
        if difference > 0:
            lines = [
                accounting_ledger.LineInput(stock.pk, debit=difference, description=description),
                accounting_ledger.LineInput(variation.pk, credit=difference, description=description),
            ]
        else:
            lines = [
                accounting_ledger.LineInput(variation.pk, debit=-difference, description=description),
                accounting_ledger.LineInput(stock.pk, credit=-difference, description=description),
            ]
        entry = accounting_ledger.entry_record(
            company=company, by=by, journal=JOURNAL, date=date, lines=lines, description=description
        )
        entry.stock_increase = difference > 0  # which way it went, for the answer of the API
        return entry


def year_end_variation(*, company: Company, by: User, day: Date) -> list[str]:
    """Before a continental company's year closes: the change in inventory value at its last day, if any
    (a perpetual company's stock account follows every move already)."""
    method = stock_method_of(company)
    if method != CONTINENTAL:
        return []
    stock = default_account(default_accounts(company), "stock")
    if stock_value_at(company, day) == account_balance_at(company, stock.pk, day):
        return []
    return [stock_variation_post(company=company, by=by, date=day).number]
