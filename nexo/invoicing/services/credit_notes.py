"""Credit notes (facturas rectificativas): a draft that corrects a posted invoice, in full, by lines, by
an amount, or for the goods of a sales return; posted with `invoice_post` in its own series."""

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.core import plainsql
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.rules import round_money
from nexo.core.validation import decimal_of, quantity_of
from nexo.invoicing import rules
from nexo.invoicing.models import Invoice, InvoiceLine
from nexo.invoicing.services.common import ZERO, draft_figures, invoice_lines, locked_invoice
from nexo.invoicing.services.invoices import FIGURES
from nexo.sales.models import Delivery, DeliveryLine


def credit_note_create(
    *,
    company: Company,
    by: User,
    invoice_id: int,
    reason: str,
    quantities: Mapping[int, Decimal] | None = None,
    amount: Decimal | None = None,
    return_id: int | None = None,
) -> Invoice:
    """A draft credit note of a posted invoice, stating why (kind credit_note; R4, or R5 for a simplified
    invoice): of everything still uncredited (none of the three given), of `quantities` per invoice line
    id, of a taxable base `amount` (before VAT) spread over the invoice's tax groups in proportion to their
    bases, or of the goods of a validated sales return (their quantities at the invoiced prices, at the cost
    they came back at). Its lines are negative and keep the rates of the lines they correct. Never more than
    the invoice less its credit notes, drafts included (posting checks again against the posted ones)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.on("reason", _("Say why the invoice is corrected."))
    if len(reason) > 500:
        raise ValidationFailed.on("reason", _("Use at most %(count)s characters.") % {"count": 500})
    if sum(choice is not None for choice in (quantities, amount, return_id)) > 1:
        raise ValidationFailed.on(
            "lines", _("Credit by lines, by an amount or for a return: one of them, not several.")
        )
    with transaction.atomic():
        invoice = locked_invoice(company, invoice_id)
        if invoice.kind == Invoice.Kind.CREDIT_NOTE:
            raise Conflict(_("A credit note is not credited: correct the invoice it corrects."))
        if invoice.state == rules.CANCELLED:
            raise Conflict(
                _("Invoice %(invoice)s is cancelled: a credit note cannot correct it.")
                % {"invoice": invoice.number}
            )
        if invoice.state != rules.POSTED:
            raise Conflict(
                _("Only a posted invoice is corrected by a credit note; change the draft instead.")
            )
        lines = invoice_lines(invoice.pk)
        left = _left(invoice, lines)
        if amount is not None:
            made = _by_amount(invoice, lines, left, amount, reason)
        elif return_id is not None:
            made = _by_return(company, invoice, lines, left, return_id)
        else:
            made = _by_lines(lines, left, quantities)
        base_left = invoice.base + left.credited_base
        if -sum((line.net for line in made), ZERO) > base_left:
            raise ValidationFailed.on(
                "amount" if amount is not None else "lines",
                _("That is more than the invoice less its credit notes (%(left)s left).")
                % {"left": base_left},
            )
        note = Invoice(
            company=company, kind=Invoice.Kind.CREDIT_NOTE,
            invoice_type=rules.R5 if invoice.invoice_type == rules.F2 else rules.R4, state=rules.DRAFT,
            date=max(timezone.localdate(), invoice.date), party_id=invoice.party_id, currency=invoice.currency,
            payment_term_id=invoice.payment_term_id, payment_terms=invoice.payment_terms, corrects_id=invoice.pk, reason=reason, created_by=by,
            updated_by=by,
        )  # fmt: skip
        plainsql.insert(Invoice, [note])
        for position, line in enumerate(made, start=1):
            line.invoice_id, line.position = note.pk, position
        plainsql.insert(InvoiceLine, made)
        draft_figures(company, note, None, made)
        plainsql.update(Invoice, [note], FIGURES)
        return note


class Left:
    """What is left to credit of an invoice: per line, quantity, net and cost; and in all, the (negative)
    base its credit notes already took, drafts included."""

    def __init__(self):
        self.quantity: dict[int, Decimal] = {}
        self.net: dict[int, Decimal] = {}
        self.cost: dict[int, Decimal] = {}
        self.credited_base = ZERO


def _left(invoice: Invoice, lines: list[InvoiceLine]) -> Left:
    left = Left()
    for line in lines:
        left.quantity[line.pk], left.net[line.pk], left.cost[line.pk] = line.quantity, line.net, line.cost
    rows = (
        InvoiceLine.objects.filter(invoice__corrects_id=invoice.pk)
        .values("corrects_line_id")
        .annotate(quantity=Sum("quantity"), net=Sum("net"), cost=Sum("cost"))
        .order_by()
    )
    for row in rows:
        left.credited_base += row["net"]
        line_id = row["corrects_line_id"]
        if line_id in left.quantity:
            left.quantity[line_id] += row["quantity"]
            left.net[line_id] += row["net"]
            left.cost[line_id] += row["cost"]
    return left


def _credit_line(line: InvoiceLine, quantity: Decimal, left: Left, **extra) -> InvoiceLine:
    """`quantity` of an invoice line taken back: its share of the line's net and cost (the rest of them when
    it takes back all that is left), negative."""
    if quantity >= left.quantity[line.pk]:
        net, cost = left.net[line.pk], left.cost[line.pk]
    else:
        net = round_money(line.net * quantity / line.quantity)
        cost = round_money(line.cost * quantity / line.quantity)
    fields = {
        "order_line_id": line.order_line_id, "corrects_line_id": line.pk, "item_id": line.item_id,
        "description": line.description, "quantity": -quantity, "unit_price": line.unit_price,
        "discount": line.discount, "net": -net, "vat_rate": line.vat_rate, "recargo_rate": line.recargo_rate,
        "irpf_rate": line.irpf_rate, "treatment": line.treatment, "cost": -cost,
    }  # fmt: skip
    return InvoiceLine(**(fields | extra))


def _by_lines(lines: list[InvoiceLine], left: Left, quantities) -> list[InvoiceLine]:
    if quantities is None:  # everything still uncredited
        made = [
            _credit_line(line, left.quantity[line.pk], left) for line in lines if left.quantity[line.pk] > 0
        ]
        if not made:
            raise Conflict(_("This invoice is already credited in full."))
        return made
    if not isinstance(quantities, Mapping) or not quantities:
        raise ValidationFailed.on("lines", _("Choose the lines to credit and how many of each."))
    by_id = {line.pk: line for line in lines}
    made = []
    for line_id, value in quantities.items():
        field = f"quantities.{line_id}"
        line = by_id.get(line_id) if isinstance(line_id, int) and not isinstance(line_id, bool) else None
        if line is None:
            raise ValidationFailed.on(f"quantities.{line_id}", _("That is not a line of this invoice."))
        quantity = quantity_of(value, field)
        if quantity > left.quantity[line.pk]:
            raise ValidationFailed.on(
                field,
                _("That is more than the invoice less its credit notes (%(left)s left).")
                % {"left": left.quantity[line.pk].normalize()},
            )
        made.append(_credit_line(line, quantity, left))
    return made


def _by_amount(
    invoice: Invoice, lines: list[InvoiceLine], left: Left, amount, reason: str
) -> list[InvoiceLine]:
    """A base amount spread over the invoice's tax groups (treatment, VAT, recargo and IRPF rates) in
    proportion to their bases, the largest group taking the rounding rest: a discount granted on the whole
    invoice lowers every rate's base alike (art. 80 LIVA)."""
    value = decimal_of(amount, "amount")
    if value <= 0 or value != value.quantize(Decimal("0.01")):
        raise ValidationFailed.on("amount", _("Give an amount above zero, with at most 2 decimals."))
    groups: dict[tuple, Decimal] = defaultdict(Decimal)
    for line in lines:
        groups[(line.treatment, line.vat_rate, line.recargo_rate, line.irpf_rate)] += line.net
    total = sum(groups.values(), ZERO)
    if total <= 0:
        raise Conflict(_("This invoice has no base to credit."))
    ordered = sorted(groups.items(), key=lambda item: (item[1], item[0][1]))  # the largest base last
    made, given = [], ZERO
    for index, ((treatment, vat_rate, recargo_rate, irpf_rate), base) in enumerate(ordered):
        share = value - given if index == len(ordered) - 1 else round_money(value * base / total)
        given += share
        if share == 0:
            continue
        description = reason if len(ordered) == 1 else f"{reason} ({vat_rate.normalize():f} %)"
        made.append(
            InvoiceLine(
                description=description[:300], quantity=Decimal(-1), unit_price=share, net=-share,
                vat_rate=vat_rate, recargo_rate=recargo_rate, irpf_rate=irpf_rate, treatment=treatment,
            )
        )  # fmt: skip
    return made


