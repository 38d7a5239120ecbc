"""Playing the plan through the services: the company's opportunities and items as the plan sees them,
each step in date order, then every record dated on the day it happened (the services stamp "now")."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.utils import timezone

from nexo.catalog.models import Item
from nexo.core.models import Company, StateChange, User
from nexo.crm import services as crm
from nexo.crm.models import Activity, Opportunity, Stage, StageChange
from nexo.inventory.models import StockBalance, StockMove
from nexo.inventory.services import settings_of as inventory_settings
from nexo.parties.models import Party
from nexo.sales import rules, services
from nexo.sales.demo.plan import timeline
from nexo.sales.demo.records import VALIDITY, DemoItem, DemoOpportunity, Moment, PlannedLine, PlannedQuotation
from nexo.sales.models import Delivery, Quotation, QuotationLine, SalesOrder


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


class Loader:
    """Plays the plan through the services, step by step in date order, then dates what it did."""

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
        self.backdate_moves(quotations)
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
        for pk, order in orders.items():  # its draft delivery note (the stock it reserves) dates from it too
            deliveries = list(Delivery.objects.filter(order_id=pk).values_list("pk", flat=True))
            Delivery.objects.filter(pk__in=deliveries).update(
                date=order.date, created_at=order.created_at, updated_at=order.created_at
            )
            StockMove.objects.filter(origin_type=services.DELIVERY_ORIGIN, origin_id__in=deliveries).update(
                date=order.date, created_at=order.created_at, updated_at=order.created_at
            )
        self.close_opportunities()

    def backdate_moves(self, quotations: dict[int, Quotation]) -> None:
        """The quotations' lifecycle log says when each move happened, as the quotations themselves do."""
        moves = list(
            StateChange.objects.filter(
                content_type=ContentType.objects.get_for_model(Quotation), object_id__in=list(quotations)
            )
        )
        for move in moves:
            quotation = quotations[move.object_id]
            when = quotation.sent_at if move.to_state == rules.SENT else quotation.closed_at
            move.at = when or move.at
        StateChange.objects.bulk_update(moves, ["at"])

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
