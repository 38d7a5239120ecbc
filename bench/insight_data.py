"""The insight benchmark's company, written in bulk: parties, items, two years of sales, purchases, stock,
invoices, collections and books, as the services would have left them, in a few seconds per 100,000 rows.

The company, its books (chart of accounts, journals, fiscal years, payment terms), its catalog and stock
settings, its categories, users and bank account are made by the normal setup services. Everything else is
planned here in memory, one business story after another, then written with plain multi-row INSERTs of
explicit ids, never through the services (at this size they would take hours):

- 10,000 parties: customers (70 %, with a tax id and a billing address, some with a credit limit or their own
  payment terms), leads and suppliers; 2,000 items in categories, stocked (FIFO, average, last purchase,
  standard cost) and services, each stocked one with its supplier's price and its purchasing settings;
- opportunities across the pipeline, won (an accepted quotation, sometimes a second version, becomes a sales
  order, delivered in one go or in parts with backorders, invoiced per delivery, a few returned and
  credited), lost (a rejected quotation) and open (sent or draft quotations, next activities); activities;
- the stock bought ahead of every two months' deliveries from each item's supplier (purchase orders, their
  receipts, the supplier invoices of the receipts), some orders' shortages bought for the order at the cost
  the quotation froze (dearer or cheaper), and the last orders still open; every move valued by
  `inventory.valuation` in date order, so the valuation entries, balances and quants are the engine's, and
  deliveries, invoices and credit notes carry the cost the moves went out with;
- due amounts by each document's payment term (`accounting.rules.payment_terms`), paid early, on time, late,
  in part or not at all by the customer's habit, with their allocations, credit notes set off against their
  invoice, reminders for what is long overdue, and the suppliers paid;
- each posted document's journal entry as `invoicing.services.entries` and the payments module write them
  (receivable, sales per goods or services, VAT per rate; purchases, input VAT, payable; bank against the
  party), then everyday entries (expenses paid by the bank, payroll) up to 500,000 posted entry lines in all,
  every entry balanced and numbered in date order per journal and fiscal year; the gapless series (`Sequence`)
  left where the services would carry on;
- the state log (`core.StateChange`) and the stage history of each document as the services record them.

Figures come from the project's pure rules (`sales.rules.totals`, `invoicing.tax.invoice_taxes`,
`accounting.rules.payment_terms.split`, `inventory.valuation`), so they are the figures the services compute.
`generate(scale)` sizes it all by `scale` (1: the figures above); the same seed gives the same data."""

import random
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as Time
from decimal import ROUND_CEILING, Decimal

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from bench.bulk import Table, reset_sequences
from bench.foundation import valid_cif
from bench.insight_plans import (
    DeliveryLinePlan,
    DeliveryPlan,
    DuePlan,
    InvoiceLinePlan,
    InvoicePlan,
    ItemPlan,
    MovePlan,
    OpportunityPlan,
    OrderLinePlan,
    OrderPlan,
    PartyPlan,
    PaymentPlan,
    PurchaseLinePlan,
    PurchasePlan,
    QuoteLinePlan,
    QuotePlan,
    ReceiptPlan,
    SupplierInvoicePlan,
    line_cost,
)
from nexo.accounting.models import (
    AccountDefault,
    AccountingSettings,
    Entry,
    EntryLine,
    FiscalYear,
    Journal,
    PartyAccounting,
    PaymentTerm,
)
from nexo.accounting.rules import ledger
from nexo.accounting.rules.payment_terms import split
from nexo.accounting.services.fiscal_years import fiscal_year_ensure
from nexo.accounting.services.payment_terms import term_spec
from nexo.catalog import services as catalog
from nexo.catalog.models import CatalogSettings, Item, TaxCategory, TaxRate, Unit
from nexo.compliance.services.settings import settings_update as compliance_settings_update
from nexo.core.models import Company, Membership, Sequence, StateChange, User
from nexo.core.roles import MANAGER, SALES, sync_roles
from nexo.core.rules import fold, round_money, round_unit
from nexo.core.services import company_create
from nexo.crm.models import Activity, Opportunity, Stage, StageChange
from nexo.inventory import valuation
from nexo.inventory.models import InventorySettings, StockBalance, StockMove, StockQuant, ValuationEntry
from nexo.invoicing import rules as invoicing_rules
from nexo.invoicing.models import (
    Invoice,
    InvoiceLine,
    InvoiceTax,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierInvoiceTax,
)
from nexo.invoicing.tax import TaxableLine, invoice_taxes
from nexo.parties.models import Address, Party
from nexo.parties.rules import search_text as party_search_text
from nexo.payments.models import Allocation, DueAmount, Payment, Reminder
from nexo.payments.services.bank_accounts import bank_account_save
from nexo.purchasing.models import (
    ItemPurchasing,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    SupplierPrice,
)
from nexo.sales import rules as sales_rules
from nexo.sales.models import Delivery, DeliveryLine, Quotation, QuotationLine, SalesOrder, SalesOrderLine
from nexo.sales.queries import ORDER_LINE_ORIGIN

D = Decimal
ZERO = D("0.00")
HUNDRED = D(100)
SEED = 2026
YEARS = 2  # of history, ending today

# At scale 1. Documents: opportunities, quotations, sales orders, deliveries and returns, invoices and credit
# notes, due amounts, payments, purchase orders, receipts and supplier invoices (about 50,000 in all).
FULL = {
    "parties": 10_000,
    "items": 2_000,
    "opportunities": 9_500,
    "standalone_quotations": 600,
    "goods_suppliers": 120,
    "salespeople": 8,
    "entry_lines": 500_000,
}
MINIMUM = {
    "parties": 40, "items": 24, "opportunities": 40, "standalone_quotations": 4, "goods_suppliers": 3,
    "salespeople": 2, "entry_lines": 0,
}  # fmt: skip
PURCHASE_WINDOW_DAYS = 61  # stock is bought ahead of each two months' deliveries

NAME_STARTS = [
    "Reformas", "Instalaciones", "Construcciones", "Electricidad", "Fontanería", "Climatización", "Carpintería",
    "Pinturas", "Ferretería", "Suministros", "Talleres", "Montajes", "Promociones", "Servicios", "Hoteles",
    "Restaurantes", "Estudio", "Almacenes", "Distribuciones", "Obras", "Mantenimientos", "Cristalería",
    "Iluminación", "Decoración", "Cocinas", "Baños", "Jardinería", "Aislamientos", "Cerrajería", "Toldos",
]  # fmt: skip
NAME_WORDS = [
    "Turia", "Levante", "Mediterráneo", "Albufera", "Ribera", "Safor", "Marina", "Horta", "Camp", "Serranía",
    "García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Ferrer", "Soler", "Navarro", "Ribera",
    "Vidal", "Climent", "Puig", "Llorens", "Castell", "Benet", "Mora", "Vicent", "Sanchis", "Bosch",
    "Aitana", "Montgó", "Calderona", "Espadán", "Xúquer", "Palancia", "Magro", "Serpis", "Júcar", "Vinalopó",
]  # fmt: skip
NAME_FORMS = ["S.L.", "S.A.", "S.L.U.", "S.Coop.", "C.B."]
CITIES = [
    ("Valencia", "46001", "Valencia"), ("Paterna", "46980", "Valencia"), ("Torrent", "46900", "Valencia"),
    ("Gandia", "46701", "Valencia"), ("Sagunto", "46500", "Valencia"), ("Alzira", "46600", "Valencia"),
    ("Castellón de la Plana", "12001", "Castellón"), ("Alicante", "03001", "Alicante"),
    ("Elche", "03201", "Alicante"), ("Madrid", "28001", "Madrid"), ("Barcelona", "08001", "Barcelona"),
    ("Murcia", "30001", "Murcia"),
]  # fmt: skip
CATEGORY_TREE = {
    "Iluminación": ["Downlights", "Paneles LED", "Tiras LED", "Exterior"],
    "Fontanería": ["Grifería", "Tubería", "Sanitarios", "Válvulas"],
    "Electricidad": ["Cable", "Mecanismos", "Protecciones", "Cuadros"],
    "Climatización": ["Splits", "Conductos", "Termostatos", "Ventilación"],
    "Herramientas": ["Eléctricas", "Manuales", "Medición", "Fijación"],
    "Ferretería": ["Tornillería", "Cerraduras", "Bisagras", "Adhesivos"],
    "Pintura": ["Interior", "Exterior", "Esmaltes", "Accesorios"],
    "Servicios": ["Instalación", "Mantenimiento", "Proyectos", "Transporte"],
}  # fmt: skip
LOST_REASONS = ["Precio más alto que la competencia", "Plazo de entrega", "El cliente aplaza la obra",
                "Eligió otra marca", "Sin respuesta del cliente"]  # fmt: skip
HABITS = ("early", "on_time", "late", "bad")  # how a customer pays its due amounts (plan_payments)
EXPENSES = ["621", "622", "623", "624", "625", "626", "627", "628", "629"]


def sized(scale: float) -> dict[str, int]:
    return {name: max(MINIMUM[name], round(full * scale)) for name, full in FULL.items()}


# The plan (bench/insight_plans.py) and the generator


@dataclass
class Dataset:
    """What `generate` made: the company, who works in it, the period, and where to look."""

    company: Company
    manager: User
    salespeople: list[User]
    start: date
    end: date
    busiest_party_id: int
    busiest_documents: int
    big_order_id: int
    big_invoice_id: int
    an_invoice_number: str
    receivable_account_id: int
    common_word: str
    rows: dict[str, int]
    documents: int
    entry_lines: int
    seconds: float

    @property
    def document_labels(self) -> list[str]:
        return [model._meta.label for model in DOCUMENT_MODELS]


# The generator


