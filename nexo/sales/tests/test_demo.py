import io
import random
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

from django.core.management import call_command
from django.db.models import Max, Min
from django.utils import timezone

from nexo.core.models import AuditEntry, Company
from nexo.crm.models import Activity
from nexo.inventory.models import StockMove
from nexo.parties.models import Party
from nexo.sales.demo import VALIDITY, DemoItem, DemoOpportunity, plan_quotations, timeline
from nexo.sales.models import Quotation, QuotationLine, SalesOrder

State = Quotation.State


def _counts(company):
    return (
        Quotation.objects.filter(company=company).count(),
        QuotationLine.objects.filter(quotation__company=company).count(),
        SalesOrder.objects.filter(company=company).count(),
    )


def test_demo_quotations_tell_every_story_and_load_once(roles):
    """One run of the whole demo (it takes a while: the purchasing year comes first), checked, then again."""
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "quotations (" in out.getvalue()
    company = Company.objects.get(tax_id="B46123451")
    today, now = timezone.localdate(), timezone.now()
    quotations = Quotation.objects.filter(company=company).select_related("opportunity", "party")
    states = Counter(quotations.values_list("state", flat=True))
    assert set(states) == set(State.values), states
    assert 35 <= sum(states.values()) <= 60

    # Accepted: an order with the same figures; its opportunity won with the quotation's net.
    accepted = list(quotations.filter(state=State.ACCEPTED).prefetch_related("lines"))
    assert len(accepted) >= 5
    assert sum(1 for quotation in accepted if quotation.opportunity_id) >= 3
    assert sum(1 for quotation in accepted if not quotation.opportunity_id) >= 2
    for quotation in accepted:
        order = SalesOrder.objects.get(quotation=quotation)
        assert (order.party_id, order.net, order.total, order.margin) == (
            quotation.party_id,
            quotation.net,
            quotation.total,
            quotation.margin,
        )
        assert order.lines.count() == len(quotation.lines.all())
        assert quotation.date <= order.date < today
        # Its stocked lines reserved stock on a delivery note dated with the order; the invoicing demo then
        # delivered most orders, leaving backorders: what left plus what is still reserved is what was ordered.
        notes = list(order.deliveries.filter(kind="delivery"))
        assert min(note.date for note in notes) >= order.date  # validated on the day it left
        moves = StockMove.objects.filter(origin_type="delivery", origin_id__in=[note.pk for note in notes])
        planned = defaultdict(Decimal)
        for move in moves.exclude(state="cancelled"):
            planned[move.item_id] += move.quantity
        stocked = [line for line in quotation.lines.all() if line.item_id and line.item.kind == "stocked"]
        assert sorted(planned.items()) == sorted((line.item_id, line.quantity) for line in stocked)
        if order.delivery_state == "to_deliver":  # still waiting: one draft note holding it all
            (draft,) = notes
            assert draft.state == "draft" and {move.date for move in moves} == {order.date}
        assert quotation.party.status == Party.Status.CUSTOMER
        if quotation.opportunity_id:
            opportunity = quotation.opportunity
            assert (opportunity.status, opportunity.amount) == ("won", quotation.net)
            assert opportunity.closed_on == order.date
            assert not Activity.objects.filter(opportunity=opportunity, done=False).exists()
    assert SalesOrder.objects.filter(company=company).count() == len(accepted)
    # Some were leads: accepting made them customers.
    accepted_parties = {quotation.party_id for quotation in accepted}
    converted = [
        entry
        for entry in AuditEntry.objects.filter(
            company=company, object_id__in=accepted_parties, action="update"
        )
        if entry.changes.get("status") == ["lead", "customer"]
    ]
    assert len(converted) >= 2

    # Superseded: another quotation of a won opportunity, cancelled when the other was accepted.
    superseded = [
        quotation
        for quotation in quotations.filter(state=State.CANCELLED, opportunity__status="won")
        if quotations.filter(opportunity=quotation.opportunity, state=State.ACCEPTED).exists()
    ]
    assert superseded
    # Rejected: some revised into a new version; the last open quotation rejected lost its opportunity.
    revisions = quotations.filter(version__gt=1).select_related("revision_of")
    assert revisions.filter(revision_of__state=State.REJECTED).exists()
    assert revisions.filter(version=3).exists()
    assert quotations.filter(state=State.SUPERSEDED, revisions__isnull=False).exists()  # revised on request
    assert not quotations.filter(state=State.CANCELLED, revisions__isnull=False).exists()  # never "cancelled"
    lost = 0
    for quotation in quotations.filter(state=State.REJECTED, opportunity__isnull=False):
        later = quotations.filter(opportunity=quotation.opportunity, pk__gt=quotation.pk).exists()
        if not later:
            lost += 1
            assert quotation.opportunity.status == "lost"
            assert quotation.opportunity.lost_reason == quotation.close_reason
    assert lost >= 2
    assert not quotations.filter(state=State.REJECTED, close_reason="").exists()

    # Dates: over the last months, all in the past; what is still sent is still valid, expired ones are not.
    span = quotations.aggregate(first=Min("date"), last=Max("date"))
    assert span["last"] < today and span["last"] - span["first"] > timedelta(days=45)
    assert not quotations.filter(created_at__gte=now).exists()
    assert not quotations.filter(state=State.SENT, valid_until__lt=today).exists()
    assert not quotations.filter(state=State.EXPIRED, valid_until__gte=today).exists()
    for quotation in quotations.exclude(state=State.DRAFT).exclude(sent_at=None):
        assert quotation.created_at <= quotation.sent_at
        assert quotation.closed_at is None or quotation.sent_at <= quotation.closed_at < now
    assert quotations.filter(opportunity__isnull=True, party__status=Party.Status.CUSTOMER).count() >= 5

    # Lines: 3 to 25, one large quotation; items of every method costed from the stock; real margins.
    sizes = sorted(len(quotation.lines.all()) for quotation in quotations.prefetch_related("lines"))
    assert sizes[0] >= 3 and sizes[-2] <= 25 and sizes[-1] >= 60
    lines = QuotationLine.objects.filter(quotation__company=company)
    item_lines = lines.filter(item__isnull=False, item__kind="stocked")
    assert not item_lines.filter(unit_cost=None).exists() and not item_lines.filter(margin=0).exists()
    assert {"fifo", "average", "last_purchase"} <= set(item_lines.values_list("cost_source", flat=True))
    assert lines.filter(below_min_margin=True).count() >= 5
    drafts = lines.filter(quotation__state=State.DRAFT)
    assert drafts.filter(item__isnull=False, price_locked=True).count() >= 3
    assert drafts.filter(below_min_margin=True).exists()
    assert drafts.filter(item__isnull=True, description__icontains="transporte").exists()
    assert not quotations.filter(margin=0).exists()

    before = _counts(company)
    call_command("demo", stdout=io.StringIO())
    assert _counts(company) == before


