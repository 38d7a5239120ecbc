"""The demo's year played through the services in date order, then each record dated the day it happened."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from nexo.catalog.models import Item
from nexo.core.models import Company, User
from nexo.inventory import services as inventory
from nexo.inventory.demo import demo_branch, demo_shelves
from nexo.inventory.models import StockMove
from nexo.parties.models import Party
from nexo.purchasing import rules, services
from nexo.purchasing.demo.items import DemoItem
from nexo.purchasing.demo.plan import YearPlan, plan_year
from nexo.purchasing.demo.suppliers import SUPPLIERS
from nexo.purchasing.demo.year import PlannedCount, PlannedMoves
from nexo.purchasing.models import ExchangeRate, PurchaseOrder, Receipt, SupplierPrice


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class _Loader:
    def __init__(self, company: Company, users: dict[str, User], plan: YearPlan, items: dict[str, Item]):
        self.company, self.plan, self.items = company, plan, items
        self.buyer, self.storekeeper = users["compras"], users["almacen"]
        self.suppliers = {
            party.name: party
            for party in Party.objects.filter(company=company, is_supplier=True, name__in=[s.name for s in SUPPLIERS])
        }  # fmt: skip
        self.customers = list(_customers(company))
        settings = inventory.settings_of(company)
        self.main = settings.default_warehouse
        self.branch = demo_branch(company)
        self.shelves = demo_shelves(company)
        self.customer_location = settings.customer_location_id
        self.skus = {item.pk: sku for sku, item in items.items()}
        self.order_ids: dict[int, int] = {}
        self.line_ids: dict[int, dict[str, int]] = {}
        self.delivery_numbers: dict[int, int] = defaultdict(int)

    def rates(self) -> None:
        for currency, rows in self.plan.rates.items():
            for day, rate in rows:
                services.exchange_rate_set(
                    company=self.company, by=self.buyer, currency=currency, day=day, rate=rate
                )

    def prices(self, today: date) -> None:
        for price in self.plan.prices:
            services.supplier_price_create(
                company=self.company, by=self.buyer, item_id=self.items[price.sku].pk,
                supplier_id=self.suppliers[price.supplier].pk, supplier_code=price.supplier_code,
                unit_price=price.unit_price, currency=price.currency, min_quantity=Decimal(price.min_quantity),
                lead_time_days=price.lead_time_days, valid_from=self.plan.start,
                valid_to=None if price.offer_days is None else today + timedelta(days=price.offer_days),
            )  # fmt: skip

    def settings(self) -> None:
        for setting in self.plan.settings:
            services.item_purchasing_set(
                company=self.company, by=self.buyer, item_id=self.items[setting.sku].pk,
                preferred_supplier_id=self.suppliers[setting.preferred].pk,
                minimum_stock=Decimal(setting.minimum), reorder_quantity=Decimal(setting.reorder),
            )  # fmt: skip

    def count(self, planned: PlannedCount) -> None:
        warehouse = self.branch if planned.branch else self.main
        inventory.stock_count_post(
            company=self.company, by=self.storekeeper, location_id=warehouse.stock_location_id,
            counted={self.items[sku].pk: Decimal(quantity) for sku, quantity in planned.counted.items()},
            date=planned.day, note=planned.note,
        )  # fmt: skip

    def order(self, index: int) -> None:
        planned = self.plan.orders[index]
        lines = [
            {"item_id": self.items[sku].pk, "quantity": Decimal(quantity)}
            | ({} if price is None else {"unit_price": price})
            for sku, quantity, price in planned.lines
        ]
        order = services.purchase_order_create(
            company=self.company, by=self.buyer, supplier_id=self.suppliers[planned.supplier].pk, lines=lines,
            date=planned.day, expected_date=planned.expected, currency=planned.currency,
        )  # fmt: skip
        if planned.confirm:
            services.purchase_order_confirm(company=self.company, by=self.buyer, order_id=order.pk)
        self.order_ids[index] = order.pk
        self.line_ids[index] = {
            self.skus[item_id]: pk for pk, item_id in order.lines.values_list("pk", "item_id")
        }

    def cancel(self, index: int) -> None:
        services.purchase_order_cancel(company=self.company, by=self.buyer, order_id=self.order_ids[index])

    def receive(self, index: int, number: int) -> None:
        day, quantities = self.plan.orders[index].receipts[number]
        lines = self.line_ids[index]
        services.purchase_order_receive(
            company=self.company, by=self.storekeeper, order_id=self.order_ids[index], date=day,
            quantities={lines[sku]: Decimal(quantity) for sku, quantity in quantities.items()},
            note="Entrega parcial" if number == 0 and len(self.plan.orders[index].receipts) > 1 else "",
        )  # fmt: skip

    def moves(self, planned: PlannedMoves) -> None:
        main_stock = self.main.stock_location_id
        if planned.kind in ("delivery", "branch_delivery"):
            source = main_stock if planned.kind == "delivery" else self.branch.stock_location_id
            target = self.customer_location
            customer = self.customers[planned.customer % len(self.customers)]
            self.delivery_numbers[planned.day.year] += 1
            number = f"ALB-{planned.day.year}-{self.delivery_numbers[planned.day.year]:05d}"
            origin = inventory.Origin("customer_delivery", None, f"{number} {customer.name}"[:60])
        elif planned.kind == "transfer":
            source, target = main_stock, self.branch.stock_location_id
            origin = inventory.Origin("transfer", None, f"Reposición {self.branch.code} {planned.day:%m/%Y}")
        else:
            source, target = main_stock, self.shelves[planned.shelf].pk
            origin = inventory.Origin("transfer", None, f"Ubicación en {self.shelves[planned.shelf].name}")
        inventory.moves_create(
            company=self.company, by=self.storekeeper, date=planned.day, done=True, origin=origin,
            lines=[
                inventory.MoveLine(self.items[sku].pk, Decimal(quantity), source, target)
                for sku, quantity in planned.lines
            ],
        )  # fmt: skip

    def play(self) -> None:
        for _day, _phase, kind, index, number in self.plan.timeline():
            if kind == "count":
                self.count(self.plan.counts[index])
            elif kind == "order":
                self.order(index)
            elif kind == "cancel":
                self.cancel(index)
            elif kind == "receipt":
                self.receive(index, number)
            else:
                self.moves(self.plan.moves[index])

    def backdate(self) -> None:
        """The services stamp "now"; the demo dates each record on the day it happened."""
        orders = []
        for index, order_id in self.order_ids.items():
            planned = self.plan.orders[index]
            last = max([planned.day, *(day for day, _q in planned.receipts)], default=planned.day)
            if planned.cancelled_on is not None:
                last = planned.cancelled_on
            created = _at(planned.day, 9, 5 * (index % 12))
            orders.append(PurchaseOrder(
                pk=order_id, created_at=created, updated_at=_at(last, 12),
                confirmed_at=created + timedelta(hours=2) if planned.confirm else None,
            ))  # fmt: skip
        PurchaseOrder.objects.bulk_update(
            orders, ["created_at", "updated_at", "confirmed_at"], batch_size=500
        )
        receipts = list(Receipt.objects.filter(company=self.company).only("pk", "date"))
        for receipt in receipts:
            receipt.created_at = receipt.updated_at = _at(receipt.date, 10)
        Receipt.objects.bulk_update(receipts, ["created_at", "updated_at"], batch_size=500)
        moves = StockMove.objects.filter(company=self.company)
        for day in moves.order_by().values_list("date", flat=True).distinct():
            moment = _at(day, 11)
            moves.filter(date=day).update(created_at=moment, updated_at=moment, done_at=moment)
        rates = list(ExchangeRate.objects.filter(company=self.company))
        for rate in rates:
            rate.created_at = rate.updated_at = _at(rate.day, 8)
        ExchangeRate.objects.bulk_update(rates, ["created_at", "updated_at"])
        moment = _at(self.plan.start, 8)
        SupplierPrice.objects.filter(company=self.company).update(created_at=moment, updated_at=moment)


def demo_items(company: Company) -> tuple[list[DemoItem], dict[str, str], dict[str, Item]]:
    """The company's active stocked items as the plan sees them, their names, and the items by SKU."""
    records = Item.objects.filter(company=company, kind=Item.Kind.STOCKED, is_active=True).select_related(
        "category", "unit"
    )
    items = {item.sku: item for item in records}
    demo = [
        DemoItem(
            sku=item.sku,
            category=item.category.full_name if item.category_id else "",
            unit=item.unit.code,
            standard_cost=item.standard_cost or Decimal(1),
            method=item.valuation_method,
        )
        for item in items.values()
    ]
    return demo, {sku: item.name for sku, item in items.items()}, items


