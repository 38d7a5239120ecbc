"""Demo quotations: about forty-five over the last few months, in every state, most of them on the demo
pipeline's open opportunities and a few for regular customers without one.

Drafts being prepared (prices typed by hand, lines under the minimum margin, a transport line), sent ones
awaiting an answer, accepted ones that became sales orders (winning their opportunity, making leads
customers), alternatives superseded by the one accepted, rejections (some revised into a new version, the
others losing their opportunity), expired ones and cancelled ones. The lines are demo items priced from each
party's price list and costed from the stock the purchasing demo left, so every margin comes from real costs.

The plan is drawn from a fixed seed without the database (`plan_quotations`), then played through the
services in date order, so numbers follow the dates; the services stamp "now", so the demo backdates what it
did (and closes the CRM side consistently: the opportunity's closing change, its pending activities).
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from nexo.catalog.models import Item
from nexo.core.models import Company, User
from nexo.crm import services as crm
from nexo.crm.models import Activity, Opportunity, Stage, StageChange
from nexo.inventory.models import StockBalance, StockMove
from nexo.inventory.services import settings_of as inventory_settings
from nexo.parties.models import Party
from nexo.sales import services
from nexo.sales.models import Quotation, QuotationLine, SalesOrder

SEED = 2026
CENT = Decimal("0.01")
VALIDITY = 30  # days; the company's default
OPENING, CLOSING = 8 * 60 + 30, 18 * 60 + 30  # office hours, in minutes after midnight
# What the pipeline gets: how many opportunities each story takes. Closing ones (accepted, superseded, lost)
# are kept few, so the board keeps most of its open opportunities.
STORIES = {
    "accepted": 3, "superseded": 2, "lost": 3, "expired": 3, "revised_sent": 1, "revised_draft": 1,
    "revised_twice": 1, "changed": 1, "cancelled": 1, "sent": 5, "draft": 6,
}  # fmt: skip
# Regular customers quoted without an opportunity (a quick order, a repeat of last month's).
WALK_IN = ["accepted", "accepted", "accepted", "accepted", "sent", "draft", "expired", "rejected", "void"]
FOCUS = [  # a word of the opportunity's title → the categories its lines mostly come from
    ("emergencia", ("Electricidad / Iluminación", "Electricidad / Protección")),
    ("ilumina", ("Electricidad / Iluminación",)), ("alumbrado", ("Electricidad / Iluminación",)),
    ("cable", ("Electricidad / Cables",)), ("cuadro", ("Electricidad / Protección", "Electricidad / Cables")),
    ("mecanismo", ("Electricidad / Mecanismos",)), ("recarga", ("Electricidad",)),
    ("eléctric", ("Electricidad",)), ("grifería", ("Fontanería / Grifería", "Fontanería / Accesorios")),
    ("sanitario", ("Fontanería",)), ("tubería", ("Fontanería / Tuberías", "Fontanería / Accesorios")),
    ("bajante", ("Fontanería / Tuberías", "Fontanería / Accesorios")), ("fontanería", ("Fontanería",)),
    ("bomba", ("Fontanería",)), ("presión", ("Fontanería",)), ("radiante", ("Fontanería",)),
    ("climatiza", ("Fontanería", "Electricidad")), ("aire acondicionado", ("Electricidad", "Fontanería")),
    ("herramienta eléctrica", ("Ferretería / Herramienta eléctrica",)), ("herramienta", ("Ferretería",)),
    ("tornill", ("Ferretería / Tornillería",)), ("soldadura", ("Ferretería",)), ("ferretería", ("Ferretería",)),
    ("cerradura", ("Ferretería",)), ("protección", ("Ferretería",)), ("pintura", ("Pinturas",)),
    ("furgoneta", ("Ferretería", "Electricidad", "Fontanería")),
]  # fmt: skip
LOST_REASONS = [
    "Precio superior a la competencia",
    "La obra se adjudicó a otra constructora",
    "El cliente compra directamente al fabricante",
    "Plazo de entrega demasiado largo",
    "Proyecto aplazado hasta el año que viene",
]
REVISE_REASONS = [
    "Piden un 5 % más de descuento para cerrar el pedido",
    "Quieren ajustar cantidades tras la medición en obra",
    "Piden mejorar el precio del material eléctrico",
    "Comparan con otro distribuidor y piden revisar precios",
]
WALK_IN_REJECTED = "Ya lo han comprado en otro almacén"
CANCELLED = "La obra se ha paralizado; el cliente pide anular la oferta"
VOID = "Oferta duplicada por error"
CHANGED = "Añaden el material que faltaba en la medición"
NOTES = [
    "",
    "",
    "Plazo de entrega: 3 a 5 días laborables desde la confirmación del pedido.",
    "Material puesto en obra, descarga a pie de camión.",
    "Portes pagados en pedidos de más de 300 € netos.",
    "Precios válidos para la obra indicada; cantidades según medición del cliente.",
]
OPTION_A = "Opción A: marcas de primera línea."
OPTION_B = "Opción B: ajustada, sin algunas partidas y con un 5 % de descuento."
TRANSPORT = "Transporte y descarga en obra"
LARGE_LINES = 60


@dataclass(frozen=True)
class DemoOpportunity:
    """What the plan needs of an open opportunity; days are counted back from today."""

    stage: int  # 0 for the first open stage
    lead: bool
    title: str
    owner: str
    amount: Decimal
    created_ago: int
    busy_ago: int  # its last stage change or done activity: it can only close on a later day
    expected_close_in: int


@dataclass(frozen=True)
class DemoItem:
    sku: str
    category: str
    unit: str
    price: Decimal
    method: str
    on_hand: Decimal
    service: bool


@dataclass(frozen=True, order=True)
class Moment:
    """A moment of the past: `days_ago` days before today, `minute` minutes after midnight. Later is greater."""

    days_ago_negated: int
    minute: int

    @property
    def days_ago(self) -> int:
        return -self.days_ago_negated


def _moment(rng: random.Random, days_ago: int, after: Moment | None = None) -> Moment:
    """In office hours on that day, and later than `after` (the previous step of the same story)."""
    days_ago = max(1, days_ago if after is None else min(days_ago, after.days_ago))
    minute = rng.randrange(OPENING, CLOSING, 5)
    if after is not None and after.days_ago == days_ago and minute <= after.minute + 15:
        minute = min(after.minute + rng.randrange(20, 95, 5), 23 * 60 + 55)
    return Moment(-days_ago, minute)


@dataclass
class PlannedLine:
    sku: str | None
    quantity: Decimal
    description: str = ""
    unit_price: Decimal | None = None  # typed by hand
    discount: Decimal = Decimal(0)


@dataclass
class PlannedVersion:
    created: Moment
    sent: Moment | None = None
    # How it ends: accepted, rejected, revise (rejected and revised), revised (replaced by a new version),
    # cancelled, superseded (another quotation of the opportunity accepted); "" stays as it is (a draft, a
    # sent one awaiting an answer, or one that expires).
    end: str = ""
    ended: Moment | None = None
    reason: str = ""
    document_discount: Decimal = Decimal(0)
    added: list[PlannedLine] = field(default_factory=list)  # lines added on this version
    notes: str | None = None  # new notes on this version

    @property
    def day(self) -> int:
        return self.created.days_ago


@dataclass
class PlannedQuotation:
    story: str
    opportunity: int | None  # index into the opportunities
    customer: int | None  # index into the customers, without an opportunity
    salesperson: str | None  # None: the opportunity's owner
    lines: list[PlannedLine]
    versions: list[PlannedVersion]
    notes: str = ""


# The plan, without the database


def _pick(rng: random.Random, weighted: list[tuple[DemoItem, float]], count: int) -> list[DemoItem]:
    """`count` distinct items, drawn by weight (Efraimidis-Spirakis keys)."""
    keyed = sorted(weighted, key=lambda pair: rng.random() ** (1 / pair[1]), reverse=True)
    return [item for item, _weight in keyed[:count]]


def _quantity(unit: str, value: Decimal, price: Decimal) -> Decimal:
    """A believable quantity worth about `value`: metres by fives, boxes and units whole, within reason."""
    raw = value / price
    steps = {"m": (5, 25, 100, 3000), "kg": (1, 5, 5, 300), "l": (1, 5, 5, 300), "caja": (1, 5, 10, 150),
             "rollo": (1, 1, 5, 60), "h": (1, 1, 1, 40)}  # fmt: skip
    small, medium, large, cap = steps.get(unit, (1, 5, 10, 400))
    step = small if raw < 20 else medium if raw < 200 else large
    quantity = max(step, int((raw / step).to_integral_value(ROUND_HALF_UP)) * step)
    return Decimal(min(quantity, cap))


def _focus(title: str) -> tuple[str, ...]:
    lowered = title.lower()
    for word, categories in FOCUS:
        if word in lowered:
            return categories
    return ()


def _lines(
    rng: random.Random, items: list[DemoItem], count: int, target: Decimal, title: str = ""
) -> list[PlannedLine]:
    """`count` lines worth about `target`, mostly from the categories the title speaks of and from what is
    in stock; sometimes a line discount, a service or the transport."""
    stocked = [item for item in items if not item.service]
    focus = _focus(title)
    weighted = [
        (item, (4 if item.on_hand > 0 else 1) * (6 if focus and item.category.startswith(focus) else 1))
        for item in stocked
    ]
    chosen = _pick(rng, weighted, min(count, len(stocked)))
    shares = [Decimal(str(round(rng.uniform(0.3, 1.7), 2))) for _item in chosen]
    lines = []
    for item, share in zip(chosen, shares, strict=True):
        value = target * share / sum(shares)
        discount = Decimal(rng.choice([5, 10])) if rng.random() < 0.15 else Decimal(0)
        lines.append(PlannedLine(item.sku, _quantity(item.unit, value, item.price), discount=discount))
    services_ = [item for item in items if item.service]
    if services_ and rng.random() < 0.2:
        item = rng.choice(services_)
        hours = item.unit == "h"
        lines.append(PlannedLine(item.sku, Decimal(rng.randint(4, 16) if hours else 1)))
    return lines


def _transport(rng: random.Random) -> PlannedLine:
    return PlannedLine(None, Decimal(1), TRANSPORT, Decimal(rng.randrange(45, 185, 5)))


def _span(rng: random.Random, low: int, high: int) -> int:
    """A whole number of days between `low` and `high`; `low` when the range is empty."""
    return rng.randint(low, max(low, high))


def _count(rng: random.Random) -> int:
    return max(3, min(21, int(rng.triangular(3, 22, 7))))  # a service, the transport and 2 more: 25


def _typed_prices(
    rng: random.Random, lines: list[PlannedLine], items: dict[str, DemoItem], count: int
) -> None:
    """A special price typed by hand on a few lines, often under the minimum margin."""
    candidates = [line for line in lines if line.sku and not items[line.sku].service and not line.discount]
    for line in rng.sample(candidates, min(count, len(candidates))):
        factor = Decimal(str(round(rng.uniform(0.7, 0.86), 2)))
        line.unit_price = max(CENT, (items[line.sku].price * factor).quantize(CENT))


def _alternative(rng: random.Random, lines: list[PlannedLine]) -> list[PlannedLine]:
    """The cheaper option: most of the same lines, 5 % off each."""
    kept = [line for line in lines if rng.random() < 0.8]
    kept = kept if len(kept) >= 3 else lines[:3]
    return [
        PlannedLine(line.sku, line.quantity, line.description, line.unit_price, Decimal(5)) for line in kept
    ]


def _takes(
    rng: random.Random, pool: list[int], count: int, accept=lambda index: True, prefer=lambda index: False
) -> list[int]:
    """Up to `count` indexes out of `pool` (removed from it) that `accept`, those that `prefer` first."""
    fitting = [index for index in pool if accept(index)]
    rng.shuffle(fitting)
    fitting.sort(key=lambda index: not prefer(index))
    chosen = fitting[:count]
    for index in chosen:
        pool.remove(index)
    return chosen


class _Planner:
    def __init__(self, rng: random.Random, opportunities: list[DemoOpportunity], items: list[DemoItem]):
        self.rng, self.opportunities, self.items = rng, opportunities, items
        self.by_sku = {item.sku: item for item in items}
        self.plans: list[PlannedQuotation] = []

    def lines(self, opportunity: DemoOpportunity | None, count: int | None = None) -> list[PlannedLine]:
        rng = self.rng
        target = (
            opportunity.amount * Decimal(str(round(rng.uniform(0.85, 1.05), 2)))
            if opportunity
            else Decimal(rng.randrange(300, 4000, 10))
        )
        lines = _lines(
            rng, self.items, count or _count(rng), target, opportunity.title if opportunity else ""
        )
        if rng.random() < 0.25:
            lines.append(_transport(rng))
        return lines

    def add(
        self, story: str, index: int | None, versions: list[PlannedVersion], **fields
    ) -> PlannedQuotation:
        opportunity = self.opportunities[index] if index is not None else None
        if "lines" not in fields:
            fields["lines"] = self.lines(opportunity)
        fields.setdefault("notes", self.rng.choice(NOTES))
        plan = PlannedQuotation(
            story=story, opportunity=index, customer=fields.pop("customer", None),
            salesperson=fields.pop("salesperson", None), versions=versions, **fields,
        )  # fmt: skip
        self.plans.append(plan)
        return plan

    def sent(
        self, days_ago: int, *, end: str = "", end_ago: int | None = None, reason: str = ""
    ) -> PlannedVersion:
        """A version created `days_ago`, sent that day or the next, ended `end_ago` (if it ends)."""
        rng = self.rng
        created = _moment(rng, days_ago)
        sent = _moment(rng, days_ago - (1 if days_ago > 1 and rng.random() < 0.4 else 0), created)
        if end_ago is not None:
            sent = min(sent, _moment(rng, max(end_ago, 1), created))
        version = PlannedVersion(created, sent, end=end, reason=reason)
        if end:
            version.ended = _moment(rng, end_ago if end_ago is not None else days_ago, sent)
        return version

    def revision(
        self, previous: PlannedVersion, *, send_after: int | None, discount: Decimal
    ) -> PlannedVersion:
        """The next version, made when the previous one ended; sent `send_after` days later (None: a draft)."""
        created = _moment(self.rng, previous.ended.days_ago, previous.ended)
        sent = None
        if send_after is not None:
            sent = _moment(self.rng, created.days_ago - send_after, created)
        return PlannedVersion(created, sent, document_discount=discount)


def plan_quotations(
    opportunities: list[DemoOpportunity], customers: int, items: list[DemoItem], seed: int = SEED
) -> list[PlannedQuotation]:
    """The demo's quotations, without the database: opportunities and customers by index, dates as days back
    from today, items by SKU. The same inputs and seed give the same plan."""
    rng = random.Random(seed)
    if not items:
        return []
    planner = _Planner(rng, opportunities, items)
    ops = opportunities
    pool = [index for index, opportunity in enumerate(ops) if opportunity.stage >= 1]

    def closable(i: int) -> bool:  # late in the pipeline, free to close before today, not a long-term one
        return ops[i].stage >= 2 and ops[i].busy_ago >= 2 and 0 <= ops[i].expected_close_in <= 75

    def late(i: int) -> bool:
        return ops[i].stage >= 2

    def older_than(days: int):
        return lambda i: ops[i].created_ago > days

    accepted = _takes(rng, pool, 2, lambda i: closable(i) and ops[i].lead)
    accepted += _takes(rng, pool, STORIES["accepted"] - len(accepted), closable, lambda i: not ops[i].lead)
    superseded = _takes(rng, pool, 1, lambda i: closable(i) and ops[i].lead)
    superseded += _takes(
        rng, pool, STORIES["superseded"] - len(superseded), closable, lambda i: not ops[i].lead
    )
    lost = _takes(rng, pool, STORIES["lost"], closable)
    expired = _takes(
        rng, pool, STORIES["expired"], older_than(VALIDITY + 10), lambda i: ops[i].expected_close_in < 0
    )
    revised = {
        story: _takes(rng, pool, STORIES[story], older_than(15), late)
        for story in ("revised_twice", "revised_sent", "revised_draft", "changed")
    }
    cancelled = _takes(rng, pool, STORIES["cancelled"], older_than(20), late)
    sent = _takes(rng, pool, STORIES["sent"], older_than(1), late)
    drafts = _takes(rng, pool, STORIES["draft"], older_than(1), lambda i: ops[i].stage == 1)

    for index in accepted:
        close = rng.randint(1, min(ops[index].busy_ago - 1, 20))
        start = max(close, min(ops[index].created_ago - 1, 28, close + rng.randint(3, 15)))
        planner.add("accepted", index, [planner.sent(start, end="accepted", end_ago=close)])
    for index in superseded:
        close = rng.randint(1, min(ops[index].busy_ago - 1, 15))
        first = max(close, min(ops[index].created_ago - 1, 28, close + rng.randint(8, 18)))
        option_a = planner.add("superseded", index, [planner.sent(first, end="superseded")], notes=OPTION_A)
        second = rng.randint(close, first)
        version = planner.sent(second, end="accepted", end_ago=close)
        if version.created <= option_a.versions[0].sent:  # on the same day: after the first one went out
            version.created = _moment(rng, second, option_a.versions[0].sent)
            version.sent = _moment(rng, second, version.created)
            version.ended = _moment(rng, close, version.sent)
        option_a.versions[0].ended = version.ended
        planner.add("accepted", index, [version], lines=_alternative(rng, option_a.lines), notes=OPTION_B)
    for number, index in enumerate(lost):
        close = rng.randint(1, min(ops[index].busy_ago - 1, 45))
        start = max(close, min(ops[index].created_ago - 1, close + rng.randint(5, 25)))
        reason = LOST_REASONS[number % len(LOST_REASONS)]
        planner.add("lost", index, [planner.sent(start, end="rejected", end_ago=close, reason=reason)])
    for index in expired:
        start = _span(rng, VALIDITY + 5, min(ops[index].created_ago - 1, 120))
        planner.add("expired", index, [planner.sent(start)])

    reasons = iter(rng.sample(REVISE_REASONS, len(REVISE_REASONS)) * 2)
    for story, indexes in revised.items():
        for index in indexes:
            # Recent enough for the last version to be still valid.
            newest = min(ops[index].created_ago - 1, 30)
            start = rng.randint(max(12, newest - 10), max(12, newest))
            end = "revised" if story == "changed" else "revise"
            reason = "" if story == "changed" else next(reasons)
            first = planner.sent(start, end=end, end_ago=start - rng.randint(2, 7), reason=reason)
            discount = Decimal(0) if story == "changed" else Decimal(rng.choice([3, 4, 5]))
            second = planner.revision(first, send_after=None if story == "revised_draft" else rng.randint(0, 2),
                                      discount=discount)  # fmt: skip
            if story == "changed":
                second.added = _lines(rng, items, rng.randint(1, 2), ops[index].amount / 8, ops[index].title)
                second.notes = CHANGED
            versions = [first, second]
            if story == "revised_twice":
                second.end, second.reason = "revise", next(reasons)
                second.ended = _moment(rng, second.sent.days_ago - rng.randint(2, 5), second.sent)
                versions.append(planner.revision(second, send_after=rng.randint(0, 1), discount=discount + 2))
            planner.add(story, index, versions)
    for index in cancelled:
        start = _span(rng, 15, min(ops[index].created_ago - 1, 60))
        planner.add("cancelled", index, [planner.sent(start, end="cancelled", end_ago=start - rng.randint(3, 10),
                                                      reason=CANCELLED)])  # fmt: skip
    for index in sent:
        plan = planner.add("sent", index, [planner.sent(_span(rng, 1, min(ops[index].created_ago - 1, 25)))])
        if rng.random() < 0.4:
            _typed_prices(rng, plan.lines, planner.by_sku, 1)
    largest = max(drafts, key=lambda i: ops[i].amount, default=None)
    for number, index in enumerate(drafts):
        start = _span(rng, 1, min(ops[index].created_ago - 1, 8))
        count = LARGE_LINES if index == largest else None
        plan = planner.add("draft", index, [PlannedVersion(_moment(rng, start))],
                           lines=planner.lines(ops[index], count))  # fmt: skip
        _typed_prices(rng, plan.lines, planner.by_sku, rng.randint(1, 3))
        if number % 2 == 0 and not any(line.sku is None for line in plan.lines):
            plan.lines.append(_transport(rng))

    # Regular customers, without an opportunity.
    chosen = rng.sample(range(customers), min(customers, len(WALK_IN)))
    for story, index in zip(WALK_IN, chosen, strict=False):
        salesperson = rng.choice(["ventas", "ventas", "ventas2"])
        start = rng.randint(3, 25)
        if story == "accepted":
            version = planner.sent(start, end="accepted", end_ago=start - rng.randint(1, min(3, start - 1)))
        elif story == "sent":
            version = planner.sent(rng.randint(1, 12))
        elif story == "draft":
            version = PlannedVersion(_moment(rng, rng.randint(1, 4)))
        elif story == "expired":
            version = planner.sent(rng.randint(VALIDITY + 3, 90))
        elif story == "rejected":
            version = planner.sent(start, end="rejected", end_ago=start - 2, reason=WALK_IN_REJECTED)
        else:  # void: a draft made twice by mistake
            version = PlannedVersion(_moment(rng, start))
            version.end, version.reason, version.ended = (
                "cancelled",
                VOID,
                _moment(rng, start, version.created),
            )
        count = rng.randint(3, 8)
        planner.add(story if story != "void" else "cancelled", None, [version], customer=index,
                    salesperson=salesperson, lines=planner.lines(None, count))  # fmt: skip
    return planner.plans


def timeline(plans: list[PlannedQuotation]) -> list[tuple[Moment, int, int, str]]:
    """Every step in the order it is played: (moment, quotation, version, step); a version after the first
    is made by the step that ends the one before it."""
    steps = []
    for number, plan in enumerate(plans):
        steps.append((plan.versions[0].created, number, 0, "create"))
        for position, version in enumerate(plan.versions):
            if version.sent is not None:
                steps.append((version.sent, number, position, "send"))
            if version.end and version.end != "superseded":
                steps.append((version.ended, number, position, version.end))
    return sorted(steps)


# Playing the plan through the services


def _at(today: date, moment: Moment) -> datetime:
    hour, minute = divmod(moment.minute, 60)
    return timezone.make_aware(datetime.combine(today - timedelta(days=moment.days_ago), time(hour, minute)))


def demo_opportunities(company: Company, today: date) -> tuple[list[Opportunity], list[DemoOpportunity]]:
    """The company's open opportunities (by id) as the plan sees them."""
    stages = {
        stage.pk: position
        for position, stage in enumerate(Stage.objects.filter(company=company, kind=Stage.Kind.OPEN, is_active=True))
    }  # fmt: skip
    records = list(
        Opportunity.objects.filter(company=company, status=Opportunity.Status.OPEN)
        .select_related("party", "owner")
        .order_by("pk")
    )
    busy = dict(
        StageChange.objects.filter(opportunity__in=records)
        .values("opportunity_id").annotate(last=Max("at")).values_list("opportunity_id", "last")
    )  # fmt: skip
    for opportunity_id, due, done in (
        Activity.objects.filter(opportunity__in=records, done=True)
        .values("opportunity_id").annotate(due=Max("due_at"), done_at=Max("done_at"))
        .values_list("opportunity_id", "due", "done_at")
    ):  # fmt: skip
        busy[opportunity_id] = max(moment for moment in (busy.get(opportunity_id), due, done) if moment)
    demo = [
        DemoOpportunity(
            stage=stages.get(record.stage_id, 0),
            lead=record.party.status == Party.Status.LEAD,
            title=record.title,
            owner=record.owner.username,
            amount=record.amount or Decimal(1000),
            created_ago=(today - timezone.localdate(record.created_at)).days,
            busy_ago=(today - timezone.localdate(busy.get(record.pk, record.created_at))).days,
            expected_close_in=(record.expected_close - today).days if record.expected_close else 30,
        )
        for record in records
    ]
    return records, demo


