"""The journal entry of every posted invoice, credit note and supplier invoice, made in the posting's own
transaction through `accounting.services.ledger.entry_record` and linked both ways: the entry names its
document as origin (`invoicing.invoice` / `invoicing.supplierinvoice`, id, number), the document's pages and
API find it with `entries_of`. When the ledger refuses the entry (a closed period, the lock date, a date
before the journal's last entry, an account missing) the posting is refused with its message and nothing
changes.

Customer invoice (journal VEN; credit notes VEN-R, simplified invoices VEN-S; on the invoice's date):
    D receivable (the party's own, else the default 4300)   amount due
    D withholding_receivable (473) per IRPF rate            the IRPF the customer withholds from us
    C sales per account (category → its parents → default: 700 goods, 705 services)   the lines' nets
    C output VAT (477) per rate, C output recargo (4771) per rate
A credit note is the same with negative figures, so every line changes side; its goods go to sales returns
(7080) instead of sales unless their category names its own sales account.

Supplier invoice (journal COM):
    D purchases per account (category → its parents → default 600)   the lines' nets
    D input VAT (472) per rate (a recargo borne is cost: its category's purchase account, unless mapped)
    C withholding_payable (4751) per IRPF rate               the IRPF we withhold from the supplier
    C payable (the party's own, else 4000)                   amount due
In another currency every figure is converted at the invoice's exchange rate.

The sales (purchase) lines take what balances the entry: any rounding difference between the lines' nets
and the invoice's figures goes to the largest one, so the entry balances to the cent. Lines of zero are
left out; a document of zero amounts makes no entry.

Every mapping is read in one statement per document (defaults, the party's accounts, the tax accounts,
the items' categories and the category accounts that apply), whatever its lines."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _

from nexo.accounting.models import Account, AccountDefault, PartyAccounting
from nexo.accounting.services.ledger import LineInput, Origin, entries_of, entry_record, journal_of
from nexo.catalog.models import Category, Item
from nexo.core import plainsql
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.formatting import number, trimmed
from nexo.core.models import Company, User
from nexo.core.rules import round_money
from nexo.core.validation import MAX_ID, decimal_of
from nexo.invoicing import rules
from nexo.invoicing.models import CategoryAccounts, Invoice, SupplierInvoice, TaxAccounts
from nexo.parties.models import Party

ZERO = Decimal("0.00")
INVOICE_MODEL = "invoicing.invoice"
SUPPLIER_INVOICE_MODEL = "invoicing.supplierinvoice"
SALES_JOURNAL, PURCHASES_JOURNAL = "VEN", "COM"
# Each invoice series numbers by date on its own, and so does each journal: one sales journal per series, so
# an invoice dated before a credit note already posted is still in date order in its journal.
CREDIT_NOTES_JOURNAL, SIMPLIFIED_JOURNAL = "VEN-R", "VEN-S"
SALE, PURCHASE = TaxAccounts.Side.SALE, TaxAccounts.Side.PURCHASE
VAT, RECARGO, IRPF = TaxAccounts.Kind.VAT, TaxAccounts.Kind.RECARGO, TaxAccounts.Kind.IRPF
# The company default each tax posts to when no TaxAccounts row names its rate.
TAX_DEFAULTS = {
    (VAT, SALE): "output_vat",
    (RECARGO, SALE): "output_recargo",
    (IRPF, SALE): "withholding_receivable",
    (VAT, PURCHASE): "input_vat",
    (IRPF, PURCHASE): "withholding_payable",
}


def _rate(value) -> Decimal:
    # SQLite hands a decimal column back as an int or a float: read it through its text, to the cent.
    return round_money(Decimal(str(value)))


@dataclass
class Mappings:
    """Everything that chooses a document's accounts, read at once: role → default account id, the party's
    own receivable and payable, (tax kind, rate) → account id, item id → (kind, its category ids nearest
    first), category id → (sales, purchase) account ids, and the party's name."""

    defaults: dict[str, int] = field(default_factory=dict)
    receivable: int | None = None
    payable: int | None = None
    taxes: dict[tuple[str, Decimal], int] = field(default_factory=dict)
    items: dict[int, tuple[str, tuple[int, ...]]] = field(default_factory=dict)
    categories: dict[int, tuple[int | None, int | None]] = field(default_factory=dict)
    party_name: str = ""

    def default(self, role: str) -> int:
        found = self.defaults.get(role)
        if found is None:
            raise Conflict(
                _("The chart of accounts has no default account for %(role)s: an accountant sets it.")
                % {"role": role}
            )
        return found

    def tax(self, kind: str, side: str, rate: Decimal) -> int:
        return self.taxes.get((kind, rate)) or self.default(TAX_DEFAULTS[kind, side])

    def item_account(self, item_id: int | None, side: str, *, credit_note: bool = False) -> int:
        """The account a line of this item posts to: its category's (or the nearest parent's that has
        one), else the company default for goods or services."""
        kind, ancestors = self.items.get(item_id, ("", ())) if item_id else ("", ())
        position = 0 if side == SALE else 1
        for category_id in ancestors:
            found = self.categories.get(category_id, (None, None))[position]
            if found:
                return found
        if side == PURCHASE:
            return self.default("purchases")
        if kind == Item.Kind.SERVICE:
            return self.default("services_income")
        return self.default("sales_returns" if credit_note else "sales")


