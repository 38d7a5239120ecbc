"""The ledger's rules on plain values: no Django import. Balances, entry checks, numbers, periods."""

from collections.abc import Iterable
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal

from nexo.core.rules import Lifecycle

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# Account natures: the side an account's balance normally sits on (debit for assets and expenses).
ASSET, LIABILITY, EQUITY, INCOME, EXPENSE = "asset", "liability", "equity", "income", "expense"
PROFIT_AND_LOSS_NATURES = frozenset({INCOME, EXPENSE})

# Journal kinds.
SALE, PURCHASE, BANK, CASH, GENERAL, CLOSING = "sale", "purchase", "bank", "cash", "general", "closing"

# Entry states and kinds. Regularisation moves the year's result to 129; closing zeroes the balance sheet
# accounts on the last day; opening carries them into the next year on its first day.
DRAFT, POSTED = "draft", "posted"
NORMAL, OPENING, REGULARISATION, CLOSING_ENTRY = "normal", "opening", "regularisation", "closing"
ENTRY_LIFECYCLE = Lifecycle("entry", {DRAFT: frozenset({POSTED}), POSTED: frozenset()})

OPEN, CLOSED = "open", "closed"
CONTINENTAL, PERPETUAL = "continental", "perpetual"
DEFAULT_TEMPLATE = "pgc_pymes"

#: The roles of the company's default accounts, filled from the chart template.
DEFAULT_ROLES = (
    "receivable",  # 4300 customers
    "payable",  # 4000 suppliers
    "sales",  # 700 sales of goods
    "sales_returns",  # 708 returns of sales
    "services_income",  # 705 services rendered
    "purchases",  # 600 purchases of goods
    "purchase_returns",  # 608 returns of purchases
    "output_vat",  # 477 VAT charged
    "output_recargo",  # 477x recargo de equivalencia charged
    "input_vat",  # 472 VAT borne
    "withholding_receivable",  # 473 IRPF our customers withheld from us
    "withholding_payable",  # 4751 IRPF we withheld from our suppliers
    "stock",  # 300 goods
    "stock_variation",  # 610 change in stock of goods
    "result",  # 129 result of the year
    "bank",  # 572 bank
    "cash",  # 570 cash
    "bank_charges",  # 626 bank charges
)


class EntryProblem(ValueError):
    """Why an entry cannot be posted, in plain words (the service translates it into a 4xx)."""


def unbalanced_by(lines: Iterable) -> Decimal:
    """Debits minus credits of an entry's lines (anything with `debit` and `credit`; zero when it balances)."""
    debit = sum((line.debit for line in lines), ZERO)
    credit = sum((line.credit for line in lines), ZERO)
    return debit - credit


def check_amounts(debit: Decimal, credit: Decimal) -> None:
    """One side only, never negative, in cents."""
    if debit < 0 or credit < 0:
        raise EntryProblem("negative")
    if debit and credit:
        raise EntryProblem("both_sides")
    if debit.quantize(CENT) != debit or credit.quantize(CENT) != credit:
        raise EntryProblem("cents")


def balance_sides(balance: Decimal) -> tuple[Decimal, Decimal]:
    """A debit-minus-credit balance split into the (debit balance, credit balance) columns of a report."""
    return (balance, ZERO) if balance >= 0 else (ZERO, -balance)



def entry_number(journal_code: str, year: int, sequence: int) -> str:
    return f"{journal_code}/{year}/{sequence:06d}"


def months(start: Date, end: Date) -> list[tuple[Date, Date]]:
    """The calendar months from start to end as (first day, last day), the last one cut at `end`."""
    spans = []
    first = start
    while first <= end:
        following = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        spans.append((first, min(following - timedelta(days=1), end)))
        first = following
    return spans


def calendar_year(year: int) -> tuple[Date, Date]:
    return Date(year, 1, 1), Date(year, 12, 31)
