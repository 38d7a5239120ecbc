"""Posting an invoice or a credit note: its final taxes from the party's tax position, its gapless number,
the customer as it stands, the cost of the goods billed, and the orders' invoiced quantities.

Constant queries whatever the number of lines (about 15, plus 4 per order billed): lines, items, party and
address read once each, lines and order lines written with one prepared statement each, taxes inserted in
one statement (docs/modules/invoicing.md, "Posting")."""

from collections import defaultdict
from datetime import date as Date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.accounting.services.payment_terms import CUSTOMER, term_label, term_of_party
from nexo.catalog.models import Item
from nexo.core import plainsql
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.modules import contributions
from nexo.core.rules import round_money
from nexo.core.services import sequence_next
from nexo.core.states import state_change
from nexo.invoicing import rules
from nexo.invoicing.models import Invoice, InvoiceLine
from nexo.invoicing.services.common import (
    ZERO,
    customer_of,
    locked_invoice,
    replace_taxes,
    settings_of,
    store_figures,
    taxed,
)
from nexo.invoicing.services.entries import invoice_entry
from nexo.invoicing.services.invoices import lines_with_items, order_line_share
from nexo.sales.models import Delivery, DeliveryLine, SalesOrder, SalesOrderLine
from nexo.sales.services.fulfilment import line_fulfilment, order_refresh

# Art. 4.1 a) RD 1619/2012 (Reglamento de facturación): a simplified invoice up to 400 €, VAT included. The
# 3,000 € limit of art. 4.2 (retail, hospitality and the other listed trades) is not offered.
SIMPLIFIED_LIMIT = Decimal("400.00")
LINE_FIELDS = ("net", "vat_rate", "recargo_rate", "irpf_rate", "treatment", "cost")
POSTED_FIELDS = (
    "state", "series", "year", "sequence", "number", "party_name", "party_tax_id", "party_address",
    "party_country", "language", "base", "vat", "recargo", "withholding", "total", "amount_due", "cost",
    "treatment", "posted_at", "posted_by", "updated_at", "updated_by", "payment_term", "payment_terms",
)  # fmt: skip


def invoice_post(*, company: Company, by: User, invoice_id: int) -> Invoice:
    """Post a draft invoice or credit note, under its lock, the lock of the orders it bills and the lock of
    its series' number: it gets the next number of its series and year (invoice F, credit note R, simplified
    FS: `F-2026-000123`), refused when dated before the last posted invoice of that series and year (checked
    under the number's lock, so numbers follow dates also when invoices are posted at once)."""
    with transaction.atomic():
        invoice = locked_invoice(company, invoice_id)
        if invoice.state != rules.DRAFT:
            raise Conflict(_("Invoice %(invoice)s is already posted.") % {"invoice": invoice.number})
        lines = lines_with_items(invoice.pk)
        if not lines:
            raise ValidationFailed.on(
                "lines", _("An invoice without lines cannot be posted: add what it bills.")
            )
        if not (company.tax_id.strip() and company.street.strip() and company.city.strip()):
            # The issuer's tax id and address are legal content of every invoice (art. 6 RD 1619/2012).
            raise Conflict(
                _(
                    "%(company)s needs its tax id and address (street and city) on every invoice: an "
                    "administrator completes them before posting."
                )
                % {"company": company.name}
            )
        customer = customer_of(company, invoice.party_id)
        simplified = invoice.invoice_type in (rules.F2, rules.R5)
        if not simplified:
            if not customer.party.tax_id.strip():
                raise ValidationFailed.on(
                    "party",
                    _("%(party)s has no tax id: give it one before posting (or issue a simplified invoice).")
                    % {"party": customer.party.name},
                )
            if customer.address is None:
                raise ValidationFailed.on(
                    "party",
                    _("%(party)s has no billing address: add one before posting.")
                    % {"party": customer.party.name},
                )
        corrected = (
            _check_credit(company, invoice, lines) if invoice.kind == Invoice.Kind.CREDIT_NOTE else None
        )
        orders, order_lines = _bill_orders(company, invoice, lines)

        figures, charged = taxed(company, invoice, customer, lines)
        for line, line_taxes in zip(lines, charged, strict=True):
            line.vat_rate, line.recargo_rate = line_taxes.vat_rate, line_taxes.recargo_rate
            line.irpf_rate, line.treatment = line_taxes.irpf_rate, line_taxes.treatment
        if invoice.invoice_type == rules.F2 and figures.total > SIMPLIFIED_LIMIT:
            raise ValidationFailed.on(
                "total",
                _(
                    "A simplified invoice bills at most %(limit)s € VAT included (art. 4.1 a RD 1619/2012); "
                    "this one totals %(total)s €: issue a full invoice with the customer's tax id."
                )
                % {"limit": SIMPLIFIED_LIMIT, "total": figures.total},
            )
        if corrected is not None and invoice.date < corrected.date:
            raise ValidationFailed.on(
                "date", _("A credit note cannot be dated before the invoice it corrects (%(date)s).")
                % {"date": corrected.date.isoformat()},
            )  # fmt: skip
        rows = store_figures(invoice, figures)
        invoice.cost = sum((line.cost for line in lines), ZERO)
        _number(company, invoice)
        party = customer.party
        invoice.party_name, invoice.party_tax_id = party.name, party.tax_id
        invoice.party_address, invoice.party_country = customer.address_text, customer.country
        invoice.language = party.language
        if invoice.payment_term_id is None:
            invoice.payment_term = term_of_party(company, invoice.party_id, CUSTOMER)
        if not invoice.payment_terms.strip():
            invoice.payment_terms = term_label(invoice.payment_term, invoice.language or "es")
        invoice.posted_at, invoice.posted_by, invoice.updated_by = timezone.now(), by, by

        # Lines and taxes first: once the invoice is posted the database refuses any change to them.
        plainsql.update(InvoiceLine, lines, LINE_FIELDS)
        replace_taxes(invoice, rows)
        state_change(invoice, rules.POSTED, lifecycle=rules.INVOICE_LIFECYCLE, by=by)
        plainsql.update(Invoice, [invoice], POSTED_FIELDS)
        # Its journal entry in the same transaction: refused by the ledger, the posting is refused too.
        invoice_entry(company=company, by=by, invoice=invoice, lines=lines, taxes=rows)
        # Its due amounts (the payments module), in the same transaction.
        contributions(
            "document_posted", company=company, by=by, model_label="invoicing.invoice", document=invoice
        )
        if order_lines:
            plainsql.update(SalesOrderLine, order_lines, ("invoiced", "invoiced_net"))
            for order in orders:
                order_refresh(order, by)
        return invoice