def mappings_of(company: Company, *, side: str, party_id: int, item_ids: Iterable[int]) -> Mappings:
    """The document's mappings in one statement (a UNION of small indexed reads)."""
    item_ids = sorted({item_id for item_id in item_ids if item_id})
    table = {
        model: plainsql.quoted(model._meta.db_table)
        for model in (AccountDefault, PartyAccounting, TaxAccounts, Item, Category, CategoryAccounts, Party)
    }
    account = "sales_account_id" if side == SALE else "purchase_account_id"
    # Typed NULLs: PostgreSQL matches a UNION's column types pair by pair.
    decimal, integer, text = (
        "CAST(NULL AS NUMERIC(5, 2))",
        "CAST(NULL AS BIGINT)",
        "CAST(NULL AS VARCHAR(500))",
    )
    parts = [
        (
            f"SELECT 'd', role, {decimal}, account_id, {integer}, {text} "  # noqa: S608 (names from the models)
            f"FROM {table[AccountDefault]} WHERE company_id = %s",
            [company.pk],
        ),
        (
            f"SELECT 'p', name, {decimal}, a.receivable_id, a.payable_id, {text} FROM {table[Party]} p "  # noqa: S608
            f"LEFT JOIN {table[PartyAccounting]} a ON a.party_id = p.id WHERE p.id = %s AND p.company_id = %s",
            [party_id, company.pk],
        ),
        (
            f"SELECT 't', kind, rate, account_id, {integer}, {text} FROM {table[TaxAccounts]} "  # noqa: S608
            "WHERE company_id = %s AND side = %s",
            [company.pk, side],
        ),
    ]
    if item_ids:
        marks = plainsql.placeholders(len(item_ids))
        parts.append(
            (
                f"SELECT 'i', i.kind, {decimal}, i.id, i.category_id, c.path FROM {table[Item]} i "  # noqa: S608
                f"LEFT JOIN {table[Category]} c ON c.id = i.category_id WHERE i.id IN ({marks})",
                item_ids,
            )
        )
        # Only the category rows that apply: a mapped category whose id is on the path of an item's category.
        parts.append(
            (
                f"SELECT 'c', '', {decimal}, m.category_id, m.{account}, {text} FROM {table[CategoryAccounts]} m "  # noqa: S608
                f"WHERE m.company_id = %s AND m.{account} IS NOT NULL AND EXISTS (SELECT 1 FROM {table[Item]} i "
                f"JOIN {table[Category]} c ON c.id = i.category_id WHERE i.id IN ({marks}) "
                "AND c.path LIKE '%%/' || CAST(m.category_id AS VARCHAR(20)) || '/%%')",
                [company.pk, *item_ids],
            )
        )
    sql = " UNION ALL ".join(text for text, _params in parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for _text, params in parts for value in params])
        rows = cursor.fetchall()
    found = Mappings()
    position = 0 if side == SALE else 1
    for tag, name, rate, first, second, path in rows:
        if tag == "d":
            found.defaults[name] = first
        elif tag == "p":
            found.party_name, found.receivable, found.payable = name, first, second
        elif tag == "t":
            found.taxes[name, _rate(rate)] = first
        elif tag == "i":
            ancestors = tuple(int(part) for part in reversed((path or "").strip("/").split("/")) if part)
            found.items[first] = (name, ancestors)
        else:
            pair = [None, None]
            pair[position] = second
            found.categories[first] = (pair[0], pair[1])
    return found


# Building the lines


