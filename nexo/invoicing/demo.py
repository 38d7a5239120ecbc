"""Demo fulfilment and invoicing: the sales demo's confirmed orders carried through delivery (most whole,
some partly with a backorder left, the latest still waiting, one return) and invoicing (posted invoices in
date order, the latest one still a draft, a credit note for the return), the warehouse's own delivery notes
of the purchasing demo's year billed monthly per customer, and the purchasing demo's received orders billed
by their suppliers (supplier invoices posted, the latest ones still to come).

Everything goes through the services the pages call, in date order so every series numbers by date; the
services take the day each step happened. A customer that reached an order without a tax id or a billing
address (a lead won on the spot) is completed first, as the sales office does when the order comes in."""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone
from stdnum.es import cif

from nexo.catalog.models import Item
from nexo.core.errors import Conflict
from nexo.core.models import Company, User
from nexo.inventory.models import StockMove
from nexo.invoicing import services
from nexo.invoicing.models import Invoice, SupplierInvoice
from nexo.parties.models import Address, Party
from nexo.parties.services import address_create, party_update
from nexo.purchasing.models import PurchaseOrder, Receipt
from nexo.sales import services as sales
from nexo.sales.models import Delivery, SalesOrder
from nexo.sales.queries import delivery_lines_available

#: The most recent orders stay undelivered (their goods reserved), and the most recent bills are still to
#: come: what a working week leaves open.
WAITING_ORDERS = 2
UNBILLED_PURCHASES = 2
RETURN_REASON = "Dos unidades llegaron con el embalaje dañado"


@dataclass(order=True)
class Step:
    day: date
    rank: int  # on the same day: deliveries, then invoices, then returns and credit notes
    sequence: int
    run: object = field(compare=False)


def _deliver_part(company: Company, delivery: Delivery) -> dict[int, Decimal]:
    """About half of each line of a draft delivery (at least one unit), as far as the stock goes."""
    on_hand = delivery_lines_available(company, delivery)
    return {
        line.pk: min(
            max((line.quantity / 2).quantize(Decimal(1), ROUND_DOWN), Decimal(1)), on_hand.get(line.pk, 0)
        )
        for line in delivery.lines.all()
    }


