"""The demo's plan, drawn from a fixed seed without the database: which opportunities get which story
(accepted, superseded, lost, expired, revised, cancelled, sent, draft), the walk-in customers' quotations,
and every step in the order it is played."""

import random
from decimal import Decimal

from nexo.sales.demo.lines import LARGE_LINES, alternative, line_count, lines_for, transport, typed_prices
from nexo.sales.demo.records import (
    SEED,
    VALIDITY,
    DemoItem,
    DemoOpportunity,
    Moment,
    PlannedLine,
    PlannedQuotation,
    PlannedVersion,
    moment,
)

# What the pipeline gets: how many opportunities each story takes. Closing ones (accepted, superseded, lost)
# are kept few, so the board keeps most of its open opportunities.
STORIES = {
    "accepted": 3, "superseded": 2, "lost": 3, "expired": 3, "revised_sent": 1, "revised_draft": 1,
    "revised_twice": 1, "changed": 1, "cancelled": 1, "sent": 5, "draft": 6,
}  # fmt: skip
# Regular customers quoted without an opportunity (a quick order, a repeat of last month's).
WALK_IN = ["accepted", "accepted", "accepted", "accepted", "sent", "draft", "expired", "rejected", "void"]
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


def _span(rng: random.Random, low: int, high: int) -> int:
    """A whole number of days between `low` and `high`; `low` when the range is empty."""
    return rng.randint(low, max(low, high))


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
        lines = lines_for(
            rng, self.items, count or line_count(rng), target, opportunity.title if opportunity else ""
        )
        if rng.random() < 0.25:
            lines.append(transport(rng))
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
        created = moment(rng, days_ago)
        sent = moment(rng, days_ago - (1 if days_ago > 1 and rng.random() < 0.4 else 0), created)
        if end_ago is not None:
            sent = min(sent, moment(rng, max(end_ago, 1), created))
        version = PlannedVersion(created, sent, end=end, reason=reason)
        if end:
            version.ended = moment(rng, end_ago if end_ago is not None else days_ago, sent)
        return version

    def revision(
        self, previous: PlannedVersion, *, send_after: int | None, discount: Decimal
    ) -> PlannedVersion:
        """The next version, made when the previous one ended; sent `send_after` days later (None: a draft)."""
        created = moment(self.rng, previous.ended.days_ago, previous.ended)
        sent = None
        if send_after is not None:
            sent = moment(self.rng, created.days_ago - send_after, created)
        return PlannedVersion(created, sent, document_discount=discount)


def plan_quotations(
    opportunities: list[DemoOpportunity], customers: int, items: list[DemoItem], seed: int = SEED
) -> list[PlannedQuotation]:
    """The demo's quotations, without the database: opportunities and customers by index, dates as days back
    from today, items by SKU. The same inputs and seed give the same plan."""
    rng = random.Random(seed)  # noqa: S311 -- a repeatable demo, not a secret
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
            version.created = moment(rng, second, option_a.versions[0].sent)
            version.sent = moment(rng, second, version.created)
            version.ended = moment(rng, close, version.sent)
        option_a.versions[0].ended = version.ended
        planner.add("accepted", index, [version], lines=alternative(rng, option_a.lines), notes=OPTION_B)
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
                second.added = lines_for(rng, items, rng.randint(1, 2), ops[index].amount / 8, ops[index].title)
                second.notes = CHANGED
            versions = [first, second]
            if story == "revised_twice":
                second.end, second.reason = "revise", next(reasons)
                second.ended = moment(rng, second.sent.days_ago - rng.randint(2, 5), second.sent)
                versions.append(planner.revision(second, send_after=rng.randint(0, 1), discount=discount + 2))
            planner.add(story, index, versions)
    for index in cancelled:
        start = _span(rng, 15, min(ops[index].created_ago - 1, 60))
        planner.add("cancelled", index, [planner.sent(start, end="cancelled", end_ago=start - rng.randint(3, 10),
                                                      reason=CANCELLED)])  # fmt: skip
    for index in sent:
        plan = planner.add("sent", index, [planner.sent(_span(rng, 1, min(ops[index].created_ago - 1, 25)))])
        if rng.random() < 0.4:
            typed_prices(rng, plan.lines, planner.by_sku, 1)
    largest = max(drafts, key=lambda i: ops[i].amount, default=None)
    for number, index in enumerate(drafts):
        start = _span(rng, 1, min(ops[index].created_ago - 1, 8))
        count = LARGE_LINES if index == largest else None
        plan = planner.add("draft", index, [PlannedVersion(moment(rng, start))],
                           lines=planner.lines(ops[index], count))  # fmt: skip
        typed_prices(rng, plan.lines, planner.by_sku, rng.randint(1, 3))
        if number % 2 == 0 and not any(line.sku is None for line in plan.lines):
            plan.lines.append(transport(rng))

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
            version = PlannedVersion(moment(rng, rng.randint(1, 4)))
        elif story == "expired":
            version = planner.sent(rng.randint(VALIDITY + 3, 90))
        elif story == "rejected":
            version = planner.sent(start, end="rejected", end_ago=start - 2, reason=WALK_IN_REJECTED)
        else:  # void: a draft made twice by mistake
            version = PlannedVersion(moment(rng, start))
            version.end, version.reason, version.ended = (
                "cancelled",
                VOID,
                moment(rng, start, version.created),
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