@dataclass
class _Lines:
    """Signed amounts (debit positive) per account, in the order they are added; the balancing group (sales
    or purchases) apart, so the rounding goes there."""

    party_id: int
    rate: Decimal | None = None  # a foreign currency's exchange rate
    fixed: list[tuple[int, Decimal, int | None, str]] = field(default_factory=list)
    balancing: dict[int, Decimal] = field(default_factory=dict)
    balancing_text: str = ""
    balancing_at: int | None = None  # where the balancing group stands among the lines

    def money(self, amount: Decimal) -> Decimal:
        return round_money(amount * self.rate) if self.rate is not None else amount

    def add(self, account_id: int, amount: Decimal, description: str, *, party: bool = False) -> None:
        amount = self.money(amount)
        if amount:
            self.fixed.append((account_id, amount, self.party_id if party else None, description))

    def add_balancing(self, account_id: int, amount: Decimal) -> None:
        if self.balancing_at is None:
            self.balancing_at = len(self.fixed)
        self.balancing[account_id] = self.balancing.get(account_id, ZERO) + self.money(amount)

    def lines(self) -> list[LineInput]:
        """The lines, the balancing group taking what makes the entry balance (its largest account the
        rounding difference)."""
        target = -sum((amount for _account, amount, _party, _text in self.fixed), ZERO)
        balancing = dict(self.balancing)
        difference = target - sum(balancing.values(), ZERO)
        if difference and balancing:
            largest = max(balancing, key=lambda account_id: (abs(balancing[account_id]), -account_id))
            balancing[largest] += difference
        at = len(self.fixed) if self.balancing_at is None else self.balancing_at
        group = [(account, amount, None, self.balancing_text) for account, amount in balancing.items()]
        rows = [*self.fixed[:at], *group, *self.fixed[at:]]
        return [
            LineInput(
                account_id=account_id,
                debit=amount if amount > 0 else ZERO,
                credit=-amount if amount < 0 else ZERO,
                party_id=party_id,
                description=description,
            )
            for account_id, amount, party_id, description in rows
            if amount
        ]


@dataclass(frozen=True)
class TaxFigure:
    """One tax amount of a document: VAT, recargo or IRPF at a rate (negative on a credit note)."""

    kind: str
    rate: Decimal
    amount: Decimal


def tax_figures(rows: Iterable) -> list[TaxFigure]:
    """A document's tax rows (InvoiceTax or SupplierInvoiceTax: VAT groups with their recargo, IRPF rates)
    as the amounts the entry posts, one per tax and rate (two VAT groups at 21 %, with and without recargo,
    make one VAT line)."""
    found: dict[tuple[str, Decimal], Decimal] = {}

    def add(kind: str, rate, amount: Decimal) -> None:
        key = (kind, _rate(rate))
        found[key] = found.get(key, ZERO) + amount

    for row in rows:
        if row.kind == IRPF:
            add(IRPF, row.rate, row.amount)
            continue
        add(VAT, row.rate, row.amount)
        if row.recargo:
            add(RECARGO, row.recargo_rate, row.recargo)
    return [
        TaxFigure(kind, rate, amount)
        for (kind, rate), amount in sorted(found.items(), key=lambda row: -row[0][1])
    ]


def _tax_text(kind: str, rate: Decimal) -> str:
    values = {"rate": number(trimmed(rate))}
    if kind == VAT:
        return _("VAT %(rate)s %%") % values
    if kind == RECARGO:
        return _("Equivalence surcharge %(rate)s %%") % values
    return _("IRPF withholding %(rate)s %%") % values


def _record(company, by, journal, document, model, lines: _Lines, description: str):
    built = lines.lines()
    if not built:
        return None  # a document of zero amounts has nothing to book
    return entry_record(
        company=company, by=by, journal=journal, date=document.date, lines=built, description=description,
        origin=Origin(model, document.pk, document.number),
    )  # fmt: skip


