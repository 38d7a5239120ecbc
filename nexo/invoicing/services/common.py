"""What every invoicing service shares: the company's settings, the locked invoice, the draft-only rule,
the lines typed by hand, and the tax figures of a draft or a posting."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from nexo.catalog.models import Item, TaxRate
from nexo.core import plainsql
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.models import Company
from nexo.core.rules import round_money
from nexo.core.validation import decimal_of, locked, quantity_of
from nexo.invoicing import rules, tax
from nexo.invoicing.models import Invoice, InvoiceLine, InvoiceTax, InvoicingSettings
from nexo.parties.models import Address, Party
from nexo.sales.rules import line_net

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
MAX_LINES = 1000
MAX_PRICE = Decimal("1e10")


@dataclass(frozen=True)
class InvoiceLineInput:
    """A line typed by hand: an item (or none, for free text), what it says, how many, at what price, the
    line's discount % and its VAT % (None: the item's sale tax on the invoice's date)."""

    item_id: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = Decimal(0)
    vat_rate: Decimal | None = None


@dataclass(frozen=True)
class ItemFacts:
    """What taxing a line needs of its item: goods or a service, its IRPF %, its art. 20.Uno paragraph."""

    kind: str
    irpf_rate: Decimal
    vat_exemption: int | None

    @classmethod
    def of(cls, item: Item | None) -> "ItemFacts | None":
        return None if item is None else cls(item.kind, item.irpf_rate, item.vat_exemption)


def settings_of(company: Company) -> InvoicingSettings:
    # Plain SQL first: read by every posting; created on the first one (or by the company's set-up).
    found = plainsql.select(InvoicingSettings, ("company_id = %s", [company.pk]), order_by=(), limit=1)
    if found:
        return found[0]
    settings, _created = InvoicingSettings.objects.get_or_create(company=company)
    return settings


def locked_invoice(company: Company, invoice_id: int) -> Invoice:
    """The company's invoice, its row locked until the transaction ends (404 when there is none)."""
    invoice = locked(Invoice, company=company, pk=invoice_id, missing=_("No such invoice."))
    invoice.company = company
    return invoice


def check_draft(invoice: Invoice, *, deleting: bool = False) -> None:
    """Only a draft changes or goes away; a posted invoice is corrected by a credit note."""
    if invoice.state == rules.DRAFT:
        return
    values = {"invoice": invoice.number or invoice.pk}
    if deleting:
        raise Conflict(
            _("Invoice %(invoice)s is posted: it cannot be deleted; correct it with a credit note.") % values
        )
    raise Conflict(
        _("Invoice %(invoice)s is posted: it cannot be changed; correct it with a credit note.") % values
    )


def invoice_lines(invoice_id: int) -> list[InvoiceLine]:
    return plainsql.select(InvoiceLine, ("invoice_id = %s", [invoice_id]), order_by=("position", "id"))


# Lines typed by hand


def percent_of(value, field: str) -> Decimal:
    percent = decimal_of(value if value not in (None, "") else 0, field)
    if not 0 <= percent <= HUNDRED or percent != percent.quantize(Decimal("0.01")):
        raise ValidationFailed.on(field, _("Give a percentage between 0 and 100, with at most 2 decimals."))
    return percent


def vat_rate_of(value, field: str) -> Decimal:
    rate = decimal_of(value, field)
    if not 0 <= rate < HUNDRED or rate != rate.quantize(Decimal("0.01")):
        raise ValidationFailed.on(field, _("Give a VAT rate from 0 to under 100, with at most 2 decimals."))
    return rate.quantize(Decimal("0.01"))


def price_of(value, field: str) -> Decimal:
    price = decimal_of(value, field)
    if price < 0 or price >= MAX_PRICE or price != price.quantize(Decimal("0.000001")):
        raise ValidationFailed.on(field, _("Give a price of 0 or more, with at most 6 decimals."))
    return price