class Player:
    def __init__(self, company: Company, users: dict[str, User], today: date):
        self.company, self.today = company, today
        self.storekeeper = users.get("almacen") or next(iter(users.values()))
        self.accountant = users.get("contabilidad") or self.storekeeper
        self.steps: list[Step] = []
        self.counts = {
            "delivered": 0,
            "partial": 0,
            "invoices": 0,
            "drafts": 0,
            "credit_notes": 0,
            "supplier": 0,
            "monthly": 0,
        }

    def on(self, day: date, rank: int, run) -> None:
        self.steps.append(Step(min(day, self.today), rank, len(self.steps), run))

    def play(self) -> None:
        for step in sorted(self.steps):
            step.run(step.day)

    # Sales orders

    def plan_orders(self, orders: list[SalesOrder]) -> None:
        delivered = orders[: max(len(orders) - WAITING_ORDERS, 0)]
        returned = None
        for index, order in enumerate(delivered):
            partial = index % 4 == 1
            last = index == len(delivered) - 1
            if not partial and returned is None and self._returnable(order):
                returned = order
            self.on(
                order.date + timedelta(days=1), 0, lambda day, o=order, p=partial: self.deliver(o, p, day)
            )
            self.on(
                order.date + timedelta(days=3),
                1,
                lambda day, o=order, post=not last: self.invoice(o, day, post),
            )
        if returned is not None:
            self.on(returned.date + timedelta(days=6), 2, lambda day, o=returned: self.give_back(o, day))

    @staticmethod
    def _returnable(order: SalesOrder) -> bool:
        return any(
            line.item_id and line.item.kind == Item.Kind.STOCKED and line.quantity >= 2
            for line in order.lines.select_related("item")
        )

    def deliver(self, order: SalesOrder, partial: bool, day: date) -> None:
        draft = order.deliveries.filter(state=Delivery.State.DRAFT).first()
        if draft is None:
            return
        quantities = _deliver_part(self.company, draft) if partial else None
        if quantities is not None and not any(quantities.values()):
            quantities = None
        try:
            sales.delivery_validate(
                company=self.company,
                by=self.storekeeper,
                delivery_id=draft.pk,
                quantities=quantities,
                date=day,
            )
        except Conflict:  # none of its goods in stock that day: it waits for the buyer
            return
        self.counts["partial" if partial else "delivered"] += 1

    def invoice(self, order: SalesOrder, day: date, post: bool) -> None:
        order.refresh_from_db()
        if order.invoice_state not in (SalesOrder.InvoiceState.TO_INVOICE, SalesOrder.InvoiceState.PARTIAL):
            return
        self.complete_customer(order.party)
        try:
            invoice = services.invoice_from_orders(
                company=self.company, by=self.accountant, order_ids=[order.pk], date=day
            )
        except Conflict:  # nothing delivered yet to bill (no stock on the day): left to the user
            return
        if post:
            services.invoice_post(company=self.company, by=self.accountant, invoice_id=invoice.pk)
            self.counts["invoices"] += 1
        else:
            self.counts["drafts"] += 1

    def give_back(self, order: SalesOrder, day: date) -> None:
        delivery = order.deliveries.filter(kind=Delivery.Kind.DELIVERY, state=Delivery.State.DONE).first()
        line = next((line for line in delivery.lines.all() if line.quantity >= 2), None) if delivery else None
        if line is None:
            return
        back = sales.delivery_return(
            company=self.company, by=self.storekeeper, delivery_id=delivery.pk, quantities={line.pk: Decimal(2)},
            reason=RETURN_REASON, date=day,
        )  # fmt: skip
        invoice = (
            Invoice.objects.filter(
                company=self.company, state=Invoice.State.POSTED, lines__order_line__order=order
            )
            .order_by("date", "pk")
            .first()
        )
        if invoice is None:
            return
        note = services.credit_note_create(
            company=self.company,
            by=self.accountant,
            invoice_id=invoice.pk,
            reason=RETURN_REASON,
            return_id=back.pk,
        )
        # Dated the day of the return, so the sales journal keeps its entries in date order.
        services.invoice_update(company=self.company, by=self.accountant, invoice_id=note.pk, date=day)
        services.invoice_post(company=self.company, by=self.accountant, invoice_id=note.pk)
        self.counts["credit_notes"] += 1

    def complete_customer(self, party: Party) -> None:
        """A lead won on the spot may lack what an invoice needs: its tax id and billing address."""
        party.refresh_from_db()
        if not party.tax_id:
            rng = random.Random(party.pk)
            body = f"B{rng.randint(0, 9_999_999):07d}"
            while Party.objects.filter(
                company=self.company, tax_id=body + cif.calc_check_digits(body)[0]
            ).exists():
                body = f"B{rng.randint(0, 9_999_999):07d}"
            party_update(
                company=self.company,
                party_id=party.pk,
                by=self.accountant,
                tax_id=body + cif.calc_check_digits(body)[0],
            )
        if not Address.objects.filter(party=party, kind=Address.Kind.BILLING).exists():
            address_create(
                party=party, by=self.accountant, kind=Address.Kind.BILLING, street="Calle de Colón, 60",
                postal_code="46004", city="Valencia", province="Valencia", country="ES", is_default=True,
            )  # fmt: skip

    # The warehouse's own delivery notes

    def plan_delivery_notes(self) -> None:
        """The purchasing demo's year of deliveries to customers outside sales orders (delivery notes
        ALB-…, stock moves named after the customer): each customer's month billed in one invoice on the
        month's last business day at the items' list prices, as a distributor bills its delivery notes. The
        current month is billed at its end, so it stays unbilled."""
        customers = {
            party.name: party.pk
            for party in Party.objects.filter(company=self.company, status=Party.Status.CUSTOMER)
        }
        by_label: dict[str, int | None] = {}
        months: dict[tuple[int, int, int], dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for day, label, item_id, quantity in StockMove.objects.filter(
            company=self.company, origin_type="customer_delivery", state=StockMove.State.DONE
        ).values_list("date", "origin_label", "item_id", "quantity"):
            if label not in by_label:  # "ALB-2026-00012 Customer name" (the name cut at 60 characters)
                name = label.split(" ", 1)[-1]
                by_label[label] = next((pk for full, pk in customers.items() if full.startswith(name)), None)
            if by_label[label] is not None:
                months[(day.year, day.month, by_label[label])][item_id] += quantity
        for (year, month, party_id), lines in sorted(months.items()):
            last = (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            while last.weekday() >= 5:
                last -= timedelta(days=1)
            if last < self.today:
                self.on(last, 1, lambda day, p=party_id, q=dict(lines): self.bill_month(p, q, day))

    def bill_month(self, party_id: int, quantities: dict[int, Decimal], day: date) -> None:
        items = {item.pk: item for item in Item.objects.filter(pk__in=list(quantities))}
        lines = [
            services.InvoiceLineInput(
                item_id=item_id, description=items[item_id].name, quantity=quantity,
                unit_price=items[item_id].base_price,
            )
            for item_id, quantity in sorted(quantities.items())
            if items[item_id].base_price > 0
        ]  # fmt: skip
        if not lines:
            return
        party = Party.objects.get(pk=party_id)
        self.complete_customer(party)
        invoice = services.invoice_create(
            company=self.company, by=self.accountant, party_id=party_id, date=day, lines=lines,
            notes=f"Albaranes de {day:%m/%Y}",
        )  # fmt: skip
        services.invoice_post(company=self.company, by=self.accountant, invoice_id=invoice.pk)
        self.counts["monthly"] += 1

    # Purchases

    def plan_purchases(self) -> None:
        received = list(
            PurchaseOrder.objects.filter(
                company=self.company,
                state__in=[PurchaseOrder.State.RECEIVED, PurchaseOrder.State.PARTIALLY_RECEIVED],
            ).order_by("date", "pk")
        )
        last_receipt = {
            order_id: day
            for order_id, day in Receipt.objects.filter(order__in=received)
            .order_by("order_id", "date")
            .values_list("order_id", "date")
        }
        for order in received[: max(len(received) - UNBILLED_PURCHASES, 0)]:
            day = last_receipt.get(order.pk, order.date) + timedelta(days=2)
            self.on(day, 3, lambda day, o=order: self.bill(o, day))

    def bill(self, order: PurchaseOrder, day: date) -> None:
        supplier_number = f"{order.supplier.name[:3].upper()}-{day.year}-{order.pk:04d}"
        invoice = services.supplier_invoice_from_orders(
            company=self.company, by=self.accountant, order_ids=[order.pk], supplier_number=supplier_number,
            date=day, received_date=day,
        )  # fmt: skip
        services.supplier_invoice_post(company=self.company, by=self.accountant, invoice_id=invoice.pk)
        self.counts["supplier"] += 1


@transaction.atomic
def load_demo_invoicing(company: Company, users: dict[str, User]) -> str:
    """Carry the demo's orders through delivery and invoicing unless the company has invoices; a summary."""
    if (
        Invoice.objects.filter(company=company).exists()
        or SupplierInvoice.objects.filter(company=company).exists()
    ):
        return ""
    player = Player(company, users, timezone.localdate())
    orders = list(
        SalesOrder.objects.filter(company=company, state=SalesOrder.State.CONFIRMED)
        .select_related("party")
        .order_by("date", "pk")
    )
    player.plan_orders(orders)
    player.plan_delivery_notes()
    player.plan_purchases()
    player.play()
    counts = player.counts
    return (
        f"{counts['delivered'] + counts['partial']} orders delivered ({counts['partial']} in part, with backorders), "
        f"{counts['invoices']} invoices posted and {counts['drafts']} draft, {counts['credit_notes']} credit note, "
        f"{counts['monthly']} monthly invoices of the warehouse's delivery notes, {counts['supplier']} supplier invoices"
    )