def invoice_entry(*, company: Company, by: User | None, invoice: Invoice, lines: Sequence, taxes: Iterable):
    """The entry of a customer invoice or credit note being posted (numbered, its figures final): `lines`
    its InvoiceLines, `taxes` its InvoiceTax rows."""
    credit_note = invoice.kind == Invoice.Kind.CREDIT_NOTE
    if credit_note:
        code = CREDIT_NOTES_JOURNAL
    elif invoice.invoice_type == rules.F2:
        code = SIMPLIFIED_JOURNAL
    else:
        code = SALES_JOURNAL
    journal = journal_of(company, code)  # first: sets the books up for a company without them
    found = mappings_of(
        company, side=SALE, party_id=invoice.party_id, item_ids=(line.item_id for line in lines)
    )
    name = invoice.party_name or found.party_name
    description = (
        _("Credit note %(number)s · %(party)s") if credit_note else _("Invoice %(number)s · %(party)s")
    ) % {"number": invoice.number, "party": name}
    built = _Lines(party_id=invoice.party_id, balancing_text=description)
    built.add(found.receivable or found.default("receivable"), invoice.amount_due, description, party=True)
    figures = tax_figures(taxes)
    for figure in figures:
        if figure.kind == IRPF:
            built.add(
                found.tax(IRPF, SALE, figure.rate), figure.amount, _tax_text(IRPF, figure.rate), party=True
            )
    for line in lines:
        built.add_balancing(found.item_account(line.item_id, SALE, credit_note=credit_note), -line.net)
    for kind in (VAT, RECARGO):
        for figure in figures:
            if figure.kind == kind:
                built.add(found.tax(kind, SALE, figure.rate), -figure.amount, _tax_text(kind, figure.rate))
    return _record(company, by, journal, invoice, INVOICE_MODEL, built, description)


def supplier_invoice_entry(
    *, company: Company, by: User | None, invoice: SupplierInvoice, lines: Sequence, taxes: Iterable
):
    """The entry of a supplier invoice being posted (numbered, its figures final): `lines` its
    SupplierInvoiceLines, `taxes` its SupplierInvoiceTax rows."""
    journal = journal_of(company, PURCHASES_JOURNAL)  # first: sets the books up for a company without them
    found = mappings_of(
        company, side=PURCHASE, party_id=invoice.party_id, item_ids=(line.item_id for line in lines)
    )
    description = _("Supplier invoice %(number)s (%(supplier_number)s) · %(party)s") % {
        "number": invoice.number, "supplier_number": invoice.supplier_number, "party": found.party_name,
    }  # fmt: skip
    rate = invoice.exchange_rate if invoice.currency != company.currency and invoice.exchange_rate else None
    built = _Lines(party_id=invoice.party_id, rate=rate, balancing_text=description)
    for line in lines:
        built.add_balancing(found.item_account(line.item_id, PURCHASE), line.net)
    figures = tax_figures(taxes)
    largest = max(lines, key=lambda line: abs(line.net), default=None)
    for figure in sorted(figures, key=lambda figure: (VAT, RECARGO, IRPF).index(figure.kind)):  # stable
        if figure.kind == VAT:
            built.add(found.tax(VAT, PURCHASE, figure.rate), figure.amount, _tax_text(VAT, figure.rate))
        elif figure.kind == RECARGO:
            # A recargo borne is not deductible: it is part of the cost, unless an account is mapped for it.
            account = found.taxes.get((RECARGO, figure.rate)) or found.item_account(
                largest.item_id if largest else None, PURCHASE
            )
            built.add(account, figure.amount, _tax_text(RECARGO, figure.rate))
        else:
            built.add(
                found.tax(IRPF, PURCHASE, figure.rate),
                -figure.amount,
                _tax_text(IRPF, figure.rate),
                party=True,
            )
    built.add(found.payable or found.default("payable"), -invoice.amount_due, description, party=True)
    return _record(company, by, journal, invoice, SUPPLIER_INVOICE_MODEL, built, description)


def entry_link(company: Company, model: str, document) -> dict:
    """`entry_id` and `entry_number` of a posted (or cancelled) document's entry (its first: the one posting
    made), and `reversal_entry_id` and `reversal_entry_number` of the entry that reversed it when the document was
    cancelled; none for a draft, without a query."""
    if document.state == rules.DRAFT:
        return {"entry_id": None, "entry_number": "", "reversal_entry_id": None, "reversal_entry_number": ""}
    entries = entries_of(company, model, [document.pk]).get(document.pk) or []
    first = entries[0] if entries else None
    reversal = next((entry for entry in entries if first and entry.reverses_id == first.pk), None)
    return {
        "entry_id": first.pk if first else None,
        "entry_number": first.number if first else "",
        "reversal_entry_id": reversal.pk if reversal else None,
        "reversal_entry_number": reversal.number if reversal else "",
    }


def document_entries(company: Company, model: str, document_ids: Sequence[int]) -> dict[int, list]:
    """Each document's entries (oldest first), in one query: the link from a document to its entry."""
    return entries_of(company, model, document_ids)