def lines_typed(company: Company, lines: Sequence[InvoiceLineInput], day) -> list[InvoiceLine]:
    """Unsaved invoice lines from lines typed by hand, each checked (a field error names `lines.N.x`); the
    items and the sale tax rates of those without a VAT % read in two queries whatever their number."""
    lines = list(lines or [])
    if len(lines) > MAX_LINES:
        raise ValidationFailed.on("lines", _("At most %(count)s lines.") % {"count": MAX_LINES})
    item_ids = set()
    for index, line in enumerate(lines):
        if not isinstance(line, InvoiceLineInput):
            raise ValidationFailed.on(f"lines.{index}", _("Give the line's item, quantity and price."))
        if line.item_id is not None:
            item_ids.add(line.item_id)
    items = {
        item.pk: item
        for item in Item.objects.filter(company=company, pk__in=item_ids).only(
            "id", "name", "kind", "sale_tax_id", "irpf_rate", "vat_exemption"
        )
    }
    rates = _sale_rates({item.sale_tax_id for item in items.values()}, day) if items else {}
    made = []
    for index, line in enumerate(lines):
        field = f"lines.{index}"
        item = items.get(line.item_id) if line.item_id is not None else None
        if line.item_id is not None and item is None:
            raise ValidationFailed.on(f"{field}.item", _("No such item."))
        description = (line.description or "").strip() or (item.name if item else "")
        if not description:
            raise ValidationFailed.on(f"{field}.description", _("Describe a line without an item."))
        if len(description) > 300:
            raise ValidationFailed.on(f"{field}.description", _("Use at most 300 characters."))
        quantity = quantity_of(line.quantity, f"{field}.quantity")
        unit_price = price_of(line.unit_price, f"{field}.unit_price")
        discount = percent_of(line.discount, f"{field}.discount")
        if line.vat_rate is not None:
            vat_rate = vat_rate_of(line.vat_rate, f"{field}.vat_rate")
        elif item is not None and rates.get(item.sale_tax_id) is not None:
            vat_rate = rates[item.sale_tax_id]
        else:
            raise ValidationFailed.on(f"{field}.vat_rate", _("Give the line's VAT rate."))
        made.append(
            InvoiceLine(
                position=index + 1, item_id=item.pk if item else None, description=description,
                quantity=quantity, unit_price=unit_price, discount=discount,
                net=line_net(quantity, unit_price, discount), vat_rate=vat_rate,
            )
        )  # fmt: skip
        made[-1].facts = ItemFacts.of(item)
    return made


def _sale_rates(category_ids: Iterable[int], day) -> dict[int, Decimal]:
    """Each tax category's rate on `day` (catalog.queries.tax_rate_on for several at once)."""
    found: dict[int, Decimal] = {}
    day_value = connection.ops.adapt_datefield_value(day)
    where = plainsql.both(plainsql.among("tax_category_id", category_ids), ("valid_from <= %s", [day_value]))
    for rate in plainsql.select(TaxRate, where, order_by=("tax_category_id", "valid_from")):
        found[rate.tax_category_id] = rate.rate  # the latest on or before the day wins
    return found


# The party's tax position


@dataclass(frozen=True)
class Customer:
    """The party as an invoice takes it: its record and its billing address (None when it has none)."""

    party: Party
    address: Address | None

    @property
    def country(self) -> str:
        return self.address.country if self.address else self.party.country

    @property
    def address_text(self) -> str:
        address = self.address
        if address is None:
            return ""
        parts = [address.street, f"{address.postal_code} {address.city}".strip(), address.province]
        if address.country != "ES":
            parts.append(address.country)
        return "\n".join(part for part in parts if part)