def _number(company: Company, invoice: Invoice) -> None:
    """The next number of the invoice's series and year; the date check runs under that number's row lock,
    so the last posted date it reads cannot move until this transaction ends. A cancelled invoice keeps its
    number and its date: numbers still follow dates."""
    settings = settings_of(company)
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        series = settings.credit_note_series
    elif invoice.invoice_type == rules.F2:
        series = settings.simplified_series
    else:
        series = settings.invoice_series
    year = invoice.date.year
    sequence = sequence_next(company_id=company.pk, series=series, year=year)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(date) FROM {plainsql.quoted(Invoice._meta.db_table)} "  # noqa: S608
            "WHERE company_id = %s AND series = %s AND year = %s AND state IN (%s, %s)",
            [company.pk, series, year, *rules.ISSUED_STATES],
        )
        last = cursor.fetchone()[0]
    if isinstance(last, str):
        last = Date.fromisoformat(last)
    if last is not None and invoice.date < last:
        raise ValidationFailed.on(
            "date",
            _(
                "Series %(series)s already has an invoice posted on %(last)s: numbers follow dates, so this "
                "one cannot be dated earlier."
            )
            % {"series": series, "last": last.isoformat()},
        )
    invoice.series, invoice.year, invoice.sequence = series, year, sequence
    invoice.number = rules.invoice_number(series, year, sequence)


def _bill_orders(company: Company, invoice: Invoice, lines: list[InvoiceLine]):
    """The orders the lines bill, locked, and their lines with the quantities and nets invoiced after this
    posting. An invoice never bills more than was delivered (less returned; a service: ordered less
    cancelled); its lines' nets are set again from the order lines (the part that completes an order line
    takes what is left of its net) and their cost of goods from the deliveries. A credit note gives back
    what it credits."""
    billing = [line for line in lines if line.order_line_id]
    if not billing:
        for line in lines:
            if invoice.kind == Invoice.Kind.INVOICE:
                line.cost = ZERO
        return [], []
    line_ids = {line.order_line_id for line in billing}
    order_ids = set(
        SalesOrderLine.objects.filter(pk__in=line_ids).order_by().values_list("order_id", flat=True)
    )
    where = plainsql.both(("company_id = %s", [company.pk]), plainsql.among("id", sorted(order_ids)))
    orders = plainsql.select(SalesOrder, where, order_by=("id",), for_update=True)
    for order in orders:
        order.company = company
    order_lines = {
        line.pk: line
        for line in plainsql.select(SalesOrderLine, plainsql.among("id", line_ids), order_by=("id",))
    }
    goods = _goods_cost(line_ids, invoice) if invoice.kind == Invoice.Kind.INVOICE else {}
    for line in billing:
        order_line = order_lines[line.order_line_id]
        facts = getattr(line, "facts", None) if line.item_id == order_line.item_id else None
        stocked = facts is not None and facts.kind == Item.Kind.STOCKED
        figures = line_fulfilment(order_line, stocked=stocked)
        if invoice.kind == Invoice.Kind.CREDIT_NOTE:
            if order_line.invoiced + line.quantity < 0:
                raise Conflict(
                    _("%(line)s: the credit note gives back more than was invoiced.")
                    % {"line": line.description}
                )
            order_line.invoiced += line.quantity
            order_line.invoiced_net += line.net
            continue
        if order_line.invoiced + line.quantity > figures.invoiceable:
            raise Conflict(
                _("%(line)s: %(quantity)s is more than is left to invoice (%(left)s): nothing billed twice.")
                % {"line": line.description, "quantity": line.quantity, "left": figures.to_invoice}
            )
        line.net = order_line_share(order_line, line.quantity, order_line.invoiced, order_line.invoiced_net)
        line.cost = _line_cost(order_line, line.quantity, stocked, goods)
        order_line.invoiced += line.quantity
        order_line.invoiced_net += line.net
    for line in lines:
        if invoice.kind == Invoice.Kind.INVOICE and not line.order_line_id:
            line.cost = ZERO
    return orders, list(order_lines.values())