# The mappings, read and set (the page /invoicing/accounts/ and PUT /invoicing/account-mapping)

# The rates the mapping page offers for each tax and side, beside any other rate already mapped.
USUAL_RATES = {
    (VAT, SALE): ("21", "10", "4"),
    (RECARGO, SALE): ("5.2", "1.4", "0.5"),
    (IRPF, SALE): ("15", "7"),
    (VAT, PURCHASE): ("21", "10", "4"),
    (IRPF, PURCHASE): ("15", "7", "19"),
}
MAX_MAPPING_ROWS = 2000


@dataclass(frozen=True)
class CategoryAccountsInput:
    """A category's own accounts by code; None or "" leaves it to its parent or the default."""

    category_id: int
    sales_account: str | None = None
    purchase_account: str | None = None


@dataclass(frozen=True)
class TaxAccountInput:
    """The account (by code) a tax posts to at a rate on one side; None or "" posts to the default."""

    kind: str
    side: str
    rate: Decimal
    account: str | None = None


@dataclass(frozen=True)
class CategoryRow:
    category_id: int
    category: str
    sales_account: str
    purchase_account: str


@dataclass(frozen=True)
class TaxRow:
    kind: str
    side: str
    rate: Decimal
    account: str
    default: str  # the default account's code it falls back to


@dataclass(frozen=True)
class AccountMapping:
    categories: list[CategoryRow]
    taxes: list[TaxRow]
    defaults: dict[str, str]  # role → code


def account_mapping_of(company: Company) -> AccountMapping:
    """Every category with its own accounts (codes, empty where it takes its parent's or the default), the
    tax rows mapped and the usual rates, and the defaults' codes: four queries."""
    defaults = {
        role: code
        for role, code in AccountDefault.objects.filter(company=company).values_list("role", "account__code")
    }
    mapped = {
        row["category_id"]: row
        for row in CategoryAccounts.objects.filter(company=company).values(
            "category_id", "sales_account__code", "purchase_account__code"
        )
    }
    categories = [
        CategoryRow(
            pk, full_name or name, (mapped.get(pk) or {}).get("sales_account__code") or "",
            (mapped.get(pk) or {}).get("purchase_account__code") or "",
        )
        for pk, name, full_name in Category.objects.filter(company=company)
        .order_by("full_name", "pk")
        .values_list("pk", "name", "full_name")
    ]  # fmt: skip
    taxes = {
        (row.kind, row.side, _rate(row.rate)): row.account.code
        for row in TaxAccounts.objects.filter(company=company).select_related("account")
    }
    for (kind, side), rates in USUAL_RATES.items():
        for rate in rates:
            taxes.setdefault((kind, side, _rate(Decimal(rate))), "")
    order = {key: index for index, key in enumerate(TAX_DEFAULTS)}
    rows = [
        TaxRow(kind, side, rate, code, defaults.get(TAX_DEFAULTS.get((kind, side), ""), ""))
        for (kind, side, rate), code in sorted(
            taxes.items(), key=lambda item: (order.get(item[0][:2], 99), -item[0][2])
        )
    ]
    return AccountMapping(categories, rows, defaults)


def _accounts_by_code(company: Company, codes: Iterable[str]) -> dict[str, Account]:
    codes = {code for code in codes if code}
    return {account.code: account for account in Account.objects.filter(company=company, code__in=codes)}


def _account_of(accounts: dict[str, Account], code, field: str, nature: str | None = None) -> Account | None:
    code = str(code or "").strip()
    if not code:
        return None
    account = accounts.get(code)
    if account is None:
        raise ValidationFailed.on(
            field, _("There is no account %(code)s in the chart.") % {"code": code[:20]}
        )
    if account.is_view:
        raise ValidationFailed.on(
            field,
            _("%(account)s is a view account that groups others: choose one of its accounts.")
            % {"account": account},
        )
    if not account.active:
        raise ValidationFailed.on(field, _("%(account)s is inactive.") % {"account": account})
    if nature == "income" and account.nature != "income":
        raise ValidationFailed.on(field, _("A sales account is an income account (group 7)."))
    if nature == "expense" and account.nature != "expense":
        raise ValidationFailed.on(field, _("A purchase account is an expense account (group 6)."))
    return account