def customer_of(company: Company, party_id) -> Customer:
    """The company's party and its billing address (the default one first), in one query."""
    try:
        party_id = int(party_id)
    except (TypeError, ValueError):
        raise ValidationFailed.on("party", _("No such customer.")) from None
    parties, addresses = plainsql.quoted(Party._meta.db_table), plainsql.quoted(Address._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {plainsql.columns(Party, 'p')}, {plainsql.columns(Address, 'a')} FROM {parties} p "  # noqa: S608
            f"LEFT JOIN {addresses} a ON a.id = (SELECT b.id FROM {addresses} b WHERE b.party_id = p.id "
            "AND b.kind = %s ORDER BY b.is_default DESC, b.id LIMIT 1) WHERE p.company_id = %s AND p.id = %s",
            [Address.Kind.BILLING, company.pk, party_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise ValidationFailed.on("party", _("No such customer."))
    width = len(Party._meta.concrete_fields)
    address = plainsql.from_row(Address, row[width:]) if row[width] is not None else None
    return Customer(plainsql.from_row(Party, row[:width]), address)


@dataclass(frozen=True)
class LineTaxes:
    """A line's taxes as the invoice charges them."""

    vat_rate: Decimal
    recargo_rate: Decimal
    irpf_rate: Decimal
    treatment: str


def taxed(company: Company, invoice: Invoice, customer: Customer, lines: Sequence[InvoiceLine]):
    """The invoice's taxes and each line's charged rates. An invoice's lines are taxed from the party's
    position (its billing address's country and postal code, EU VAT number, recargo, IRPF) and each
    item's kind, IRPF rate and art. 20 exemption; a credit note's lines keep the rates of the lines they
    correct. A rule the engine refuses (a customer in the Canary Islands, a VAT rate without recargo) is a
    field error."""
    charged: list[LineTaxes] = []
    taxable: list[tax.TaxableLine] = []
    positions: dict[tuple, tax.TaxPosition] = {}  # lines of one kind of item share their position
    try:
        for line in lines:
            if invoice.kind == Invoice.Kind.CREDIT_NOTE:
                treatment = tax.treatment_of(line.treatment or tax.DOMESTIC.code)
                taxable_line = tax.TaxableLine(
                    base=line.net, vat_rate=line.vat_rate, recargo_rate=line.recargo_rate,
                    irpf_rate=line.irpf_rate, treatment=treatment,
                )  # fmt: skip
            else:
                facts = getattr(line, "facts", None) if line.item_id else None
                service = facts is not None and facts.kind == Item.Kind.SERVICE
                irpf_rate = facts.irpf_rate if facts is not None else ZERO
                exemption = facts.vat_exemption if facts is not None else None
                key = (service, bool(irpf_rate), exemption)
                if key not in positions:
                    positions[key] = tax.tax_position(
                        issuer_country=company.country, customer_country=customer.country,
                        customer_postal_code=customer.address.postal_code if customer.address else "",
                        customer_has_valid_eu_vat=customer.party.eu_vat_valid,
                        supply=tax.Supply.SERVICE if service else tax.Supply.GOODS,
                        customer_subject_to_recargo=customer.party.subject_to_recargo,
                        customer_withholds_irpf=customer.party.withholds_irpf,
                        withholding_applies=bool(irpf_rate), exemption_art20=exemption,
                    )  # fmt: skip
                taxable_line = positions[key].line(
                    base=line.net, vat_rate=Decimal(line.vat_rate), irpf_rate=Decimal(irpf_rate)
                )
            taxable.append(taxable_line)
            charged.append(
                LineTaxes(
                    taxable_line.vat_rate, taxable_line.recargo_rate, taxable_line.irpf_rate,
                    taxable_line.treatment.code,
                )
            )  # fmt: skip
        figures = tax.invoice_taxes(taxable)
    except tax.TaxRuleError as error:
        raise ValidationFailed.on(
            "party", _("These lines cannot be taxed for this customer: %(reason)s") % {"reason": error}
        ) from error
    return figures, charged


def store_figures(invoice: Invoice, figures: tax.InvoiceTaxes) -> list[InvoiceTax]:
    """The invoice's totals from its taxes (in memory) and its tax rows (unsaved): one per VAT group, one
    per withholding rate."""
    invoice.base, invoice.vat, invoice.recargo = figures.base, figures.vat, figures.recargo
    invoice.withholding, invoice.total, invoice.amount_due = (
        figures.withholding,
        figures.total,
        figures.amount_due,
    )
    treatments = {group.treatment.code for group in figures.vat_groups}
    invoice.treatment = treatments.pop() if len(treatments) == 1 else ("mixed" if treatments else "")
    rows = [
        InvoiceTax(
            invoice_id=invoice.pk, kind=InvoiceTax.Kind.VAT, treatment=group.treatment.code,
            rate=group.vat_rate, recargo_rate=group.recargo_rate, base=group.base, amount=group.vat,
            recargo=group.recargo,
        )
        for group in figures.vat_groups
    ]  # fmt: skip
    rows += [
        InvoiceTax(
            invoice_id=invoice.pk, kind=InvoiceTax.Kind.IRPF, rate=group.irpf_rate, base=group.base,
            amount=group.withholding,
        )
        for group in figures.withholding_groups
    ]  # fmt: skip
    return rows


def replace_taxes(invoice: Invoice, rows: Sequence[InvoiceTax]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {plainsql.quoted(InvoiceTax._meta.db_table)} WHERE invoice_id = %s",  # noqa: S608
            [invoice.pk],
        )
    if rows:
        plainsql.insert(InvoiceTax, list(rows))


def draft_figures(
    company: Company, invoice: Invoice, customer: Customer, lines: Sequence[InvoiceLine]
) -> None:
    """A draft's taxes and totals as they would be posted today (its lines keep their own VAT %: posting
    taxes them again from the party's position then)."""
    figures, _charged = taxed(company, invoice, customer, lines)
    rows = store_figures(invoice, figures)
    replace_taxes(invoice, rows)


def not_found_invoice() -> NotFound:
    return NotFound(_("No such invoice."))


def money(value) -> Decimal:
    return round_money(Decimal(value))
