"""Templates of common manual entries, as data: bank charges, a month's payroll summary, depreciation, the
VAT settlement. A template names its accounts by a role of the company's defaults (`bank`) or by a PGC code
(`640`), asks for a few amounts and computes each line's amount from them; the accountant gets a filled
entry form and may still change any of it.

A code finds the company's posting account with that code, or else the first posting account under it
(`477` is a view account in the PGC chart: its `4770` is found). A chart without the account (the generic
template has no 640) makes the template say which accounts are missing instead of failing."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nexo.accounting.models import Account, AccountDefault
from nexo.core.models import Company
from nexo.core.rules import round_money

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("1e13")


@dataclass(frozen=True)
class Amount:
    """An amount the template asks for."""

    name: str
    label: str
    help: str = ""


@dataclass(frozen=True)
class TemplateLine:
    """One line: its account (`role` of the company's defaults, else `code`), its side, and its amount as a
    sum of the asked amounts with signs (`{"gross": 1, "irpf": -1}`). `only_positive`: the line is left out
    when the amount is zero or below (the VAT settlement ends either payable or receivable)."""

    side: str  # "debit" | "credit"
    formula: Mapping[str, int]
    code: str = ""
    role: str = ""
    description: str = ""
    only_positive: bool = False

    @property
    def reference(self) -> str:
        return self.role or self.code


@dataclass(frozen=True)
class EntryTemplate:
    key: str
    name: str
    about: str
    journal: str  # a journal code: BAN, GEN
    description: str
    amounts: tuple[Amount, ...]
    lines: tuple[TemplateLine, ...]


TEMPLATES: tuple[EntryTemplate, ...] = (
    EntryTemplate(
        key="bank_charges",
        name=_("Bank charges"),
        about=_("Fees and commissions the bank charged to the account (626 / 572)."),
        journal="BAN",
        description=_("Bank charges"),
        amounts=(Amount("amount", _("Charges")),),
        lines=(
            TemplateLine("debit", {"amount": 1}, code="626", role="bank_charges"),
            TemplateLine("credit", {"amount": 1}, code="572", role="bank"),
        ),
    ),
    EntryTemplate(
        key="payroll",
        name=_("Payroll summary"),
        about=_(
            "A month's payroll: gross salaries (640) and the company's social security (642) against social "
            "security payable (476), IRPF withheld (4751) and the net salaries to pay (465)."
        ),
        journal="GEN",
        description=_("Payroll"),
        amounts=(
            Amount("gross", _("Gross salaries")),
            Amount("company_ss", _("Social security paid by the company")),
            Amount("employee_ss", _("Social security withheld from employees")),
            Amount("irpf", _("IRPF withheld")),
        ),
        lines=(
            TemplateLine("debit", {"gross": 1}, code="640", description=_("Salaries")),
            TemplateLine("debit", {"company_ss": 1}, code="642", description=_("Social security, company")),
            TemplateLine(
                "credit",
                {"company_ss": 1, "employee_ss": 1},
                code="476",
                description=_("Social security payable"),
            ),
            TemplateLine(
                "credit", {"irpf": 1}, code="4751", role="withholding_payable", description=_("IRPF withheld")
            ),
            TemplateLine(
                "credit",
                {"gross": 1, "employee_ss": -1, "irpf": -1},
                code="465",
                description=_("Net salaries"),
            ),
        ),
    ),
    EntryTemplate(
        key="depreciation",
        name=_("Depreciation"),
        about=_("The period's depreciation of fixed assets (681 / 281)."),
        journal="GEN",
        description=_("Depreciation"),
        amounts=(Amount("amount", _("Depreciation")),),
        lines=(
            TemplateLine("debit", {"amount": 1}, code="681"),
            TemplateLine("credit", {"amount": 1}, code="281"),
        ),
    ),
    EntryTemplate(
        key="vat_settlement",
        name=_("VAT settlement"),
        about=_(
            "The quarter's VAT (modelo 303): output VAT (477) against input VAT (472); the difference is payable "
            "to the tax office (4750) or receivable from it (4700)."
        ),
        journal="GEN",
        description=_("VAT settlement"),
        amounts=(
            Amount("output_vat", _("Output VAT"), _("The balance of 477 for the period.")),
            Amount("input_vat", _("Input VAT"), _("The balance of 472 for the period.")),
        ),
        lines=(
            TemplateLine("debit", {"output_vat": 1}, code="477", role="output_vat"),
            TemplateLine("credit", {"input_vat": 1}, code="472", role="input_vat"),
            TemplateLine("credit", {"output_vat": 1, "input_vat": -1}, code="4750", only_positive=True),
            TemplateLine("debit", {"input_vat": 1, "output_vat": -1}, code="4700", only_positive=True),
        ),
    ),
)

BY_KEY = {template.key: template for template in TEMPLATES}


def template_of(key: str) -> EntryTemplate | None:
    return BY_KEY.get(key)


def accounts_for(company: Company, template: EntryTemplate) -> dict[str, Account | None]:
    """Each line's reference → the company's account, or None when its chart has none (two queries)."""
    roles = {line.role for line in template.lines if line.role}
    by_role = {
        found.role: found.account
        for found in AccountDefault.objects.filter(company=company, role__in=roles).select_related("account")
        if not found.account.is_view and found.account.active
    }
    codes = {line.code for line in template.lines if line.code}
    condition = Q()
    for code in codes:
        condition |= Q(code__startswith=code)
    candidates = (
        list(Account.objects.filter(condition, company=company, is_view=False, active=True).order_by("code"))
        if codes
        else []
    )
    found: dict[str, Account | None] = {}
    for line in template.lines:
        account = by_role.get(line.role) if line.role else None
        if account is None and line.code:
            exact = [candidate for candidate in candidates if candidate.code == line.code]
            under = [candidate for candidate in candidates if candidate.code.startswith(line.code)]
            account = (exact or under or [None])[0]
        found[line.reference] = account
    return found


def missing_accounts(template: EntryTemplate, accounts: Mapping[str, Account | None]) -> list[str]:
    """The references the company's chart lacks, in the template's order."""
    return [
        line.reference if not line.code else line.code
        for line in template.lines
        if accounts.get(line.reference) is None
    ]


@dataclass(frozen=True)
class FilledLine:
    account: Account
    debit: Decimal
    credit: Decimal
    description: str


class TemplateProblem(ValueError):
    """What is wrong with the amounts typed, in words (a field name and a message)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def template_fill(
    template: EntryTemplate, accounts: Mapping[str, Account | None], amounts: Mapping[str, Decimal]
) -> list[FilledLine]:
    """The entry's lines from the amounts: each line's formula, rounded to cents; lines of zero left out."""
    values = {}
    for asked in template.amounts:
        value = amounts.get(asked.name) or ZERO
        if value < 0:
            raise TemplateProblem(asked.name, str(_("Amounts cannot be negative.")))
        if value >= MAX_AMOUNT:
            raise TemplateProblem(asked.name, str(_("The amount is too large.")))
        values[asked.name] = round_money(value)
    lines = []
    for line in template.lines:
        amount = round_money(sum((values[name] * sign for name, sign in line.formula.items()), ZERO))
        if amount <= 0 and line.only_positive:
            continue
        if amount < 0:
            raise TemplateProblem(
                None, str(_("These amounts leave a negative line: check them (deductions above the gross?)."))
            )
        if amount == 0:
            continue
        account = accounts.get(line.reference)
        if account is None:
            raise TemplateProblem(
                None,
                str(_("The chart of accounts has no account %(code)s.") % {"code": line.code or line.role}),
            )
        debit, credit = (amount, ZERO) if line.side == "debit" else (ZERO, amount)
        lines.append(FilledLine(account, debit, credit, str(line.description) if line.description else ""))
    if not lines:
        raise TemplateProblem(None, str(_("Type at least one amount.")))
    return lines
