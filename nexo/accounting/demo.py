"""The demo's books: the previous year opened with the company's fixed assets, capital and bank, its months of
trade before the documents' history begins summarised in monthly entries (sales collected, purchases paid),
and the running costs of every month up to the last one (payroll, rent, bank charges, social security and
withholdings paid, depreciation at year end). The documents of the other modules post their own entries; once
every module has loaded (`finish_demo`), the previous year is closed (stock variation, result to 129,
closing and opening entries) and the books are locked up to its last day.

Every entry goes through `services.ledger.entry_record`, in date order per journal. Deterministic: the same
day gives the same books; idempotent: a company whose books hold any entry is left alone."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from nexo.accounting.models import Account, Entry, FiscalYear
from nexo.accounting.rules import ledger
from nexo.accounting.services.fiscal_years import fiscal_year_ensure
from nexo.accounting.services.ledger import LineInput, entry_record, lock_date_set
from nexo.core.models import Company, User
from nexo.core.rules import round_money
from nexo.parties.models import Party

D = Decimal
HISTORY_DAYS = 364  # the documents' history (purchasing, sales) starts this many days before today
# Monthly running costs: gross pay, the company's social security, the IRPF withheld, the employees' social
# security, the office rent (IRPF 19 % withheld on it), bank charges.
PAYROLL, COMPANY_SS, PAYROLL_IRPF, EMPLOYEE_SS = D("3650.00"), D("1168.00"), D("511.00"), D("231.78")
RENT, RENT_IRPF_RATE, BANK_CHARGES = D("950.00"), D("0.19"), D("38.50")
VAT = D("0.21")
# The previous year's trade before the documents begin: sales and purchases (base) of an ordinary month.
MONTH_SALES, MONTH_PURCHASES = D("16900.00"), D("11300.00")
SEASON = (D("0.82"), D("0.88"), D("1.04"), D("1.10"), D("1.12"), D("1.06"), D("0.95"), D("0.70"), D("1.02"),
          D("1.08"), D("1.05"), D("1.18"))  # fmt: skip
# The fixed assets and equity at the start of the previous year.
OPENING = [
    ("572", D("84250.00"), D(0)),  # bank
    ("217", D("18600.00"), D(0)),  # computers
    ("218", D("46500.00"), D(0)),  # vans
    ("216", D("12400.00"), D(0)),  # furniture
    ("281", D(0), D("29840.00")),  # accumulated depreciation
    ("100", D(0), D("60000.00")),  # share capital
    ("112", D(0), D("12000.00")),  # legal reserve
    ("113", D(0), D("59910.00")),  # voluntary reserves
]
OPENING_DEBITS = {code: debit for code, debit, _credit in OPENING if debit}
DEPRECIATION = (("217", D("0.25")), ("218", D("0.16")), ("216", D("0.10")))


@dataclass
class Planned:
    day: date
    journal: str
    description: str
    lines: list[tuple[str, Decimal, Decimal, int | None]]  # (account code, debit, credit, party id)
    kind: str = ledger.NORMAL


class Books:
    def __init__(self, company: Company):
        self.company = company
        accounts = list(Account.objects.filter(company=company).order_by("code"))
        self.by_code = {account.code: account for account in accounts}
        self.accounts = accounts

    def posting(self, code: str) -> int:
        """The account of that code, or the first posting account under it (a view account takes no lines)."""
        account = self.by_code.get(code)
        if account is not None and not account.is_view:
            return account.pk
        for candidate in self.accounts:
            if candidate.code.startswith(code) and not candidate.is_view:
                return candidate.pk
        raise LookupError(f"the chart has no posting account under {code}")


def _month_end(year: int, month: int) -> date:
    return (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _trade_month(plan: list[Planned], year: int, month: int, customers, suppliers) -> None:
    """A month of the previous year before the documents begin: sales invoiced and collected, purchases
    received and paid, summarised per customer and supplier."""
    factor = SEASON[month - 1]
    last = _weekday(_month_end(year, month))
    shares = (D("0.34"), D("0.27"), D("0.21"), D("0.18"))
    for index, customer in enumerate(customers):
        base = round_money(MONTH_SALES * factor * shares[index % len(shares)])
        vat = round_money(base * VAT)
        plan.append(Planned(last, "VEN", f"Ventas {month:02d}/{year} · {customer.name}", [
            ("4300", base + vat, D(0), customer.pk), ("700", D(0), base, None), ("4770", D(0), vat, None),
        ]))  # fmt: skip
        collected = _weekday(_month_end(year, month) + timedelta(days=20)) if month < 12 else last
        plan.append(Planned(collected, "BAN", f"Cobro ventas {month:02d}/{year} · {customer.name}", [
            ("572", base + vat, D(0), None), ("4300", D(0), base + vat, customer.pk),
        ]))  # fmt: skip
    for index, supplier in enumerate(suppliers):
        base = round_money(MONTH_PURCHASES * factor * shares[index % len(shares)])
        vat = round_money(base * VAT)
        plan.append(Planned(last, "COM", f"Compras {month:02d}/{year} · {supplier.name}", [
            ("600", base, D(0), None), ("472", vat, D(0), None), ("4000", D(0), base + vat, supplier.pk),
        ]))  # fmt: skip
        paid = _weekday(_month_end(year, month) + timedelta(days=25)) if month < 12 else last
        plan.append(Planned(paid, "BAN", f"Pago compras {month:02d}/{year} · {supplier.name}", [
            ("4000", base + vat, D(0), supplier.pk), ("572", D(0), base + vat, None),
        ]))  # fmt: skip


def _running_costs(plan: list[Planned], year: int, month: int) -> None:
    last = _weekday(_month_end(year, month))
    net_pay = PAYROLL - PAYROLL_IRPF - EMPLOYEE_SS
    plan.append(Planned(last, "GEN", f"Nóminas {month:02d}/{year}", [
        ("640", PAYROLL, D(0), None), ("642", COMPANY_SS, D(0), None), ("4751", D(0), PAYROLL_IRPF, None),
        ("476", D(0), COMPANY_SS + EMPLOYEE_SS, None), ("572", D(0), net_pay, None),
    ]))  # fmt: skip
    rent_vat, rent_irpf = round_money(RENT * VAT), round_money(RENT * RENT_IRPF_RATE)
    first = date(year, month, 1)
    plan.append(Planned(_weekday(first + timedelta(days=4)), "GEN", f"Alquiler nave {month:02d}/{year}", [
        ("621", RENT, D(0), None), ("472", rent_vat, D(0), None), ("4751", D(0), rent_irpf, None),
        ("572", D(0), RENT + rent_vat - rent_irpf, None),
    ]))  # fmt: skip
    plan.append(Planned(last, "BAN", f"Comisiones bancarias {month:02d}/{year}", [
        ("626", BANK_CHARGES, D(0), None), ("572", D(0), BANK_CHARGES, None),
    ]))  # fmt: skip
    paid_ss = _weekday(_month_end(year, month) + timedelta(days=28)) if month < 12 else last
    plan.append(Planned(paid_ss, "BAN", f"Seguridad Social {month:02d}/{year}", [
        ("476", COMPANY_SS + EMPLOYEE_SS, D(0), None), ("572", D(0), COMPANY_SS + EMPLOYEE_SS, None),
    ]))  # fmt: skip
    if month % 3 == 0:
        withheld = 3 * (PAYROLL_IRPF + rent_irpf)
        paid = _weekday(_month_end(year, month) + timedelta(days=20)) if month < 12 else last
        plan.append(Planned(paid, "BAN", f"Modelos 111 y 115, {month // 3}T/{year}", [
            ("4751", withheld, D(0), None), ("572", D(0), withheld, None),
        ]))  # fmt: skip


def _vat_settlements(plan: list[Planned], year: int) -> None:
    """The first three quarters' VAT settled (modelo 303) and paid on the 20th after each: output VAT less
    input VAT of the entries planned in the quarter (the fourth quarter includes the documents posted later)."""
    for quarter in (1, 2, 3):
        first, last = date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
        output = sum(
            (
                credit
                for p in plan
                if first <= p.day <= last
                for code, _d, credit, _p in p.lines
                if code == "4770"
            ),
            D(0),
        )
        deductible = sum(
            (
                debit
                for p in plan
                if first <= p.day <= last
                for code, debit, _c, _p in p.lines
                if code == "472"
            ),
            D(0),
        )
        day = _weekday(last + timedelta(days=20))
        result = output - deductible
        if result < 0:
            # More input than output VAT (a quarter whose sales are the documents', posted later): the
            # difference is the tax authorities' debt, to be set off in a later quarter (4700), nothing paid.
            plan.append(Planned(day, "GEN", f"Liquidación IVA {quarter}T/{year} (modelo 303, a compensar)", [
                ("4770", output, D(0), None), ("4700", -result, D(0), None), ("472", D(0), deductible, None),
            ]))  # fmt: skip
            continue
        plan.append(Planned(day, "GEN", f"Liquidación IVA {quarter}T/{year} (modelo 303)", [
            ("4770", output, D(0), None), ("472", D(0), deductible, None), ("4750", D(0), result, None),
        ]))  # fmt: skip
        plan.append(Planned(day, "BAN", f"Pago modelo 303 {quarter}T/{year}", [
            ("4750", result, D(0), None), ("572", D(0), result, None),
        ]))  # fmt: skip


def _plan(company: Company, books: Books, today: date) -> list[Planned]:
    previous = today.year - 1
    history_start = today - timedelta(days=HISTORY_DAYS)
    customers = list(Party.objects.filter(company=company, status=Party.Status.CUSTOMER).order_by("name")[:4])
    suppliers = list(Party.objects.filter(company=company, is_supplier=True).order_by("name")[:4])
    opening_lines = [(code, debit, credit, None) for code, debit, credit in OPENING]
    plan = [
        Planned(date(previous, 1, 1), "CIE", f"Asiento de apertura {previous}", opening_lines, ledger.OPENING)
    ]
    for month in range(1, 13):
        if date(previous, month, 1) < history_start.replace(day=1) and customers and suppliers:
            _trade_month(plan, previous, month, customers, suppliers)
        _running_costs(plan, previous, month)
    _vat_settlements(plan, previous)
    depreciation = [
        (code, D(0), round_money(OPENING_DEBITS[code] * rate), None) for code, rate in DEPRECIATION
    ]
    total = sum((credit for _code, _debit, credit, _party in depreciation), D(0))
    plan.append(Planned(date(previous, 12, 31), "GEN", f"Amortización {previous}", [
        ("681", total, D(0), None), *(("281", D(0), credit, None) for _code, _d, credit, _p in depreciation),
    ]))  # fmt: skip
    for month in range(1, today.month):
        _running_costs(plan, today.year, month)
    # From the documents' first day the bank journal (BAN) is the payments demo's, which records the
    # collections and payments of the documents in date order once this module has loaded (a journal numbers
    # its entries by date): the bank movements of the running costs from then on go to the general journal.
    for planned in plan:
        if planned.journal == "BAN" and planned.day >= history_start:
            planned.journal = "GEN"
    plan.sort(key=lambda planned: (planned.day, planned.journal))
    return plan


@transaction.atomic
def load_demo_accounting(company: Company, users: dict[str, User]) -> str:
    """The previous year's opening and trade, and every month's running costs; a one-line summary."""
    if Entry.objects.filter(company=company).exists():
        return ""
    today = timezone.localdate()
    by = users.get("contabilidad")
    books = Books(company)
    if not books.accounts:
        from nexo.accounting.services.setup import accounting_setup

        accounting_setup(company)
        books = Books(company)
    for year in (today.year - 1, today.year):
        fiscal_year_ensure(company, year, by=by)
    plan = _plan(company, books, today)
    for planned in plan:
        entry_record(
            company=company, by=by, journal=planned.journal, date=planned.day, description=planned.description,
            kind=planned.kind,
            lines=[LineInput(books.posting(code), debit, credit, party) for code, debit, credit, party in planned.lines],
        )  # fmt: skip
    return f"{len(plan)} entries from 1 January {today.year - 1} (opening, trade before the documents, payroll, rent)"


def close_previous_year(company: Company, users: dict[str, User]) -> str:
    """Once every document is posted: close the previous year and lock the books up to its last day."""
    from nexo.accounting.services.closing import year_close

    today = timezone.localdate()
    year = FiscalYear.objects.filter(company=company, start=date(today.year - 1, 1, 1)).first()
    if year is None or year.state == ledger.CLOSED:
        return ""
    by = users.get("contabilidad")
    with transaction.atomic():
        year_close(company=company, by=by, fiscal_year_id=year.pk)
        lock_date_set(company=company, by=by, lock_date=year.end)
    return f"{year.name} closed and locked"