def demo_items(company: Company) -> tuple[list[DemoItem], dict[str, int]]:
    """Active stocked items and services, by SKU, with what the main warehouse holds; and their ids."""
    warehouse_id = inventory_settings(company).default_warehouse_id
    on_hand = {
        item_id: received - issued
        for item_id, received, issued in StockBalance.objects.filter(
            company=company, warehouse_id=warehouse_id
        ).values_list("item_id", "received", "issued")
    }
    records = (
        Item.objects.filter(company=company, is_active=True, kind__in=[Item.Kind.STOCKED, Item.Kind.SERVICE])
        .select_related("category", "unit")
        .order_by("sku")
    )
    items = [
        DemoItem(
            sku=item.sku, category=item.category.full_name if item.category_id else "", unit=item.unit.code,
            price=item.base_price or Decimal(1), method=item.valuation_method,
            on_hand=on_hand.get(item.pk, Decimal(0)), service=item.kind == Item.Kind.SERVICE,
        )
        for item in records
        if (item.base_price or 0) > 0
    ]  # fmt: skip
    return items, {item.sku: item.pk for item in records}


class _Loader:
    def __init__(self, company: Company, users: dict[str, User], today: date, plans: list[PlannedQuotation],
                 opportunities: list[Opportunity], customers: list[Party], item_ids: dict[str, int]):  # fmt: skip
        self.company, self.users, self.today, self.plans = company, users, today, plans
        self.opportunities, self.customers, self.item_ids = opportunities, customers, item_ids
        self.ids: dict[tuple[int, int], int] = {}  # (quotation, version) → id
        self.orders: dict[int, Moment] = {}  # sales order id → accepted at
        self.closed: dict[int, tuple[Moment, str]] = {}  # opportunity id → closed at, what happened
        self.won: set[int] = set()

    def at(self, moment: Moment) -> datetime:
        return _at(self.today, moment)

    def day(self, moment: Moment) -> date:
        return self.today - timedelta(days=moment.days_ago)

    def by(self, plan: PlannedQuotation) -> User:
        if plan.salesperson:
            return self.users[plan.salesperson]
        return self.opportunities[plan.opportunity].owner

    def line(self, line: PlannedLine) -> dict:
        data = {"quantity": line.quantity}
        if line.sku:
            data["item_id"] = self.item_ids[line.sku]
        else:
            data["description"] = line.description
        if line.unit_price is not None:
            data["unit_price"] = line.unit_price
        if line.discount:
            data["discount"] = line.discount
        return data

    def create(self, number: int) -> None:
        plan = self.plans[number]
        first = plan.versions[0]
        opportunity = self.opportunities[plan.opportunity] if plan.opportunity is not None else None
        party = opportunity.party if opportunity else self.customers[plan.customer]
        quotation = services.quotation_create(
            company=self.company, by=self.by(plan), party_id=party.pk,
            opportunity_id=opportunity.pk if opportunity else None,
            lines=[self.line(line) for line in plan.lines], date=self.day(first.created),
            valid_until=self.day(first.created) + timedelta(days=VALIDITY), notes=plan.notes,
            document_discount=first.document_discount,
        )  # fmt: skip
        self.ids[number, 0] = quotation.pk

    def send(self, number: int, position: int) -> None:
        plan = self.plans[number]
        quotation_id = self.ids[number, position]
        email = Quotation.objects.filter(pk=quotation_id).values_list("party__email", flat=True).get()
        services.quotation_mark_sent(
            company=self.company, by=self.by(plan), quotation_id=quotation_id, sent_to=email or ""
        )

    def next_version(self, number: int, position: int, quotation: Quotation) -> None:
        """The version the ending one was revised into: dated that day, with its changes."""
        plan, by = self.plans[number], self.by(self.plans[number])
        version = plan.versions[position + 1]
        day = self.day(version.created)
        changes = {} if version.notes is None else {"notes": version.notes}
        services.quotation_update(
            company=self.company, by=by, quotation_id=quotation.pk, date=day,
            valid_until=day + timedelta(days=VALIDITY), document_discount=version.document_discount, **changes,
        )  # fmt: skip
        for line in version.added:
            services.quotation_line_add(
                company=self.company, by=by, quotation_id=quotation.pk, **self.line(line)
            )
        self.ids[number, position + 1] = quotation.pk

    def end(self, number: int, position: int, end: str) -> None:
        plan = self.plans[number]
        version, by = plan.versions[position], self.by(plan)
        quotation_id = self.ids[number, position]
        kwargs = {"company": self.company, "by": by, "quotation_id": quotation_id}
        if end == "accepted":
            order = services.quotation_accept(**kwargs)
            self.orders[order.pk] = version.ended
            if order.opportunity_id:
                self.closed[order.opportunity_id] = (
                    version.ended,
                    f"Aceptan la oferta; pedido {order.number}.",
                )
                self.won.add(order.opportunity_id)
        elif end == "rejected":
            quotation = services.quotation_reject(**kwargs, reason=version.reason)
            if quotation.opportunity_id:
                opportunity = Opportunity.objects.get(pk=quotation.opportunity_id)
                if opportunity.status == Opportunity.Status.LOST:
                    self.closed[opportunity.pk] = (
                        version.ended,
                        f"No siguen adelante: {version.reason.lower()}.",
                    )
        elif end == "revise":
            self.next_version(
                number, position, services.quotation_reject(**kwargs, reason=version.reason, revise=True)
            )
        elif end == "revised":
            self.next_version(number, position, services.quotation_revise(**kwargs))
        elif end == "cancelled":
            services.quotation_cancel(**kwargs, reason=version.reason)

    def play(self) -> int:
        for _when, number, position, step in timeline(self.plans):
            if step == "create":
                self.create(number)
            elif step == "send":
                self.send(number, position)
            else:
                self.end(number, position, step)
        return services.quotations_expire(company=self.company)

    def backdate(self) -> None:
        """The services stamp "now"; the demo dates each step on the day it happened."""
        quotations = Quotation.objects.in_bulk([pk for pk in self.ids.values()])
        for (number, position), pk in self.ids.items():
            version, quotation = self.plans[number].versions[position], quotations[pk]
            quotation.created_at = self.at(version.created)
            quotation.sent_at = self.at(version.sent) if version.sent else None
            if quotation.state == Quotation.State.EXPIRED:
                # The nightly task, the day after its last valid day.
                expired_at = datetime.combine(quotation.valid_until + timedelta(days=1), time(3, 0))
                quotation.closed_at = min(timezone.make_aware(expired_at), timezone.now())
            elif version.ended is not None:
                quotation.closed_at = self.at(version.ended)
            quotation.updated_at = max(
                moment for moment in (quotation.created_at, quotation.sent_at, quotation.closed_at) if moment
            )
        Quotation.objects.bulk_update(
            quotations.values(), ["created_at", "sent_at", "closed_at", "updated_at"]
        )
        for number, plan in enumerate(self.plans):  # a revision keeps the costs of the first version
            versions = [self.ids[number, position] for position in range(len(plan.versions))]
            QuotationLine.objects.filter(quotation_id__in=versions).update(
                costed_at=self.at(plan.versions[0].created)
            )
        orders = SalesOrder.objects.in_bulk(list(self.orders))
        for pk, moment in self.orders.items():
            orders[pk].date = self.day(moment)
            orders[pk].created_at = orders[pk].updated_at = self.at(moment)
        SalesOrder.objects.bulk_update(orders.values(), ["date", "created_at", "updated_at"])
        for pk, order in orders.items():  # its planned deliveries (the stock it reserves) date from it too
            StockMove.objects.filter(origin_type=services.RESERVATION_ORIGIN, origin_id=pk).update(
                date=order.date, created_at=order.created_at, updated_at=order.created_at
            )
        self.close_opportunities()

    def close_opportunities(self) -> None:
        """Opportunities won or lost by a quotation: closed on that day, their pending activities done then."""
        if not self.closed:
            return
        records = Opportunity.objects.in_bulk(list(self.closed))
        changes = []
        for pk, (moment, _outcome) in self.closed.items():
            records[pk].closed_on, records[pk].updated_at = self.day(moment), self.at(moment)
            change = StageChange.objects.filter(opportunity_id=pk).order_by("-id").first()
            change.at = self.at(moment)
            changes.append(change)
        Opportunity.objects.bulk_update(records.values(), ["closed_on", "updated_at"])
        StageChange.objects.bulk_update(changes, ["at"])
        pending = Activity.objects.filter(opportunity_id__in=list(self.closed), done=False).order_by(
            "due_at", "pk"
        )
        activities = []
        for activity in pending:
            moment, outcome = self.closed[activity.opportunity_id]
            closed_at = self.at(moment)
            by = activity.owner
            if activity.due_at > closed_at:
                activity = crm.activity_update(
                    company=self.company, activity_id=activity.pk, by=by, due_at=closed_at
                )
            activity = crm.activity_complete(
                company=self.company, activity_id=activity.pk, by=by, outcome=outcome
            )
            activity.done_at = activity.updated_at = closed_at
            activity.created_at = min(activity.created_at, activity.due_at)
            activities.append(activity)
        Activity.objects.bulk_update(activities, ["done_at", "updated_at", "created_at"])