def account_mapping_set(
    *,
    company: Company,
    by: User,
    categories: Sequence[CategoryAccountsInput] = (),
    taxes: Sequence[TaxAccountInput] | None = None,
) -> AccountMapping:
    """Set the categories' own accounts (those listed; empty both: the row goes) and, when `taxes` is given,
    every tax row at once (a rate left out or empty posts to the default). Accounts are named by code, of
    this company, postable (not a view, active); a sales account is income, a purchase account expense.
    A field error names `categories.N.sales_account`, `taxes.N.account`…; nothing is saved then."""
    categories, taxes = list(categories or []), None if taxes is None else list(taxes)
    if len(categories) > MAX_MAPPING_ROWS or (taxes is not None and len(taxes) > MAX_MAPPING_ROWS):
        raise ValidationFailed.on("categories", _("At most %(count)s rows.") % {"count": MAX_MAPPING_ROWS})
    with transaction.atomic():
        codes = [
            str(code or "").strip()
            for row in categories
            for code in (row.sales_account, row.purchase_account)
        ]
        codes += [str(row.account or "").strip() for row in taxes or []]
        accounts = _accounts_by_code(company, codes)
        ids = [row.category_id for row in categories]
        for index, category_id in enumerate(ids):
            if (
                isinstance(category_id, bool)
                or not isinstance(category_id, int)
                or not 0 < category_id <= MAX_ID
            ):
                raise ValidationFailed.on(f"categories.{index}.category_id", _("No such category."))
        known = set(Category.objects.filter(company=company, pk__in=ids).values_list("pk", flat=True))
        existing = {
            row.category_id: row
            for row in CategoryAccounts.objects.filter(company=company, category_id__in=ids)
        }
        seen: set[int] = set()
        changed, made, gone = [], [], []
        for index, row in enumerate(categories):
            field = f"categories.{index}"
            if row.category_id not in known:
                raise ValidationFailed.on(f"{field}.category_id", _("No such category."))
            if row.category_id in seen:
                raise ValidationFailed.on(f"{field}.category_id", _("This category is listed twice."))
            seen.add(row.category_id)
            sales = _account_of(accounts, row.sales_account, f"{field}.sales_account", "income")
            purchase = _account_of(accounts, row.purchase_account, f"{field}.purchase_account", "expense")
            current = existing.get(row.category_id)
            if sales is None and purchase is None:
                if current is not None:
                    gone.append(current.pk)
                continue
            if current is None:
                current = CategoryAccounts(company=company, category_id=row.category_id, created_by=by)
                made.append(current)
            else:
                changed.append(current)
            current.sales_account, current.purchase_account, current.updated_by = sales, purchase, by
        CategoryAccounts.objects.filter(pk__in=gone).delete()
        CategoryAccounts.objects.bulk_create(made)
        if changed:
            CategoryAccounts.objects.bulk_update(changed, ["sales_account", "purchase_account", "updated_by"])
        if taxes is not None:
            rows, keys = [], set()
            for index, row in enumerate(taxes):
                field = f"taxes.{index}"
                if (row.kind, row.side) not in TAX_DEFAULTS and (row.kind, row.side) != (RECARGO, PURCHASE):
                    raise ValidationFailed.on(
                        f"{field}.kind", _("Choose VAT, surcharge or IRPF on sales or purchases.")
                    )
                rate = decimal_of(row.rate, f"{field}.rate")
                if not ZERO <= rate < 100 or rate != round_money(rate):
                    raise ValidationFailed.on(
                        f"{field}.rate", _("Give a rate from 0 to under 100, with at most 2 decimals.")
                    )
                account = _account_of(accounts, row.account, f"{field}.account")
                key = (row.kind, row.side, round_money(rate))
                if key in keys:
                    raise ValidationFailed.on(f"{field}.rate", _("This tax and rate is listed twice."))
                keys.add(key)
                if account is not None:
                    rows.append(
                        TaxAccounts(
                            company=company, kind=row.kind, side=row.side, rate=round_money(rate), account=account,
                            created_by=by, updated_by=by,
                        )
                    )  # fmt: skip
            TaxAccounts.objects.filter(company=company).delete()
            TaxAccounts.objects.bulk_create(rows)
    return account_mapping_of(company)


__all__ = [
    "INVOICE_MODEL",
    "SUPPLIER_INVOICE_MODEL",
    "AccountMapping",
    "CategoryAccountsInput",
    "Mappings",
    "TaxAccountInput",
    "TaxFigure",
    "account_mapping_of",
    "account_mapping_set",
    "document_entries",
    "entry_link",
    "invoice_entry",
    "mappings_of",
    "supplier_invoice_entry",
    "tax_figures",
]