def _goods_cost(line_ids, invoice: Invoice) -> dict[int, list[Decimal]]:
    """Per order line: the cost of the goods delivered less returned (validated delivery notes), the
    quantity kept, and the cost already billed on posted invoices — three figures, two queries."""
    found: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    rows = (
        DeliveryLine.objects.filter(order_line_id__in=line_ids, delivery__state=Delivery.State.DONE)
        .values("order_line_id", "delivery__kind")
        .annotate(cost=Sum("cost"), quantity=Sum("quantity"))
        .order_by()
    )
    for row in rows:
        sign = -1 if row["delivery__kind"] == Delivery.Kind.RETURN else 1
        found[row["order_line_id"]][0] += sign * (row["cost"] or ZERO)
        found[row["order_line_id"]][1] += sign * (row["quantity"] or ZERO)
    billed = (
        InvoiceLine.objects.filter(order_line_id__in=line_ids, invoice__state=rules.POSTED)
        .exclude(invoice_id=invoice.pk)
        .values("order_line_id")
        .annotate(cost=Sum("cost"))
        .order_by()
    )
    for row in billed:
        found[row["order_line_id"]][2] += row["cost"] or ZERO
    return found


def _line_cost(order_line: SalesOrderLine, quantity: Decimal, stocked: bool, goods) -> Decimal:
    """The cost of the goods a line bills: its share of what the deliveries cost (the part that completes
    what was kept takes the rest, so billing it all bills the deliveries' cost exactly); a service or a
    line without delivery: its quoted unit cost."""
    if stocked and order_line.pk in goods:
        cost, kept, billed = goods[order_line.pk]
        if kept <= 0:
            return ZERO
        if order_line.invoiced + quantity >= kept:
            return cost - billed
        return round_money(cost * quantity / kept)
    return round_money((order_line.unit_cost or ZERO) * quantity)


def _check_credit(company: Company, credit_note: Invoice, lines: list[InvoiceLine]) -> Invoice:
    """A credit note never takes back more than its invoice less the credit notes posted before it: per
    line corrected (quantity) and in all (base). Returns the invoice it corrects, row-locked (after the credit
    note's lock, before the orders', as cancelling takes them): two credit notes of one invoice post one after
    the other, and the invoice cannot be cancelled meanwhile."""
    corrected = plainsql.select(
        Invoice, ("company_id = %s AND id = %s", [company.pk, credit_note.corrects_id]), order_by=(), limit=1,
        for_update=True,
    )[0]  # fmt: skip
    if corrected.state != rules.POSTED:  # cancelled since this draft was made
        raise Conflict(
            _("Invoice %(invoice)s is cancelled: a credit note cannot correct it.")
            % {"invoice": corrected.number}
        )
    posted = (
        InvoiceLine.objects.filter(invoice__corrects_id=corrected.pk, invoice__state=rules.POSTED)
        .values("corrects_line_id")
        .annotate(quantity=Sum("quantity"), net=Sum("net"))
        .order_by()
    )
    credited = {row["corrects_line_id"]: row["quantity"] for row in posted}
    credited_base = sum((row["net"] for row in posted), ZERO)
    billed = dict(InvoiceLine.objects.filter(invoice_id=corrected.pk).values_list("id", "quantity"))
    taking: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.corrects_line_id:
            taking[line.corrects_line_id] += line.quantity
    for line_id, quantity in taking.items():
        if billed.get(line_id, ZERO) + credited.get(line_id, ZERO) + quantity < 0:
            raise Conflict(
                _("This credit note takes back more than the invoice less its earlier credit notes.")
            )
    if corrected.base + credited_base + sum((line.net for line in lines), ZERO) < 0:
        raise Conflict(_("This credit note takes back more than the invoice less its earlier credit notes."))
    return corrected


__all__ = ["SIMPLIFIED_LIMIT", "invoice_post"]