@transaction.atomic
def load_demo_sales(company: Company, users: dict[str, User]) -> str:
    """Create the demo quotations unless the company has some; returns a summary."""
    if Quotation.objects.filter(company=company).exists():
        return ""
    today = timezone.localdate()
    items, item_ids = demo_items(company)
    customers = list(
        Party.objects.filter(company=company, status=Party.Status.CUSTOMER, is_active=True).order_by(
            "name", "pk"
        )
    )
    if not items or not customers:
        return ""  # the catalog or parties demo is missing
    records, opportunities = demo_opportunities(company, today)
    plans = plan_quotations(opportunities, len(customers), items)
    loader = _Loader(company, users, today, plans, records, customers, item_ids)
    loader.play()
    loader.backdate()
    quotations = Quotation.objects.filter(company=company)
    states = Counter(quotations.values_list("state", flat=True))
    S = Quotation.State
    won = len(loader.won)
    return (
        f"{sum(states.values())} quotations ({states[S.DRAFT]} draft, {states[S.SENT]} sent, "
        f"{states[S.ACCEPTED]} accepted, {states[S.REJECTED]} rejected, {states[S.EXPIRED]} expired, "
        f"{states[S.CANCELLED]} cancelled; {quotations.filter(version__gt=1).count()} revisions), "
        f"{len(loader.orders)} sales orders; {won} opportunities won and {len(loader.closed) - won} lost by them"
    )