def _opportunities(count=45):
    rng = random.Random(1)
    return [
        DemoOpportunity(
            stage=rng.randrange(4), lead=rng.random() < 0.5, title=rng.choice(["Cable solar", "Grifería hotel"]),
            owner="ventas", amount=Decimal(rng.randint(500, 30000)), created_ago=rng.randint(10, 130),
            busy_ago=rng.randint(1, 9), expected_close_in=rng.randint(-20, 120),
        )
        for _ in range(count)
    ]  # fmt: skip


def _items():
    return [
        DemoItem(
            sku=f"X-{number:03d}", category="Electricidad / Cables" if number % 3 else "Fontanería",
            unit="m" if number % 2 else "ud", price=Decimal(number % 40 + 1), method="fifo",
            on_hand=Decimal(number % 5), service=number > 95,
        )
        for number in range(100)
    ]  # fmt: skip


def test_the_plan_is_deterministic_and_keeps_its_dates():
    opportunities, items = _opportunities(), _items()
    first = plan_quotations(opportunities, 20, items)
    assert first == plan_quotations(opportunities, 20, items)
    assert first != plan_quotations(opportunities, 20, items, seed=1)
    assert {plan.story for plan in first} >= {"accepted", "superseded", "lost", "expired", "sent", "draft"}
    for plan in first:
        versions = plan.versions
        assert all(version.created.days_ago >= 1 for version in versions)
        if plan.opportunity is not None:
            assert versions[0].created.days_ago < opportunities[plan.opportunity].created_ago
        last = versions[-1]
        if last.end in ("accepted", "") and last.sent is not None and plan.story != "expired":
            assert last.created.days_ago <= VALIDITY  # still valid today
        if plan.story == "expired":
            assert last.created.days_ago > VALIDITY
        if plan.opportunity is not None and last.end in ("accepted", "rejected"):
            assert last.ended.days_ago < opportunities[plan.opportunity].busy_ago
    positions: dict[int, list[int]] = {}
    for _moment, number, position, _step in timeline(first):  # each quotation's versions in order
        positions.setdefault(number, []).append(position)
    assert all(found == sorted(found) for found in positions.values())
    assert plan_quotations([], 5, items) and not plan_quotations(opportunities, 5, [])