def _by_return(
    company: Company, invoice: Invoice, lines: list[InvoiceLine], left: Left, return_id
) -> list[InvoiceLine]:
    """The goods of a validated sales return, at the prices this invoice billed them and at the cost they
    came back at. A return is credited once."""
    found = Delivery.objects.filter(company=company, pk=return_id, kind=Delivery.Kind.RETURN).first()
    if found is None:
        raise ValidationFailed.on("return_id", _("No such sales return."))
    if found.state != Delivery.State.DONE:
        raise Conflict(_("Return %(number)s is not validated yet.") % {"number": found.number})
    if InvoiceLine.objects.filter(
        delivery_line__delivery_id=found.pk, invoice__kind=Invoice.Kind.CREDIT_NOTE
    ).exists():
        raise Conflict(_("Return %(number)s is already credited.") % {"number": found.number})
    billed = {line.order_line_id: line for line in lines if line.order_line_id}
    made = []
    for returned in DeliveryLine.objects.filter(delivery_id=found.pk).order_by("position", "id"):
        if returned.quantity <= 0:
            continue
        line = billed.get(returned.order_line_id)
        if line is None:
            raise ValidationFailed.on(
                "return_id",
                _("Return %(number)s brings back goods this invoice did not bill.")
                % {"number": found.number},
            )
        if returned.quantity > left.quantity[line.pk]:
            raise ValidationFailed.on(
                "return_id", _("That is more than the invoice less its credit notes (%(left)s left).")
                % {"left": left.quantity[line.pk].normalize()},
            )  # fmt: skip
        made.append(
            _credit_line(line, returned.quantity, left, delivery_line_id=returned.pk, cost=-returned.cost)
        )
    if not made:
        raise Conflict(_("Return %(number)s brings nothing back.") % {"number": found.number})
    return made
