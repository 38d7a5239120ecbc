"""The demo plan's records, without the database: the opportunities and items it draws from, moments of the
past, and the quotations, versions and lines it plans."""

import random
from dataclasses import dataclass, field
from decimal import Decimal

SEED = 2026
VALIDITY = 30  # days; the company's default
OPENING, CLOSING = 8 * 60 + 30, 18 * 60 + 30  # office hours, in minutes after midnight


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


def moment(rng: random.Random, days_ago: int, after: Moment | None = None) -> Moment:
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