class Generator:
    def __init__(self, scale: float, end: date, seed: int):
        self.size = sized(scale)
        self.end = end
        self.start = end - timedelta(days=365 * YEARS)
        self.random = random.Random(seed)
        self.now = timezone.now()
        self.moments: dict[tuple[date, int], datetime] = {}

    # Set-up through the services

    def setup(self) -> None:
        sync_roles()
        self.company = company_create(
            name="Bench Insight, S.L.", tax_id="B99999989", street="Calle de la Industria, 24", postal_code="46980",
            city="Paterna", province="Valencia",
        )  # fmt: skip
        company = self.company
        compliance_settings_update(
            company=company, by=None, verifactu_enabled=False
        )  # no records written here
        for year in range(self.start.year, self.end.year + 1):
            fiscal_year_ensure(company, year)
        self.manager = User.objects.create(username=f"bench-insight-{company.pk}", first_name="Dirección",
                                           is_superuser=True, is_staff=True)  # fmt: skip
        self.manager.groups.add(Group.objects.get(name=MANAGER))
        Membership.objects.create(user=self.manager, company=company, is_default=True)
        sales_group = Group.objects.get(name=SALES)
        self.salespeople = []
        for n in range(self.size["salespeople"]):
            user = User.objects.create(username=f"bench-insight-{company.pk}-ventas{n + 1}",
                                       first_name=NAME_WORDS[10 + n % 20], last_name=NAME_WORDS[n % 10])  # fmt: skip
            user.groups.add(sales_group)
            Membership.objects.create(user=user, company=company, is_default=True)
            self.salespeople.append(user)
        self.categories = []  # leaves and their parents: (id, is_service_branch)
        tree = list(CATEGORY_TREE.items())
        if self.size["items"] < 200:
            tree = [(name, children[:2]) for name, children in tree[:4]] + [tree[-1]]
        for name, children in tree:
            parent = catalog.category_create(company=company, by=self.manager, name=name)
            for child in children:
                leaf = catalog.category_create(
                    company=company, by=self.manager, name=child, parent_id=parent.pk
                )
                self.categories.append((leaf.pk, name == "Servicios"))
        self.bank = bank_account_save(company=company, by=self.manager, name="CaixaBank",
                                      iban="ES26 2100 0418 4845 0200 0512", bic="CAIXESBB")  # fmt: skip
        self.read_books()

    def read_books(self) -> None:
        company = self.company
        self.defaults = dict(AccountDefault.objects.filter(company=company).values_list("role", "account_id"))
        self.accounts = dict(company_accounts(company))
        self.journals = dict(Journal.objects.filter(company=company).values_list("code", "pk"))
        self.years = dict(FiscalYear.objects.filter(company=company).values_list("start__year", "pk"))
        settings = AccountingSettings.objects.get(company=company)
        terms = {
            term.pk: term for term in PaymentTerm.objects.filter(company=company).prefetch_related("lines")
        }
        self.term_default = settings.default_term_id
        self.term_halves = next(t.pk for t in terms.values() if t.name.startswith("50 % a 30"))
        self.terms = {pk: (term.name, term_spec(term)) for pk, term in terms.items()}
        stock = InventorySettings.objects.get(company=company)
        self.warehouse_id = stock.default_warehouse_id
        self.stock_location = stock.default_warehouse.stock_location_id
        self.supplier_location, self.customer_location = (
            stock.supplier_location_id,
            stock.customer_location_id,
        )
        self.units = dict(Unit.objects.filter(company=company).values_list("code", "pk"))
        self.taxes = {}
        for category in TaxCategory.objects.filter(company=company, code__in=["general", "reducido"]):
            rate = TaxRate.objects.filter(tax_category=category).order_by("-valid_from").first().rate
            self.taxes[category.code] = (category.pk, round_money(rate))
        self.price_list = CatalogSettings.objects.get(company=company).default_price_list_id
        self.stages = {stage.name: stage for stage in Stage.objects.filter(company=company)}
        self.stage_by_kind = {
            kind: next(s for s in self.stages.values() if s.kind == kind) for kind in ("won", "lost")
        }
        self.open_stages = sorted(
            (s for s in self.stages.values() if s.kind == "open"), key=lambda s: s.sequence
        )
        self.content_types = {
            model: ContentType.objects.get_for_model(model).pk
            for model in (
                Quotation,
                Opportunity,
                SalesOrder,
                Delivery,
                StockMove,
                Invoice,
                SupplierInvoice,
                PurchaseOrder,
            )
        }

    # Helpers

    def day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.random.randint(0, max(0, (last - first).days)))

    def at(self, day: date, minute: int = 0) -> datetime:
        """A moment of a working day (9:00 plus minutes), in the site's time zone (each made once)."""
        found = self.moments.get((day, minute))
        if found is None:
            moment = timezone.make_aware(datetime.combine(day, Time(9, 0)) + timedelta(minutes=minute))
            found = self.moments[day, minute] = moment
        return found

    def drift(self, day: date) -> Decimal:
        """Prices rise about 8 % over the two years."""
        return D(1) + D("0.08") * D((day - self.start).days) / D(365 * YEARS)

    def fiscal_year(self, day: date) -> int:
        return self.years[day.year]

    def salesperson(self, index: int) -> int:
        return self.salespeople[index % len(self.salespeople)].pk

    # Parties and items

    def plan_parties(self) -> None:
        count = self.size["parties"]
        parties, addresses, profiles = Table(Party), Table(Address), Table(PartyAccounting)
        self.tables += [parties, addresses, profiles]
        self.customers, self.leads, self.suppliers = [], [], []
        chance = self.random
        for n in range(count):
            supplier = n % 20 == 19
            customer = n % 10 < 7
            name = (f"{NAME_STARTS[n % len(NAME_STARTS)]} {NAME_WORDS[(n // 7) % len(NAME_WORDS)]} "
                    f"{NAME_WORDS[(n // 3 + 11) % len(NAME_WORDS)]}, {NAME_FORMS[n % len(NAME_FORMS)]}")  # fmt: skip
            if supplier:
                name = f"Distribuciones {NAME_WORDS[n % len(NAME_WORDS)]} {n // 20 + 1}, S.A."
            city, postal_code, province = CITIES[(n * 7) % len(CITIES)]
            tax_id = valid_cif(1_000_000 + n) if customer or supplier else ""
            email = f"info{n}@{fold(name.split(',')[0]).replace(' ', '')[:20]}.example"
            party_id = parties.new_id()
            street = f"Calle {NAME_WORDS[(n * 3) % len(NAME_WORDS)]}, {n % 150 + 1}"
            term = self.term_halves if customer and n % 5 == 1 else self.term_default
            limit = D(5000 + (n % 10) * 5000) if customer and n % 4 == 0 else None
            plan = PartyPlan(
                party_id, name, tax_id, f"{street}\n{postal_code} {city}\n{province}", email, customer, supplier,
                habit=chance.choices(HABITS, weights=(15, 60, 18, 7))[0],
                term_id=term, credit_limit=limit, salesperson=chance.randrange(len(self.salespeople)),
            )  # fmt: skip
            with_address = customer or supplier
            parties.add(
                id=party_id, created_at=self.at(self.start - timedelta(days=400 - n % 300)), updated_at=self.now,
                created_by_id=self.manager.pk, updated_by_id=self.manager.pk, company_id=self.company.pk,
                kind=Party.Kind.ORGANISATION, name=name, country="ES", tax_id=tax_id, email=email,
                phone=f"+34 96{n % 10} {n:06d}"[:16], language="es",
                status=Party.Status.CUSTOMER if customer else Party.Status.LEAD, is_supplier=supplier,
                city=city if with_address else "",
                search_text=party_search_text(name=name, trade_name="", tax_id=tax_id, email=email,
                                              city=city if with_address else ""),
            )  # fmt: skip
            if with_address:
                addresses.add(
                    created_at=self.now, updated_at=self.now, company_id=self.company.pk, party_id=party_id,
                    kind=Address.Kind.BILLING, street=street, postal_code=postal_code, city=city, province=province,
                    country="ES", is_default=True,
                )  # fmt: skip
            if term != self.term_default or limit is not None:
                profiles.add(party_id=party_id, customer_term_id=term if term != self.term_default else None,
                             credit_limit=limit)  # fmt: skip
            (self.suppliers if supplier else self.customers if customer else self.leads).append(plan)
        # The key account: the first customer buys most (the 360° view's busiest party), and pays late.
        self.key_account = self.customers[0]
        self.key_account.habit = "late"
        self.top_accounts = self.customers[1 : 1 + max(2, len(self.customers) // 140)]

    def plan_items(self) -> None:
        count = self.size["items"]
        items, prices = Table(Item), Table(SupplierPrice)
        self.tables += [items, prices]
        goods_suppliers = self.suppliers[: self.size["goods_suppliers"]]
        self.items = []
        goods_categories = [pk for pk, service in self.categories if not service]
        service_categories = [pk for pk, service in self.categories if service]
        methods = ["fifo", "average", "fifo", "average", "last_purchase", "average", "fifo", "average", "fifo",
                   "standard"]  # fmt: skip
        for n in range(count):
            service = n % 7 == 6
            cost = round_unit(D(2 + (n * 37) % 400) + D(n % 100) / 100)
            price = round_money(cost * (D("1.25") + D((n * 13) % 55) / 100))
            tax = self.taxes["reducido" if n % 9 == 4 else "general"]
            method = "average" if service else methods[n % len(methods)]
            standard = cost if service or method == "standard" else None
            category = (service_categories if service else goods_categories)[
                n % (4 if service else len(goods_categories))
            ]
            sku = f"{'SRV' if service else 'ART'}-{n:05d}"
            name = (
                f"{'Servicio de' if service else 'Artículo'} {NAME_STARTS[n % len(NAME_STARTS)].lower()} {n}"
            )
            plan = ItemPlan(
                items.new_id(), sku, name, Item.Kind.SERVICE if service else Item.Kind.STOCKED, method, category,
                cost, price, tax[0], tax[1], tax[0], tax[1], D(10 + (n % 4) * 5), standard,
            )  # fmt: skip
            items.add(
                id=plan.id, created_at=self.now, updated_at=self.now, created_by_id=self.manager.pk,
                updated_by_id=self.manager.pk, company_id=self.company.pk, sku=sku, name=name,
                unit_id=self.units["h" if service else "ud"], category_id=category, kind=plan.kind,
                sale_tax_id=tax[0], purchase_tax_id=tax[0], base_price=price, standard_cost=standard,
                valuation_method=method, min_margin=plan.min_margin, search_text=fold(f"{sku} {name}"),
            )  # fmt: skip
            if not service:
                supplier = goods_suppliers[n % len(goods_suppliers)]
                plan.supplier_id = supplier.id
                plan.supplier_price_id = prices.add(
                    created_at=self.now, updated_at=self.now, company_id=self.company.pk, item_id=plan.id,
                    supplier_id=supplier.id, supplier_code=f"P{n:06d}", unit_price=cost, currency="EUR",
                    min_quantity=D(1), lead_time_days=7,
                )  # fmt: skip
            self.items.append(plan)
        self.goods = [item for item in self.items if item.stocked]
        self.services = [item for item in self.items if not item.stocked]

    # The sales stories

    def quote_lines(self, day: date, count: int, big: bool = False) -> list[QuoteLinePlan]:
        chance, lines = self.random, []
        for position in range(1, count + 1):
            item = chance.choice(self.services if chance.random() < 0.15 and not big else self.goods)
            if item.stocked:
                quantity = D(chance.choice((1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 40)))
            else:
                quantity = D(chance.randint(1, 8))
            locked = chance.random() < 0.07
            unit_price = (
                round_money(item.price * D(chance.randint(85, 97)) / HUNDRED) if locked else item.price
            )
            discount = D(chance.choice((0, 0, 0, 0, 0, 5, 10)))
            if item.stocked and item.method != "standard":
                unit_cost = round_unit(item.cost * self.drift(day) * D(chance.randint(97, 103)) / HUNDRED)
                source = item.method
            else:
                unit_cost, source = item.standard_cost, "standard"
            lines.append(QuoteLinePlan(0, position, item, quantity, item.price, unit_price, locked, discount,
                                       unit_cost, source))  # fmt: skip
        return lines

    def quotation(self, party, opportunity, salesperson_id, day, lines, state, **extra) -> QuotePlan:
        quote = QuotePlan(
            self.quotations.new_id(), party, opportunity, salesperson_id, day, state, lines, **extra
        )
        quote.totals = sales_rules.totals([
            sales_rules.LineInput(line.quantity, line.unit_price, line.discount, line.item.sale_rate, line.unit_cost,
                                  line.item.min_margin)
            for line in lines
        ])  # fmt: skip
        for line, figures in zip(lines, quote.totals.lines, strict=True):
            line.figures = figures
        self.quote_plans.append(quote)
        return quote

    def copy_lines(self, lines: list[QuoteLinePlan]) -> list[QuoteLinePlan]:
        return [
            QuoteLinePlan(0, line.position, line.item, line.quantity, line.list_price, line.unit_price, line.locked,
                          line.discount, line.unit_cost, line.source)
            for line in lines
        ]  # fmt: skip

    def pick_customer(self) -> PartyPlan:
        roll = self.random.random()
        if roll < 0.02:
            return self.key_account
        if roll < 0.22:
            return self.random.choice(self.top_accounts)
        return self.random.choice(self.customers)

    def plan_sales(self) -> None:
        chance = self.random
        count = self.size["opportunities"]
        self.opportunities, self.quote_plans, self.orders = [], [], []
        big_done = False
        for n in range(count):
            roll = n % 10
            status = "won" if roll < 4 else "lost" if roll < 7 else "open"
            big = status == "won" and not big_done
            party = (
                self.key_account
                if big
                else self.pick_customer()
                if status == "won"
                else chance.choice(self.customers + self.leads)
            )
            owner = self.salesperson(party.salesperson if chance.random() < 0.8 else chance.randrange(8))
            if status == "open":
                day = self.day_between(self.end - timedelta(days=100), self.end - timedelta(days=1))
            else:
                day = self.day_between(
                    self.start + timedelta(days=20), self.end - timedelta(days=160 if big else 45)
                )
            opportunity = OpportunityPlan(self.opportunity_table.new_id(), party, owner, day, status, "Nuevo",
                                          expected_close=day + timedelta(days=30 + chance.randint(0, 60)))  # fmt: skip
            opportunity.stages.append((day, "Nuevo"))
            self.opportunities.append(opportunity)
            if status == "won":
                self.won(opportunity, big)
                big_done = big_done or big
            elif status == "lost":
                self.lost(opportunity)
            else:
                self.still_open(opportunity)
        for n in range(self.size["standalone_quotations"]):
            party = self.pick_customer()
            day = self.day_between(self.start + timedelta(days=20), self.end - timedelta(days=40))
            lines = self.quote_lines(day, chance.randint(1, 4))
            owner = self.salesperson(party.salesperson)
            if n % 3 == 0:
                quote = self.quotation(party, None, owner, day, lines, "accepted", sent=day,
                                       closed=day + timedelta(days=chance.randint(1, 15)))  # fmt: skip
                self.order_from(quote)
            else:
                state = "expired" if n % 3 == 1 else "rejected"
                closed = (
                    day + timedelta(days=31)
                    if state == "expired"
                    else day + timedelta(days=chance.randint(2, 20))
                )
                self.quotation(party, None, owner, day, lines, state, sent=day, closed=closed,
                               close_reason="" if state == "expired" else LOST_REASONS[n % len(LOST_REASONS)])  # fmt: skip

    def won(self, opportunity: OpportunityPlan, big: bool) -> None:
        chance = self.random
        day = opportunity.day + timedelta(days=chance.randint(0, 7))
        lines = self.quote_lines(day, 12 if big else chance.choice((1, 1, 2, 2, 3, 3, 4, 5, 6)), big)
        opportunity.stages.append((day, "Propuesta"))
        revised = big or chance.random() < 0.1
        if revised:
            second = day + timedelta(days=chance.randint(2, 7))
            first = self.quotation(opportunity.party, opportunity, opportunity.owner_id, day, lines, "superseded",
                                   sent=day, closed=second)  # fmt: skip
            lines = self.copy_lines(lines)
            for line in lines[: max(1, len(lines) // 3)]:
                line.unit_price = round_money(line.unit_price * D("0.96"))
            quote = self.quotation(opportunity.party, opportunity, opportunity.owner_id, second, lines, "accepted",
                                   version=2, revision_of=first, sent=second)  # fmt: skip
            day = second
        else:
            quote = self.quotation(opportunity.party, opportunity, opportunity.owner_id, day, lines, "accepted",
                                   sent=day)  # fmt: skip
        accepted = min(day + timedelta(days=chance.randint(1, 20)), self.end)
        quote.closed = accepted
        opportunity.stages.append((accepted, self.stage_by_kind["won"].name))
        opportunity.status, opportunity.stage, opportunity.closed = (
            "won",
            self.stage_by_kind["won"].name,
            accepted,
        )
        opportunity.amount = quote.totals.net
        self.order_from(quote, big=big)

    def lost(self, opportunity: OpportunityPlan) -> None:
        chance = self.random
        reason = LOST_REASONS[opportunity.id % len(LOST_REASONS)]
        day = opportunity.day + timedelta(days=chance.randint(1, 10))
        if chance.random() < 0.15:  # lost before anything was quoted
            opportunity.stages.append((opportunity.day + timedelta(days=2), "Cualificado"))
            opportunity.amount = D(chance.randint(5, 200) * 50)
        else:
            lines = self.quote_lines(day, chance.randint(1, 4))
            opportunity.stages.append((day, "Propuesta"))
            day = day + timedelta(days=chance.randint(3, 25))
            self.quotation(opportunity.party, opportunity, opportunity.owner_id, day - timedelta(days=3), lines,
                           "rejected", sent=day - timedelta(days=3), closed=day, close_reason=reason)  # fmt: skip
            opportunity.amount = self.quote_plans[-1].totals.net
        lost = self.stage_by_kind["lost"].name
        opportunity.stages.append((day, lost))
        opportunity.status, opportunity.stage, opportunity.closed, opportunity.lost_reason = (
            "lost",
            lost,
            day,
            reason,
        )

    def still_open(self, opportunity: OpportunityPlan) -> None:
        chance = self.random
        stage = self.open_stages[opportunity.id % len(self.open_stages)]
        opportunity.stage = stage.name
        opportunity.amount = D(chance.randint(5, 300) * 50)
        if stage.sequence >= 30:  # proposal and negotiation: quoted
            day = self.day_between(opportunity.day, self.end)
            lines = self.quote_lines(day, chance.randint(1, 5))
            state = "draft" if chance.random() < 0.2 else "sent"
            if state == "sent" and day + timedelta(days=30) < self.end:
                state = "expired"
            quote = self.quotation(opportunity.party, opportunity, opportunity.owner_id, day, lines, state,
                                   sent=None if state == "draft" else day,
                                   closed=day + timedelta(days=31) if state == "expired" else None)  # fmt: skip
            opportunity.amount = quote.totals.net
            opportunity.stages.append((day, stage.name))
        elif stage.name != "Nuevo":
            opportunity.stages.append((opportunity.day + timedelta(days=1), stage.name))

    def order_from(self, quote: QuotePlan, big: bool = False) -> None:
        """The accepted quotation's order, delivered in one or more parts (the last ones maybe still waiting),
        each part invoiced on its day; a few goods come back and are credited."""
        chance = self.random
        day = quote.closed
        order = OrderPlan(
            self.order_table.new_id(), quote, day, [OrderLinePlan(0, line) for line in quote.lines]
        )
        self.orders.append(order)
        goods = [line for line in order.lines if line.item.stocked]
        parts = 4 if big else 2 if chance.random() < 0.08 else 1
        left = {line: line.quote_line.quantity for line in goods}
        delivery_day, previous = day, None
        for part in range(parts):
            delivery_day = delivery_day + timedelta(
                days=chance.randint(1, 7) if part == 0 else chance.randint(3, 12)
            )
            if not goods:
                break
            last = part == parts - 1
            shipped = {
                line: quantity
                if last
                else max(D(1), (quantity / 2).quantize(D(1)))
                if quantity > 1
                else quantity
                for line, quantity in left.items()
                if quantity > 0
            }
            if not shipped:
                break
            done = delivery_day <= self.end
            delivery = DeliveryPlan(self.delivery_table.new_id(), order, delivery_day if done else day, done,
                                    backorder_of=previous)  # fmt: skip
            for line, quantity in shipped.items():
                move = MovePlan(line.item, quantity, delivery.day, False, "delivery", delivery, done=done)
                delivery.lines.append(
                    DeliveryLinePlan(self.delivery_line_table.new_id(), line, quantity, move)
                )
                self.moves.append(move)
                left[line] -= quantity
                if done:
                    line.delivered += quantity
            order.deliveries.append(delivery)
            previous = delivery
            if not done:  # the rest waits on this draft: what is left is not delivered either
                for line in left:
                    left[line] = D(0)
                break
        done_deliveries = [delivery for delivery in order.deliveries if delivery.done]
        services = [line for line in order.lines if not line.item.stocked]
        invoice_days = [delivery.day for delivery in done_deliveries]
        if not goods:
            service_day = day + timedelta(days=chance.randint(1, 10))
            invoice_days = [service_day] if service_day <= self.end else []
        for index, invoice_day in enumerate(invoice_days):
            lines = []
            if done_deliveries:
                for delivery_line in done_deliveries[index].lines:
                    order_line = delivery_line.order_line
                    net = sales_rules.line_net(delivery_line.quantity, order_line.quote_line.unit_price,
                                               order_line.quote_line.discount)  # fmt: skip
                    lines.append(InvoiceLinePlan(0, order_line, delivery_line.quantity, net, delivery_line))
            if index == 0:
                for order_line in services:
                    lines.append(InvoiceLinePlan(0, order_line, order_line.quote_line.quantity,
                                                 order_line.quote_line.figures.net))  # fmt: skip
            invoice = InvoicePlan(self.invoice_table.new_id(), order, invoice_day, lines)
            for line in lines:
                line.order_line.invoiced += line.quantity
                line.order_line.invoiced_net += line.net
            order.invoices.append(invoice)
            self.invoices.append(invoice)
        # A few deliveries come back in part and are credited (always the big chain's last one).
        if done_deliveries and order.invoices and (big or chance.random() < 0.02):
            delivery = done_deliveries[-1]
            invoice = order.invoices[len(done_deliveries) - 1]
            back_day = delivery.day + timedelta(days=chance.randint(2, 15))
            if back_day <= self.end:
                self.give_back(order, delivery, invoice, back_day)

    def give_back(self, order: OrderPlan, delivery: DeliveryPlan, invoice: InvoicePlan, day: date) -> None:
        source = delivery.lines[0]
        quantity = max(D(1), (source.quantity / 3).quantize(D(1))) if source.quantity > 1 else source.quantity
        back = DeliveryPlan(self.delivery_table.new_id(), order, day, True, kind=Delivery.Kind.RETURN,
                            return_of=delivery, reason="Embalaje dañado en el transporte")  # fmt: skip
        move = MovePlan(
            source.order_line.item, quantity, day, True, "delivery", back, returned_from=source.move
        )
        line = DeliveryLinePlan(self.delivery_line_table.new_id(), source.order_line, quantity, move, source)
        back.lines.append(line)
        self.moves.append(move)
        order.deliveries.append(back)
        source.order_line.returned += quantity
        billed = next(item for item in invoice.lines if item.delivery_line is source)
        quote_line = source.order_line.quote_line
        net = -sales_rules.line_net(quantity, quote_line.unit_price, quote_line.discount)
        credit = InvoicePlan(self.invoice_table.new_id(), order, day,
                             [InvoiceLinePlan(0, source.order_line, -quantity, net, line, corrects=billed)],
                             credit_note=True, corrects=invoice, reason="Devolución de mercancía dañada")  # fmt: skip
        source.order_line.invoiced -= quantity
        source.order_line.invoiced_net += net
        order.invoices.append(credit)
        self.invoices.append(credit)

    # Purchases and stock

    def plan_purchases(self) -> None:
        """Each supplier's items bought ahead of every two months' deliveries, received two days before the
        months start; shortages of a few orders bought for them; the last orders still to come."""
        chance = self.random
        demand: dict[tuple[int, int], Decimal] = defaultdict(Decimal)  # (item id, window) → quantity
        for move in self.moves:
            if not move.incoming:
                window = max(0, (move.day - self.start).days // PURCHASE_WINDOW_DAYS)
                demand[move.item.id, window] += move.quantity
        windows = (self.end - self.start).days // PURCHASE_WINDOW_DAYS + 1
        by_supplier = defaultdict(list)
        for item in self.goods:
            by_supplier[item.supplier_id].append(item)
        self.purchases = []
        left: dict[int, Decimal] = defaultdict(Decimal)  # what each item will have left when a window starts
        for supplier_id, items in by_supplier.items():
            for window in range(windows):
                first_day = self.start + timedelta(days=window * PURCHASE_WINDOW_DAYS)
                day = max(self.start, first_day - timedelta(days=6))
                lines = []
                for item in items:
                    needed = demand.get((item.id, window), D(0))
                    # Enough for the window's deliveries and a quarter more, less what is left; a few units of
                    # each to start with.
                    quantity = (needed * D("1.25")).to_integral_value(ROUND_CEILING) - left[item.id]
                    if window == 0:
                        quantity += D(2 + item.id % 4)
                    if quantity > 0:
                        lines.append(self.purchase_line(item, quantity, day))
                        left[item.id] += quantity
                    left[item.id] -= needed
                if lines and day <= self.end:
                    self.purchase(
                        supplier_id, day, lines, receive=max(self.start, first_day - timedelta(days=2))
                    )
            # The last order: confirmed, on its way (a few of them partly received).
            day = self.end - timedelta(days=chance.randint(0, 10))
            lines = [self.purchase_line(item, D(10 + item.id % 20), day) for item in items[:6]]
            order = self.purchase(supplier_id, day, lines, receive=None)
            if chance.random() < 0.2 and day < self.end:
                self.receive(order, self.end, partial=True)
        # Orders short of stock bought for them, at a price above or below the cost their quotation froze.
        for order in self.orders:
            goods = [line for line in order.lines if line.item.stocked]
            if not goods or order.id % 33 != 0 or order.day + timedelta(days=3) > self.end:
                continue
            supplier_id = goods[0].item.supplier_id
            lines = []
            for line in goods:
                if line.item.supplier_id != supplier_id:
                    continue
                frozen = line.quote_line.unit_cost
                purchase = self.purchase_line(line.item, line.quote_line.quantity, order.day,
                                              price=round_unit(frozen * D(chance.randint(92, 115)) / HUNDRED))  # fmt: skip
                purchase.origin, purchase.origin_label = line, ""
                lines.append(purchase)
            self.purchase(
                supplier_id, order.day + timedelta(days=1), lines, receive=order.day + timedelta(days=3)
            )

    def purchase_line(self, item: ItemPlan, quantity: Decimal, day: date, price: Decimal | None = None):
        if price is None:
            price = round_unit(item.cost * self.drift(day) * D(self.random.randint(96, 104)) / HUNDRED)
        return PurchaseLinePlan(self.purchase_line_table.new_id(), item, quantity, price)

    def purchase(self, supplier_id: int, day: date, lines, *, receive: date | None) -> PurchasePlan:
        order = PurchasePlan(self.purchase_table.new_id(), supplier_id, day, lines)
        self.purchases.append(order)
        if receive is not None and receive <= self.end:
            self.receive(order, max(receive, day))
        return order

    def receive(self, order: PurchasePlan, day: date, partial: bool = False) -> None:
        receipt = ReceiptPlan(self.receipt_table.new_id(), order, day, [])
        for line in order.lines:
            quantity = (line.quantity / 2).quantize(D(1)) if partial else line.quantity - line.received
            if quantity <= 0:
                continue
            move = MovePlan(line.item, quantity, day, True, "purchase_receipt", receipt, is_purchase=True,
                            unit_cost=line.unit_price)  # fmt: skip
            self.moves.append(move)
            receipt.lines.append((line, quantity, move))
            line.received += quantity
        if receipt.lines:
            order.receipts.append(receipt)
            self.receipts.append(receipt)

    def value_stock(self) -> None:
        """Every done move through the valuation engine, per item in (date, id) order: receipts first on a
        day, then returns, then deliveries (the order their ids get)."""
        rank = {"purchase_receipt": 0}
        done = [move for move in self.moves if move.done]
        done.sort(key=lambda move: (move.day, rank.get(move.origin_type, 2 if not move.incoming else 1),
                                    move.item.id, move.document.id))  # fmt: skip
        drafts = [move for move in self.moves if not move.done]
        moves = Table(StockMove)
        self.tables.append(moves)
        for move in done + sorted(drafts, key=lambda move: (move.day, move.document.id)):
            move.id = moves.new_id()
        self.move_table = moves
        self.balances: dict[int, valuation.Balance] = {}
        self.valuation_rows: list[tuple[MovePlan, valuation.Step]] = []
        self.last_day: dict[int, date] = {}
        for move in done:
            item = move.item
            balance = self.balances.get(item.id, valuation.Balance())
            if move.incoming:
                cost = move.unit_cost if move.unit_cost is not None else move.returned_from.unit_cost
                step = valuation.receive(balance, method=item.method, quantity=move.quantity, unit_cost=cost,
                                         is_purchase=move.is_purchase, standard_cost=item.standard_cost,
                                         source=move.id)  # fmt: skip
                move.unit_cost, move.value = step.unit_cost, step.value
            else:
                if move.quantity > balance.quantity:
                    raise AssertionError(f"{item.sku} would go below zero on {move.day}")
                step = valuation.issue(balance, method=item.method, quantity=move.quantity,
                                       standard_cost=item.standard_cost)  # fmt: skip
                move.unit_cost, move.value = step.unit_cost, -step.value
            self.balances[item.id] = step.balance
            self.valuation_rows.append((move, step))
            self.last_day[item.id] = move.day
        for order in self.orders:
            for line in order.lines:
                line.delivered_cost = sum(
                    (d.move.value if d.move.incoming is False else -d.move.value
                     for delivery in order.deliveries if delivery.done for d in delivery.lines if d.order_line is line),
                    ZERO,
                )  # fmt: skip

    # Invoices, supplier invoices, dues and payments

    def plan_invoices(self) -> None:
        for invoice in self.invoices:
            party = invoice.order.quote.party
            invoice.taxes = invoice_taxes(
                TaxableLine(base=line.net, vat_rate=line.order_line.item.sale_rate) for line in invoice.lines
            )
            if invoice.credit_note:
                due = DuePlan(self.due_table.new_id(), party.id, False, invoice, 1, 1, invoice.day, invoice.day,
                              invoice.taxes.amount_due)  # fmt: skip
                invoice.dues.append(due)
            else:
                parts = split(invoice.taxes.amount_due, invoice.day, self.terms[party.term_id][1])
                for number, (due_day, amount) in enumerate(parts, start=1):
                    invoice.dues.append(DuePlan(self.due_table.new_id(), party.id, False, invoice, number,
                                                len(parts), invoice.day, due_day, amount))  # fmt: skip
        self.supplier_invoices = []
        numbers = defaultdict(int)
        for receipt in self.receipts:
            day = receipt.day + timedelta(days=self.random.randint(0, 10))
            if day > self.end:
                continue
            supplier_id = receipt.order.supplier_id
            numbers[supplier_id, day.year] += 1
            lines = [
                (self.supplier_line_table.new_id(), line, quantity, round_money(quantity * line.unit_price))
                for line, quantity, _move in receipt.lines
            ]
            plan = SupplierInvoicePlan(self.supplier_invoice_table.new_id(), receipt, day,
                                       f"FV{day.year % 100}/{numbers[supplier_id, day.year]:05d}", lines)  # fmt: skip
            plan.taxes = invoice_taxes(
                TaxableLine(base=net, vat_rate=line.item.purchase_rate) for _id, line, _q, net in lines
            )
            due_day = day + timedelta(days=60)
            plan.dues.append(DuePlan(self.due_table.new_id(), supplier_id, True, plan, 1, 1, day, due_day,
                                     plan.taxes.amount_due))  # fmt: skip
            self.supplier_invoices.append(plan)

    def plan_payments(self) -> None:
        chance = self.random
        self.payments: list[PaymentPlan] = []
        parties = {party.id: party for party in self.customers}
        for invoice in self.invoices:
            if invoice.credit_note:
                continue
            habit = parties[invoice.order.quote.party.id].habit
            credits = [
                other.dues[0]
                for other in invoice.order.invoices
                if other.credit_note and other.corrects is invoice
            ]
            for due in invoice.dues:
                # A credit note is set off against the invoice's last installment (no money moves).
                if credits and due is invoice.dues[-1]:
                    credit = credits[0]
                    amount = min(-credit.amount, due.amount)
                    self.pay(
                        due.party_id, False, credit.day, D(0), "offset", [(credit, -amount), (due, amount)]
                    )
                offset = {"early": (-15, -2), "on_time": (-3, 5), "late": (5, 40), "bad": (20, 150)}[habit]
                day = due.due + timedelta(days=chance.randint(*offset))
                day = max(day, due.day, credits[0].day if credits and due is invoice.dues[-1] else due.day)
                left = due.amount - due.paid
                if left <= 0 or day > self.end or (habit == "bad" and chance.random() < 0.15):
                    continue
                if chance.random() < 0.06:  # half now, the rest a month later
                    half = round_money(left / 2)
                    self.pay(due.party_id, False, day, half, self.method(), [(due, half)])
                    day, left = day + timedelta(days=30), left - half
                    if day > self.end:
                        continue
                self.pay(due.party_id, False, day, left, self.method(), [(due, left)])
        for invoice in self.supplier_invoices:
            for due in invoice.dues:
                day = due.due + timedelta(days=chance.randint(-5, 5))
                if day <= self.end:
                    self.pay(due.party_id, True, day, due.amount, "transfer", [(due, due.amount)])
        # Reminders: what is still unpaid 15 days after its due date gets a first one, after 45 a second.
        for invoice in self.invoices:
            for due in invoice.dues:
                if due.amount > due.paid and not invoice.credit_note:
                    late = (self.end - due.due).days
                    due.reminders = 2 if late > 45 else 1 if late > 15 else 0

    def method(self) -> str:
        roll = self.random.random()
        return "card" if roll < 0.08 else "cash" if roll < 0.12 else "transfer"

    def pay(self, party_id, payable, day, amount, method, allocations) -> None:
        payment = PaymentPlan(
            self.payment_table.new_id(), party_id, payable, day, amount, method, allocations
        )
        for due, part in allocations:
            due.paid += part
        self.payments.append(payment)

    # Numbers: every series in date order, as the services number them

    def number_documents(self) -> None:
        def numbered(plans, key, text):
            counters = defaultdict(int)
            for plan in sorted(plans, key=lambda plan: (key(plan), plan.id)):
                year = key(plan).year
                counters[year] += 1
                plan.number = text(year, counters[year], plan)
            return counters

        self.sequences = {}
        firsts = [quote for quote in self.quote_plans if quote.version == 1]
        self.sequences["P"] = numbered(firsts, lambda q: q.day, lambda y, n, q: f"P-{y}-{n:05d}")
        for quote in self.quote_plans:
            if quote.revision_of is not None:
                quote.number = quote.revision_of.number
        self.sequences["PV"] = numbered(self.orders, lambda o: o.day, lambda y, n, o: f"PV-{y}-{n:05d}")
        deliveries = [delivery for order in self.orders for delivery in order.deliveries]
        self.sequences["AL"] = numbered(deliveries, lambda d: d.day, lambda y, n, d: f"AL-{y}-{n:05d}")
        for series, credit in (("F", False), ("R", True)):
            plans = [invoice for invoice in self.invoices if invoice.credit_note == credit]
            self.sequences[series] = numbered(plans, lambda i: i.day,
                                              lambda y, n, i: invoicing_rules.invoice_number(i.series, y, n))  # fmt: skip
            for invoice in plans:
                invoice.sequence = int(invoice.number.rsplit("-", 1)[1])
        self.sequences["FR"] = numbered(self.supplier_invoices, lambda i: i.day,
                                        lambda y, n, i: invoicing_rules.invoice_number("FR", y, n))  # fmt: skip
        self.sequences["PC"] = numbered(self.purchases, lambda p: p.day, lambda y, n, p: f"PC-{y}-{n:05d}")
        self.sequences["REC"] = numbered(self.receipts, lambda r: r.day, lambda y, n, r: f"REC-{y}-{n:05d}")
        for series, payable in (("COB", False), ("PAG", True)):
            plans = [payment for payment in self.payments if payment.payable == payable]
            self.sequences[series] = numbered(plans, lambda p: p.day,
                                              lambda y, n, p, series=series: f"{series}-{y}-{n:05d}")  # fmt: skip

    # Writing it all

    def write_sales(self) -> None:
        quotations, quote_lines = self.quotations, Table(QuotationLine)
        orders, order_lines = self.order_table, Table(SalesOrderLine)
        opportunities, stage_changes, activities = self.opportunity_table, Table(StageChange), Table(Activity)
        self.tables += [quote_lines, order_lines, stage_changes, activities]
        company, stages = self.company.pk, self.stages
        for opportunity in self.opportunities:
            opportunities.add(
                id=opportunity.id, created_at=self.at(opportunity.day), updated_at=self.at(opportunity.closed or opportunity.day, 30),
                created_by_id=opportunity.owner_id, updated_by_id=opportunity.owner_id, company_id=company,
                party_id=opportunity.party.id, title=f"Obra {opportunity.id}: {NAME_STARTS[opportunity.id % 30].lower()}",
                owner_id=opportunity.owner_id, stage_id=stages[opportunity.stage].pk, status=opportunity.status,
                amount=opportunity.amount,
                probability=D(100) if opportunity.status == "won" else ZERO if opportunity.status == "lost"
                else stages[opportunity.stage].probability,
                expected_close=opportunity.closed or opportunity.expected_close, source=("web", "referral", "fair",
                "cold_call", "email", "partner", "existing")[opportunity.id % 7], lost_reason=opportunity.lost_reason,
                closed_on=opportunity.closed,
            )  # fmt: skip
            previous = None
            for minute, (day, stage) in enumerate(opportunity.stages):
                stage_changes.add(opportunity_id=opportunity.id, from_stage_id=previous, to_stage_id=stages[stage].pk,
                                  by_id=opportunity.owner_id, at=self.at(day, 60 + minute), note="")  # fmt: skip
                previous = stages[stage].pk
            if opportunity.status != "open":
                self.state(Opportunity, opportunity.id, "open", opportunity.status, opportunity.closed,
                           opportunity.owner_id, field="status")  # fmt: skip
            self.activities_of(activities, opportunity)
        for party in self.customers[: len(self.customers) // 3]:
            day = self.day_between(self.start, self.end)
            activities.add(created_at=self.at(day), updated_at=self.at(day), company_id=company, kind="call",
                           subject="Llamada de seguimiento", party_id=party.id, due_at=self.at(day, 120),
                           owner_id=self.salesperson(party.salesperson), done=True, done_at=self.at(day, 130),
                           outcome="Contento con el servicio")  # fmt: skip
        for quote in self.quote_plans:
            closed = quote.closed if quote.state not in ("draft", "sent") else None
            quotations.add(
                id=quote.id, created_at=self.at(quote.day), updated_at=self.at(closed or quote.day, 45),
                created_by_id=quote.salesperson_id, updated_by_id=quote.salesperson_id, company_id=company,
                number=quote.number, version=quote.version, party_id=quote.party.id,
                opportunity_id=quote.opportunity.id if quote.opportunity else None, salesperson_id=quote.salesperson_id,
                date=quote.day, valid_until=quote.day + timedelta(days=30), currency="EUR", price_list_id=self.price_list,
                warehouse_id=self.warehouse_id, payment_term_id=quote.party.term_id, state=quote.state,
                gross_net=quote.totals.gross_net, discount_amount=quote.totals.document_discount, net=quote.totals.net,
                tax=quote.totals.tax, total=quote.totals.total, cost=quote.totals.cost, margin=quote.totals.margin,
                margin_percent=quote.totals.margin_percent,
                taxes=[{"rate": str(t.rate), "base": str(t.base), "tax": str(t.tax)} for t in quote.totals.taxes],
                sent_at=self.at(quote.sent, 20) if quote.sent else None,
                sent_to=quote.party.email if quote.sent else "",
                closed_at=self.at(closed, 40) if closed else None,
                closed_by_id=quote.salesperson_id if closed else None, close_reason=quote.close_reason,
                revision_of_id=quote.revision_of.id if quote.revision_of else None,
            )  # fmt: skip
            for line in quote.lines:
                line.id = self.quote_line(quote_lines, quote, line)
            if quote.sent:
                self.state(Quotation, quote.id, "draft", "sent", quote.sent, quote.salesperson_id)
            if closed:
                self.state(Quotation, quote.id, "sent", quote.state, closed, quote.salesperson_id)
        for order in self.orders:
            quote = order.quote
            fulfilment = [
                sales_rules.LineFulfilment(stocked=line.item.stocked, ordered=line.quote_line.quantity,
                                           delivered=line.delivered, returned=line.returned, invoiced=line.invoiced)
                for line in order.lines
            ]  # fmt: skip
            done = sales_rules.invoice_state(fulfilment) == sales_rules.INVOICED
            orders.add(
                id=order.id, created_at=self.at(order.day, 50), updated_at=self.at(order.day, 50),
                created_by_id=quote.salesperson_id, updated_by_id=quote.salesperson_id, company_id=company,
                number=order.number, quotation_id=quote.id, party_id=quote.party.id,
                opportunity_id=quote.opportunity.id if quote.opportunity else None, salesperson_id=quote.salesperson_id,
                warehouse_id=self.warehouse_id, date=order.day, currency="EUR", payment_term_id=quote.party.term_id,
                state=SalesOrder.State.DONE if done else SalesOrder.State.CONFIRMED, net=quote.totals.net,
                tax=quote.totals.tax, total=quote.totals.total, cost=quote.totals.cost, margin=quote.totals.margin,
                taxes=[{"rate": str(t.rate), "base": str(t.base), "tax": str(t.tax)} for t in quote.totals.taxes],
                delivery_state=sales_rules.delivery_state(fulfilment), invoice_state=sales_rules.invoice_state(fulfilment),
                delivered_cost=sum((line.delivered_cost for line in order.lines), ZERO),
                invoiced_net=sum((line.invoiced_net for line in order.lines), ZERO),
            )  # fmt: skip
            if done:
                last = max(invoice.day for invoice in order.invoices)
                self.state(SalesOrder, order.id, "confirmed", "done", last, self.manager.pk)
            for line in order.lines:
                quote_line = line.quote_line
                line.id = order_lines.add(
                    order_id=order.id, quotation_line_id=quote_line.id, position=quote_line.position,
                    item_id=quote_line.item.id, description=quote_line.item.name, quantity=quote_line.quantity,
                    unit_price=quote_line.unit_price, discount=quote_line.discount, tax_rate=quote_line.item.sale_rate,
                    net=quote_line.figures.net, unit_cost=quote_line.unit_cost, cost_source=quote_line.source,
                    margin=quote_line.figures.margin, tax_category_id=quote_line.item.sale_tax_id,
                    delivered=line.delivered, returned=line.returned, invoiced=line.invoiced,
                    delivered_cost=line.delivered_cost, invoiced_net=line.invoiced_net,
                )  # fmt: skip

    def quote_line(self, table: Table, quote: QuotePlan, line: QuoteLinePlan) -> int:
        figures, item, cost = line.figures, line.item, line.unit_cost
        comparison = {
            basis: {"unit_cost": str(round_unit(cost * D(factor) / 100)), "source": basis if item.stocked else "standard"}
            for basis, factor in (("average", 100), ("fifo", 98), ("last_purchase", 103))
        }  # fmt: skip
        comparison["supplier_price"] = {"unit_cost": str(round_unit(cost * D("1.02"))) if item.stocked else "0.000000",
                                        "source": "supplier_price" if item.stocked else "none"}  # fmt: skip
        comparison[line.source if line.source in comparison else "average"]["unit_cost"] = str(cost)
        rule_text = {"es": "Sin regla: precio de venta base", "en": "No rule: base sale price"}
        return table.add(
            quotation_id=quote.id, position=line.position, item_id=item.id, description=item.name,
            quantity=line.quantity, list_price=line.list_price, unit_price=line.unit_price, price_locked=line.locked,
            price_rule_text=rule_text["es"], price_rule_texts=rule_text, discount=line.discount,
            tax_category_id=item.sale_tax_id, tax_rate=item.sale_rate, unit_cost=cost, cost_source=line.source,
            cost_parts=[{"quantity": str(line.quantity), "unit_cost": str(cost),
                         "value": str(round_money(line.quantity * cost)), "source": line.source, "reference": "",
                         "date": None}],
            cost_comparison=comparison, costed_at=self.at(quote.day, 10), min_margin=item.min_margin,
            gross_net=figures.gross_net, discount_share=figures.document_discount, net=figures.net, cost=figures.cost,
            margin=figures.margin, margin_percent=figures.margin_percent, below_min_margin=figures.below_min_margin,
        )  # fmt: skip

    def activities_of(self, table: Table, opportunity: OpportunityPlan) -> None:
        company, owner = self.company.pk, opportunity.owner_id
        table.add(created_at=self.at(opportunity.day), updated_at=self.at(opportunity.day), company_id=company,
                  kind="call", subject="Primera llamada", party_id=opportunity.party.id, opportunity_id=opportunity.id,
                  due_at=self.at(opportunity.day, 90), owner_id=owner, done=True,
                  done_at=self.at(opportunity.day, 100), outcome="Necesita presupuesto")  # fmt: skip
        if opportunity.status == "open":
            due = self.end + timedelta(days=(opportunity.id % 25) - 5)  # some already overdue
            table.add(created_at=self.at(opportunity.day), updated_at=self.at(opportunity.day), company_id=company,
                      kind=("meeting", "task", "email")[opportunity.id % 3], subject="Seguimiento de la oferta",
                      party_id=opportunity.party.id, opportunity_id=opportunity.id, due_at=self.at(due, 60),
                      owner_id=owner, done=False)  # fmt: skip

    def state(self, model, object_id, from_state, to_state, day, by, field="state") -> None:
        self.state_changes.add(company_id=self.company.pk, content_type_id=self.content_types[model],
                               object_id=object_id, field=field, from_state=from_state, to_state=to_state, by_id=by,
                               at=self.at(day, 30))  # fmt: skip

    def write_stock(self) -> None:
        deliveries, delivery_lines = self.delivery_table, self.delivery_line_table
        purchases, purchase_lines, receipts = (
            self.purchase_table,
            self.purchase_line_table,
            self.receipt_table,
        )
        receipt_lines, entries, balances = Table(ReceiptLine), Table(ValuationEntry), Table(StockBalance)
        quants, item_purchasing = Table(StockQuant), Table(ItemPurchasing)
        self.tables += [receipt_lines, entries, balances, quants, item_purchasing]
        company, storekeeper = self.company.pk, self.manager.pk
        moves = self.move_table
        for order in self.orders:
            for delivery in order.deliveries:
                label = f"{delivery.number} ({order.number})"
                returning = delivery.kind == Delivery.Kind.RETURN
                deliveries.add(
                    id=delivery.id, created_at=self.at(order.day, 55), updated_at=self.at(delivery.day, 70),
                    created_by_id=order.quote.salesperson_id, updated_by_id=storekeeper, company_id=company,
                    number=delivery.number, kind=delivery.kind, order_id=order.id, party_id=order.quote.party.id,
                    warehouse_id=self.warehouse_id, date=delivery.day,
                    state=Delivery.State.DONE if delivery.done else Delivery.State.DRAFT,
                    backorder_of_id=delivery.backorder_of.id if delivery.backorder_of else None,
                    return_of_id=delivery.return_of.id if delivery.return_of else None, reason=delivery.reason,
                    cost=delivery.cost, done_at=self.at(delivery.day, 70) if delivery.done else None,
                    done_by_id=storekeeper if delivery.done else None,
                )  # fmt: skip
                if delivery.done and not returning:
                    self.state(Delivery, delivery.id, "draft", "done", delivery.day, storekeeper)
                for position, line in enumerate(delivery.lines, start=1):
                    move = line.move
                    self.move_row(moves, move, label, storekeeper,
                                  (self.customer_location, self.stock_location) if returning
                                  else (self.stock_location, self.customer_location))  # fmt: skip
                    if move.done and not returning:
                        self.state(StockMove, move.id, "draft", "done", move.day, storekeeper)
                    delivery_lines.add(
                        id=line.id, delivery_id=delivery.id, order_line_id=line.order_line.id, position=position,
                        item_id=move.item.id, quantity=line.quantity, move_id=move.id,
                        returned_line_id=line.returned_line.id if line.returned_line else None,
                        unit_cost=move.unit_cost if move.done else None, cost=move.value if move.done else ZERO,
                    )  # fmt: skip
        last_purchase: dict[int, tuple[Decimal, date, str]] = {}
        for order in self.purchases:
            purchases.add(
                id=order.id, created_at=self.at(order.day), updated_at=self.at(order.day, 5), created_by_id=storekeeper,
                updated_by_id=storekeeper, company_id=company, number=order.number, supplier_id=order.supplier_id,
                warehouse_id=self.warehouse_id, date=order.day, expected_date=order.day + timedelta(days=7),
                currency="EUR", exchange_rate=D(1), state=order.state, confirmed_at=self.at(order.day, 5),
            )  # fmt: skip
            self.state(PurchaseOrder, order.id, "draft", "confirmed", order.day, storekeeper)
            for position, line in enumerate(order.lines, start=1):
                purchase_lines.add(
                    id=line.id, order_id=order.id, position=position, item_id=line.item.id,
                    description=line.item.name, quantity=line.quantity, unit_price=line.unit_price,
                    supplier_price_id=line.item.supplier_price_id, received_quantity=line.received,
                    origin_type=ORDER_LINE_ORIGIN if line.origin else "", origin_id=line.origin.id if line.origin else None,
                    origin_label=self.order_of_line[line.origin].number if line.origin else "",
                    origin_unit_cost=line.origin.quote_line.unit_cost if line.origin else None,
                )  # fmt: skip
            for receipt in order.receipts:
                receipts.add(id=receipt.id, created_at=self.at(receipt.day), updated_at=self.at(receipt.day),
                             created_by_id=storekeeper, updated_by_id=storekeeper, company_id=company,
                             number=receipt.number, order_id=order.id, warehouse_id=self.warehouse_id,
                             date=receipt.day)  # fmt: skip
                for line, quantity, move in receipt.lines:
                    self.move_row(moves, move, f"{receipt.number} ({order.number})", storekeeper,
                                  (self.supplier_location, self.stock_location))  # fmt: skip
                    receipt_lines.add(receipt_id=receipt.id, order_line_id=line.id, quantity=quantity,
                                      unit_cost=line.unit_price, move_id=move.id)  # fmt: skip
                    known = last_purchase.get(line.item.id)
                    if known is None or (receipt.day, move.id) >= (known[1], known[3]):
                        last_purchase[line.item.id] = (line.unit_price, receipt.day, receipt.number, move.id)
        for move, step in self.valuation_rows:
            after = step.balance
            entries.add(company_id=company, item_id=move.item.id, warehouse_id=self.warehouse_id, move_id=move.id,
                        date=move.day, quantity=move.quantity if move.incoming else -move.quantity,
                        unit_cost=step.unit_cost, value=step.value, is_purchase=move.is_purchase,
                        received=after.received, issued=after.issued, value_after=after.value,
                        average_value=after.average_value, average=after.average, last_cost=after.last_cost)  # fmt: skip
        for item_id, balance in self.balances.items():
            balances.add(company_id=company, item_id=item_id, warehouse_id=self.warehouse_id, received=balance.received,
                         issued=balance.issued, value=balance.value, average_value=balance.average_value,
                         average=balance.average, last_cost=balance.last_cost, last_date=self.last_day[item_id])  # fmt: skip
            quants.add(company_id=company, item_id=item_id, location_id=self.stock_location,
                       quantity=balance.received - balance.issued)  # fmt: skip
        for item in self.goods:
            cost, day, reference, _move = last_purchase.get(item.id, (None, None, "", 0))
            on_hand = self.balances.get(item.id, valuation.Balance()).quantity
            # Every third item's minimum is set above what is on hand now: the items under their minimum.
            minimum = (
                (on_hand + 5 if item.id % 3 == 0 else max(D(0), (on_hand / 4).quantize(D(1))))
                if item.id % 2
                else D(0)
            )
            item_purchasing.add(created_at=self.now, updated_at=self.now, company_id=company, item_id=item.id,
                                preferred_supplier_id=item.supplier_id, minimum_stock=minimum,
                                reorder_quantity=D(20) if minimum else D(0), last_purchase_cost=cost,
                                last_purchase_date=day, last_purchase_reference=reference)  # fmt: skip

    def move_row(self, table: Table, move: MovePlan, label: str, by: int, locations: tuple[int, int]) -> None:
        table.add(
            id=move.id, created_at=self.at(move.day, 3), updated_at=self.at(move.day, 4), created_by_id=by,
            updated_by_id=by, company_id=self.company.pk, item_id=move.item.id, quantity=move.quantity,
            from_location_id=locations[0], to_location_id=locations[1], date=move.day,
            unit_cost=move.unit_cost if move.done else None, value=move.value if move.done else None,
            state=StockMove.State.DONE if move.done else StockMove.State.DRAFT,
            done_at=self.at(move.day, 4) if move.done else None, origin_type=move.origin_type,
            origin_id=move.document.id, origin_label=label,
        )  # fmt: skip

    def write_invoices(self) -> None:
        invoices, invoice_lines, invoice_taxes_table = (
            self.invoice_table,
            Table(InvoiceLine),
            Table(InvoiceTax),
        )
        supplier_invoices, supplier_lines = self.supplier_invoice_table, self.supplier_line_table
        supplier_taxes, dues = Table(SupplierInvoiceTax), self.due_table
        self.tables += [invoice_lines, invoice_taxes_table, supplier_taxes]
        company, accountant = self.company.pk, self.manager.pk
        suppliers = {party.id: party for party in self.suppliers}
        for invoice in self.invoices:
            order = invoice.order
            party = order.quote.party
            taxes = invoice.taxes
            invoices.add(
                id=invoice.id, created_at=self.at(invoice.day, 80), updated_at=self.at(invoice.day, 85),
                created_by_id=accountant, updated_by_id=accountant, company_id=company,
                kind=Invoice.Kind.CREDIT_NOTE if invoice.credit_note else Invoice.Kind.INVOICE,
                invoice_type="R4" if invoice.credit_note else "F1", state=Invoice.State.DRAFT,
                series=invoice.series, year=invoice.day.year, sequence=invoice.sequence, number=invoice.number,
                date=invoice.day, party_id=party.id, party_name=party.name, party_tax_id=party.tax_id,
                party_address=party.address, party_country="ES", language="es", currency="EUR",
                payment_terms=self.terms[party.term_id][0], payment_term_id=party.term_id, treatment="domestic",
                corrects_id=invoice.corrects.id if invoice.corrects else None, reason=invoice.reason,
                base=taxes.base, vat=taxes.vat, recargo=taxes.recargo, withholding=taxes.withholding,
                total=taxes.total, amount_due=taxes.amount_due, cost=invoice.cost(),
                posted_at=self.at(invoice.day, 85), posted_by_id=accountant,
            )  # fmt: skip
            self.state(Invoice, invoice.id, "draft", "posted", invoice.day, accountant)
            for position, line in enumerate(invoice.lines, start=1):
                quote_line = line.order_line.quote_line
                line.id = invoice_lines.add(
                    invoice_id=invoice.id, position=position, order_line_id=line.order_line.id,
                    delivery_line_id=line.delivery_line.id if invoice.credit_note else None,
                    corrects_line_id=line.corrects.id if line.corrects else None, item_id=quote_line.item.id,
                    description=f"{quote_line.item.name} ({order.number})", quantity=line.quantity,
                    unit_price=quote_line.unit_price, discount=quote_line.discount, net=line.net,
                    vat_rate=quote_line.item.sale_rate, treatment="domestic", cost=line_cost(line),
                )  # fmt: skip
            for group in taxes.vat_groups:
                invoice_taxes_table.add(invoice_id=invoice.id, kind="vat", treatment=group.treatment.code,
                                        rate=group.vat_rate, recargo_rate=group.recargo_rate, base=group.base,
                                        amount=group.vat, recargo=group.recargo)  # fmt: skip
            self.entry_of_invoice(invoice, party)
            for due in invoice.dues:
                self.due_row(dues, due, "invoicing.invoice", invoice.number, self.defaults["receivable"])
        for invoice in self.supplier_invoices:
            taxes, supplier = invoice.taxes, suppliers[invoice.receipt.order.supplier_id]
            supplier_invoices.add(
                id=invoice.id, created_at=self.at(invoice.day, 90), updated_at=self.at(invoice.day, 95),
                created_by_id=accountant, updated_by_id=accountant, company_id=company, state="draft",
                party_id=supplier.id, supplier_number=invoice.supplier_number, date=invoice.day, year=invoice.day.year,
                received_date=invoice.day, series="FR", sequence=int(invoice.number.rsplit("-", 1)[1]),
                number=invoice.number, currency="EUR", base=taxes.base, vat=taxes.vat, recargo=taxes.recargo,
                withholding=taxes.withholding, total=taxes.total, amount_due=taxes.amount_due,
                payment_term_id=self.term_default, posted_at=self.at(invoice.day, 95), posted_by_id=accountant,
            )  # fmt: skip
            self.state(SupplierInvoice, invoice.id, "draft", "posted", invoice.day, accountant)
            for position, (line_id, line, quantity, net) in enumerate(invoice.lines, start=1):
                supplier_lines.add(id=line_id, invoice_id=invoice.id, position=position, purchase_line_id=line.id,
                                   item_id=line.item.id, description=line.item.name, quantity=quantity,
                                   unit_price=line.unit_price, net=net, vat_rate=line.item.purchase_rate)  # fmt: skip
            for group in taxes.vat_groups:
                supplier_taxes.add(invoice_id=invoice.id, kind="vat", rate=group.vat_rate,
                                   recargo_rate=group.recargo_rate, base=group.base, amount=group.vat,
                                   recargo=group.recargo)  # fmt: skip
            self.entry_of_supplier_invoice(invoice, supplier)
            for due in invoice.dues:
                self.due_row(dues, due, "invoicing.supplierinvoice", invoice.number, self.defaults["payable"])

    def due_row(self, table: Table, due: DuePlan, model: str, number: str, account_id: int) -> None:
        state = "paid" if due.paid == due.amount else "partial" if due.paid else "open"
        table.add(
            id=due.id, created_at=self.at(due.day, 86), updated_at=self.at(due.day, 86),
            created_by_id=self.manager.pk, updated_by_id=self.manager.pk, company_id=self.company.pk,
            direction="payable" if due.payable else "receivable", party_id=due.party_id, account_id=account_id,
            origin_model=model, origin_id=due.document.id, origin_number=number, installment=due.installment,
            installments=due.installments, document_date=due.day, due_date=due.due, currency="EUR",
            amount=due.amount, paid=due.paid, state=state, reminder_level=due.reminders,
        )  # fmt: skip
        for level in range(1, due.reminders + 1):
            self.reminders.add(company_id=self.company.pk, due_id=due.id, level=level,
                               date=due.due + timedelta(days=15 if level == 1 else 45), language="es",
                               sent_to=f"cobros{due.party_id}@example.com",
                               created_at=self.at(due.due + timedelta(days=15 if level == 1 else 45)))  # fmt: skip

    def write_payments(self) -> None:
        payments, allocations = self.payment_table, Table(Allocation)
        self.tables.append(allocations)
        names = {party.id: party.name for party in self.customers + self.suppliers}
        bank, cash = self.bank.account_id, self.defaults["cash"]
        for payment in self.payments:
            reference = "" if payment.method == "offset" else payment.allocations[0][0].document.number
            entry_id = None
            if payment.method != "offset":
                money = cash if payment.method == "cash" else bank
                party_account = self.defaults["payable" if payment.payable else "receivable"]
                lines = [(money, payment.amount if not payment.payable else ZERO,
                          payment.amount if payment.payable else ZERO, None, reference),
                         (party_account, payment.amount if payment.payable else ZERO,
                          ZERO if payment.payable else payment.amount, payment.party_id, reference)]  # fmt: skip
                entry_id = self.entry("CAJ" if payment.method == "cash" else "BAN", payment.day,
                                      f"{payment.number} · {names[payment.party_id]}", lines,
                                      ("payments.payment", payment.id, payment.number))  # fmt: skip
            payments.add(
                id=payment.id, created_at=self.at(payment.day, 120), updated_at=self.at(payment.day, 120),
                created_by_id=self.manager.pk, updated_by_id=self.manager.pk, company_id=self.company.pk,
                direction="payable" if payment.payable else "receivable", number=payment.number,
                party_id=payment.party_id, date=payment.day, method=payment.method,
                bank_account_id=self.bank.pk if payment.method in ("transfer", "card") else None, currency="EUR",
                amount=payment.amount, applied=payment.amount, reference=reference, state="posted", entry_id=entry_id,
            )  # fmt: skip
            for due, amount in payment.allocations:
                allocations.add(company_id=self.company.pk, payment_id=payment.id, due_id=due.id, amount=amount,
                                date=payment.day, created_at=self.at(payment.day, 121),
                                created_by_id=self.manager.pk)  # fmt: skip

    # The books

    def entry(self, journal: str, day: date, description: str, lines, origin=("", None, "")) -> int:
        """A posted entry (numbered later, in date order) and its lines: (account, debit, credit, party, text)."""
        entry_id = self.entry_table.new_id()
        total = sum((line[1] for line in lines), ZERO)
        if total != sum((line[2] for line in lines), ZERO):
            raise AssertionError(f"unbalanced entry {description}: {lines}")
        self.entry_plans.append((day, journal, entry_id, description, origin, total))
        journal_id, company = self.journals[journal], self.company.pk
        for position, (account_id, debit, credit, party_id, text) in enumerate(lines):
            self.entry_lines.rows.append((self.entry_lines.new_id(), entry_id, company, day, journal_id, True,
                                          ledger.NORMAL, position, account_id, party_id, debit, credit, text))  # fmt: skip
        return entry_id

    def entry_of_invoice(self, invoice: InvoicePlan, party: PartyPlan) -> None:
        """As invoicing.services.entries: receivable, sales per account (goods or services; goods credited go
        to sales returns), VAT per rate; a credit note's figures change sides."""
        word = "Credit note" if invoice.credit_note else "Invoice"
        description = f"{word} {invoice.number} · {party.name}"
        taxes = invoice.taxes
        signed = [(self.defaults["receivable"], taxes.amount_due, party.id, description)]
        sales: dict[int, Decimal] = {}
        for line in invoice.lines:
            item = line.order_line.item
            role = (
                "services_income" if not item.stocked else "sales_returns" if invoice.credit_note else "sales"
            )
            sales[self.defaults[role]] = sales.get(self.defaults[role], ZERO) - line.net
        vat = [(self.defaults["output_vat"], -group.vat, None, f"VAT {group.vat_rate.normalize():f} %")
               for group in taxes.vat_groups]  # fmt: skip
        # The sales lines take what balances the entry, their largest account any rounding (as the service).
        difference = -sum((amount for _a, amount, _p, _t in [*signed, *vat]), ZERO) - sum(
            sales.values(), ZERO
        )
        if difference:
            largest = max(sales, key=lambda account: abs(sales[account]))
            sales[largest] += difference
        signed += [(account, amount, None, description) for account, amount in sales.items()]
        signed += vat
        journal = "VEN-R" if invoice.credit_note else "VEN"
        self.entry(
            journal,
            invoice.day,
            description,
            sided(signed),
            ("invoicing.invoice", invoice.id, invoice.number),
        )

    def entry_of_supplier_invoice(self, invoice: SupplierInvoicePlan, supplier: PartyPlan) -> None:
        description = f"Supplier invoice {invoice.number} ({invoice.supplier_number}) · {supplier.name}"
        taxes = invoice.taxes
        signed = [(self.defaults["purchases"], taxes.base, None, description)]
        signed += [(self.defaults["input_vat"], group.vat, None, f"VAT {group.vat_rate.normalize():f} %")
                   for group in taxes.vat_groups]  # fmt: skip
        signed.append((self.defaults["payable"], -taxes.amount_due, supplier.id, description))
        self.entry("COM", invoice.day, description, sided(signed),
                   ("invoicing.supplierinvoice", invoice.id, invoice.number))  # fmt: skip

    def everyday_entries(self, target_lines: int) -> None:
        """Expenses paid by the bank and monthly payroll, four lines each, spread over the period until the
        books hold `target_lines` lines."""
        missing = target_lines - len(self.entry_lines.rows)
        count = max(0, missing // 4)
        if not count:
            return
        accounts = self.accounts
        days = (self.end - self.start).days + 1
        bank = self.bank.account_id
        for n in range(count):
            day = self.start + timedelta(days=n * days // count)
            first = D((n * 7919) % 250_000 + 1000) / 100
            second = D((n * 104_729) % 60_000 + 500) / 100
            if (
                n % 5 == 4
            ):  # payroll: gross and social security against what is owed to the staff and to the SS
                social = round_money(first * D("0.3"))
                lines = [(accounts["640"], first, ZERO, None, "Nómina"), (accounts["642"], social, ZERO, None, "Nómina"),
                         (accounts["476"], ZERO, social + round_money(first * D("0.065")), None, "Seguridad Social"),
                         (accounts["465"], ZERO, first - round_money(first * D("0.065")), None, "Nómina")]  # fmt: skip
                description = f"Nómina {day:%m/%Y}"
            else:
                vat = round_money((first + second) * D("0.21"))
                lines = [(accounts[EXPENSES[n % len(EXPENSES)]], first, ZERO, None, "Gasto"),
                         (accounts[EXPENSES[(n + 3) % len(EXPENSES)]], second, ZERO, None, "Gasto"),
                         (accounts["472"], vat, ZERO, None, "IVA soportado"),
                         (bank, ZERO, first + second + vat, None, "Pago por banco")]  # fmt: skip
                description = f"Gastos {n}"
            self.entry("GEN", day, description, lines)

    def write_entries(self) -> None:
        """The entries, numbered in date order per journal and fiscal year, first as drafts: the ledger's
        guard refuses lines added to a posted entry, so they are marked posted once their lines are in."""
        counters: dict[tuple[str, int], int] = defaultdict(int)
        codes = {pk: code for code, pk in self.journals.items()}
        company, by = self.company.pk, self.manager.pk
        for day, journal, entry_id, description, origin, total in sorted(
            self.entry_plans, key=lambda e: (e[0], e[2])
        ):
            counters[journal, day.year] += 1
            sequence = counters[journal, day.year]
            self.entry_table.add(
                id=entry_id, created_at=self.at(day, 87), updated_at=self.at(day, 87), created_by_id=by,
                updated_by_id=by, company_id=company, journal_id=self.journals[journal],
                fiscal_year_id=self.fiscal_year(day), date=day, state=ledger.DRAFT, kind=ledger.NORMAL,
                sequence=sequence, number=ledger.entry_number(journal, day.year, sequence), description=description,
                origin_model=origin[0], origin_id=origin[1], origin_number=origin[2], total=total,
                posted_at=self.at(day, 87), posted_by_id=by,
            )  # fmt: skip
        del codes
        for (journal, year), last in counters.items():
            self.sequences[f"entry:{journal}"] = {**self.sequences.get(f"entry:{journal}", {}), year: last}

    # The whole

    def run(self) -> Dataset:
        started = time.perf_counter()
        self.setup()
        with transaction.atomic():
            self.tables: list[Table] = []
            self.quotations, self.order_table = Table(Quotation), Table(SalesOrder)
            self.opportunity_table, self.delivery_table = Table(Opportunity), Table(Delivery)
            self.delivery_line_table, self.invoice_table = Table(DeliveryLine), Table(Invoice)
            self.purchase_table, self.purchase_line_table = Table(PurchaseOrder), Table(PurchaseOrderLine)
            self.receipt_table, self.supplier_invoice_table = Table(Receipt), Table(SupplierInvoice)
            self.supplier_line_table, self.due_table = Table(SupplierInvoiceLine), Table(DueAmount)
            self.payment_table, self.entry_table, self.entry_lines = (
                Table(Payment),
                Table(Entry),
                Table(EntryLine),
            )
            # Entry lines are the bulk: written as tuples in this order (`entry`), not through `Table.add`.
            assert self.entry_lines.columns == ENTRY_LINE_COLUMNS, self.entry_lines.columns
            self.state_changes, self.reminders = Table(StateChange), Table(Reminder)
            self.tables += [
                self.opportunity_table, self.quotations, self.order_table, self.delivery_table,
                self.delivery_line_table, self.invoice_table, self.purchase_table, self.purchase_line_table,
                self.receipt_table, self.supplier_invoice_table, self.supplier_line_table, self.due_table,
                self.payment_table, self.entry_table, self.entry_lines, self.state_changes, self.reminders,
            ]  # fmt: skip
            self.moves: list[MovePlan] = []
            self.invoices: list[InvoicePlan] = []
            self.receipts: list[ReceiptPlan] = []
            self.entry_plans = []
            self.plan_parties()
            self.plan_items()
            self.plan_sales()
            self.order_of_line = {line: order for order in self.orders for line in order.lines}
            self.plan_purchases()
            self.value_stock()
            for invoice in self.invoices:
                invoice.series = "R" if invoice.credit_note else "F"
            self.plan_invoices()
            self.plan_payments()
            self.number_documents()
            self.write_sales()
            self.write_stock()
            self.write_invoices()
            self.write_payments()
            self.everyday_entries(self.size["entry_lines"])
            self.write_entries()
            rows = {}
            for table in self.tables:
                rows[table.model._meta.label] = rows.get(table.model._meta.label, 0) + table.flush()
            self.post()
            self.keep_sequences()
        reset_sequences([table.model for table in self.tables])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        big = next(order for order in self.orders if len(order.deliveries) >= 4)
        documents = sum(rows.get(model._meta.label, 0) for model in DOCUMENT_MODELS)
        return Dataset(
            company=self.company, manager=self.manager, salespeople=self.salespeople, start=self.start,
            end=self.end, busiest_party_id=self.key_account.id, busiest_documents=self.documents_of(self.key_account),
            big_order_id=big.id,
            big_invoice_id=big.invoices[0].id, an_invoice_number=big.invoices[0].number, common_word="Turia",
            receivable_account_id=self.defaults["receivable"],
            rows=rows, documents=documents,
            entry_lines=rows.get(EntryLine._meta.label, 0), seconds=time.perf_counter() - started,
        )  # fmt: skip

    def documents_of(self, party: PartyPlan) -> int:
        orders = [order for order in self.orders if order.quote.party is party]
        return (
            sum(1 for opportunity in self.opportunities if opportunity.party is party)
            + sum(1 for quote in self.quote_plans if quote.party is party)
            + sum(
                1 + len(order.deliveries) + sum(1 + len(invoice.dues) for invoice in order.invoices)
                for order in orders
            )
            + sum(1 for payment in self.payments if payment.party_id == party.id)
        )

    def post(self) -> None:
        """The documents marked posted once their lines are in (the databases' guards refuse lines added to
        a posted entry or invoice)."""
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in (Entry, Invoice, SupplierInvoice):
                cursor.execute(
                    f"UPDATE {quote(model._meta.db_table)} SET state = %s WHERE company_id = %s AND state = %s",
                    ["posted", self.company.pk, "draft"],
                )

    def keep_sequences(self) -> None:
        """Each series' last number, where the services carry on."""
        for series, years in self.sequences.items():
            for year, last in years.items():
                Sequence.objects.update_or_create(company=self.company, series=series[:20], year=year,
                                                  defaults={"last_number": last})  # fmt: skip


ENTRY_LINE_COLUMNS = [
    "id", "entry_id", "company_id", "date", "journal_id", "posted", "kind", "position", "account_id", "party_id",
    "debit", "credit", "description",
]  # fmt: skip
DOCUMENT_MODELS = (
    Opportunity, Quotation, SalesOrder, Delivery, Invoice, DueAmount, Payment, PurchaseOrder, Receipt,
    SupplierInvoice,
)  # fmt: skip


def sided(signed: Iterable[tuple[int, Decimal, int | None, str]]) -> list[tuple]:
    """(account, signed amount, party, text) → (account, debit, credit, party, text), zero lines left out."""
    return [
        (account, amount if amount > 0 else ZERO, -amount if amount < 0 else ZERO, party, text)
        for account, amount, party, text in signed
        if amount
    ]


def company_accounts(company: Company):
    from nexo.accounting.models import Account

    return Account.objects.filter(company=company, is_view=False).values_list("code", "pk")


def generate(scale: float = 1.0, *, end: date | None = None, seed: int = SEED) -> Dataset:
    """The benchmark's company at `scale` (1: 10,000 parties, about 50,000 documents, 500,000 entry lines),
    its history ending on `end` (today)."""
    return Generator(scale, end or timezone.localdate(), seed).run()


__all__ = ["Dataset", "generate", "sized"]