def _customers(company: Company):
    return Party.objects.filter(company=company, status=Party.Status.CUSTOMER, is_active=True).order_by(
        "name", "pk"
    )


def demo_plan(company: Company, today: date | None = None) -> YearPlan:
    """The year `load_demo_purchasing` plays for the company's items and customers (today's, by default)."""
    demo, names, _items = demo_items(company)
    return plan_year(demo, today or timezone.localdate(), _customers(company).count(), names=names)


@transaction.atomic
def load_demo_purchasing(company: Company, users: dict[str, User]) -> str:
    """Create the year of purchasing and stock unless the company has purchase orders; returns a summary."""
    if PurchaseOrder.objects.filter(company=company).exists():
        return ""
    found = set(
        Party.objects.filter(
            company=company, is_supplier=True, name__in=[s.name for s in SUPPLIERS]
        ).values_list("name", flat=True)
    )
    _demo, _names, items = demo_items(company)
    if (
        len(found) < len(SUPPLIERS)
        or not items
        or not _customers(company).exists()
        or demo_branch(company) is None
    ):
        return ""  # the parties, catalog or inventory demo is missing
    today = timezone.localdate()
    plan = demo_plan(company, today)
    loader = _Loader(company, users, plan, items)
    loader.rates()
    loader.prices(today)
    loader.settings()
    loader.play()
    loader.backdate()
    states = defaultdict(int)
    for order in plan.orders:
        states[order.state] += 1
    moves = StockMove.objects.filter(company=company).count()
    deliveries = sum(1 for moves_ in plan.moves if moves_.kind in ("delivery", "branch_delivery"))
    priced = len({price.sku for price in plan.prices})
    minimums = sum(1 for setting in plan.settings if setting.minimum)
    rates = sum(len(rows) for rows in plan.rates.values())
    received, partially, confirmed, drafts, cancelled = (
        states[state]
        for state in (rules.RECEIVED, rules.PARTIALLY_RECEIVED, rules.CONFIRMED, rules.DRAFT, rules.CANCELLED)
    )
    return (
        f"{rates} exchange rates ({', '.join(plan.rates)}), {len(plan.prices)} supplier prices for {priced} items "
        f"from {len(SUPPLIERS)} suppliers, {minimums} items with a minimum stock; {len(plan.orders)} purchase "
        f"orders ({received} received, {partially} partially received, "
        f"{confirmed} confirmed, {drafts} draft, {cancelled} cancelled) with "
        f"{Receipt.objects.filter(company=company).count()} receipts, {deliveries} customer deliveries, "
        f"{len(plan.counts)} stock counts; {moves} stock moves"
    )
