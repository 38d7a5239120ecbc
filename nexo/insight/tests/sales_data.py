"""A small sales story for the sales dashboard's tests, built through the CRM and sales services; the days the
services stamp (created, closed, sent, decided) are then set to the story's days.

Ana and Luis sell for the company. The period tested is January to March 2026.
Open opportunities (stage, amount, probability, expected close):
  O1 Ana  "Cuadro eléctrico"    Nuevo        1,000.00   10 %  2026-01-20   weighted   100.00
  O2 Ana  "Iluminación nave"    Propuesta    3,333.33   33 %  2026-02-10   weighted 1,099.9989
  O3 Luis "Herramientas obra"   Propuesta    8,000.00   50 %  2026-02-25   weighted 4,000.00
  O4 Luis "Mantenimiento"       Negociación    500.00   75 %  2026-05-05   weighted   375.00
Closed opportunities (created → closed):
  W1 Ana  won   2,000.00  2026-01-05 → 2026-01-25 (20 days)
  W2 Luis won   4,500.00  2025-12-01 → 2026-02-14 (75 days)
  L1 Ana  lost            2026-01-10 → 2026-02-20
  L2 Luis lost            2025-11-01 → 2025-12-30 (before the period)
  W3 Ana  won   9,000.00  2026-03-01 → 2026-04-02 (after the period)
Quotations (net; sent → decided), items: the hammer (category Tools/Hand tools) at 100.00 and the
installation (no category) at 50.00:
  Q1 Ana  2 hammers           200.00  sent 2026-01-10, accepted 2026-01-20
  Q2 Ana  3 installations     150.00  sent 2026-01-15, rejected 2026-02-05
  Q3 Luis hammer + install.   150.00  sent 2026-02-03, still open; quoted on O3
  Q4 Luis 4 installations     200.00  sent 2026-03-30, accepted 2026-04-02 (after the period)
  Q5 Ana  1 installation       50.00  a draft, never sent
  Q6 Ana  2 installations     100.00  sent 2025-12-20, accepted 2026-01-05
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from nexo.catalog import services as catalog_services
from nexo.catalog.models import Category, Item
from nexo.core.models import User
from nexo.crm import services as crm
from nexo.crm.models import Opportunity
from nexo.parties.models import Party
from nexo.parties.services import party_create
from nexo.sales import services as sales
from nexo.sales.models import Quotation

D = Decimal


def noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


@dataclass
class SalesStory:
    ana: User
    luis: User
    turia: Party
    hotel: Party
    tools: Category
    hand_tools: Category
    hammer: Item
    installation: Item
    opportunities: dict[str, Opportunity]
    quotations: dict[str, Quotation]


def build_story(company, *, ana: User, luis: User, make_item) -> SalesStory:
    stages = {stage.name: stage for stage in crm.stages_ensure_defaults(company=company)}
    turia = party_create(company=company, by=ana, name="Reformas Turia, S.L.", email="compras@turia.es")
    hotel = party_create(company=company, by=luis, name="Hotel Mar Azul", email="compras@marazul.es")
    tools = catalog_services.category_create(company=company, by=ana, name="Tools")
    hand_tools = catalog_services.category_create(
        company=company, by=ana, name="Hand tools", parent_id=tools.pk
    )
    hammer = make_item("HAMMER", base_price="100.00", kind="service", category_id=hand_tools.pk)
    installation = make_item("INSTALL", base_price="50.00", kind="service")

    def opportunity(title, owner, party, amount, expected, stage="Nuevo", probability=None):
        fields = {"probability": D(probability)} if probability is not None else {}
        return crm.opportunity_create(
            company=company, by=owner, party_id=party.pk, title=title, owner_id=owner.pk, amount=D(amount),
            expected_close=expected, stage_id=stages[stage].pk, **fields,
        )  # fmt: skip

    def dated(found: Opportunity, created: date, closed: date | None = None):
        changes = {"created_at": noon(created)} | ({"closed_on": closed} if closed else {})
        Opportunity.objects.filter(pk=found.pk).update(**changes)

    opportunities = {
        "O1": opportunity("Cuadro eléctrico", ana, turia, "1000.00", date(2026, 1, 20)),
        "O2": opportunity("Iluminación nave", ana, hotel, "3333.33", date(2026, 2, 10), "Propuesta", "33"),
        "O3": opportunity("Herramientas obra", luis, turia, "8000.00", date(2026, 2, 25), "Propuesta"),
        "O4": opportunity("Mantenimiento", luis, hotel, "500.00", date(2026, 5, 5), "Negociación"),
    }
    for key, owner, amount, created, closed, won in (
        ("W1", ana, "2000.00", date(2026, 1, 5), date(2026, 1, 25), True),
        ("W2", luis, "4500.00", date(2025, 12, 1), date(2026, 2, 14), True),
        ("L1", ana, "700.00", date(2026, 1, 10), date(2026, 2, 20), False),
        ("L2", luis, "900.00", date(2025, 11, 1), date(2025, 12, 30), False),
        ("W3", ana, "9000.00", date(2026, 3, 1), date(2026, 4, 2), True),
    ):
        found = opportunity(f"Cerrada {key}", owner, turia, amount, closed)
        if won:
            crm.opportunity_win(company=company, opportunity_id=found.pk, by=owner)
        else:
            crm.opportunity_lose(company=company, opportunity_id=found.pk, by=owner, reason="Precio")
        dated(found, created, closed)
        opportunities[key] = found

    def quotation(by, lines, *, sent=None, accepted=None, rejected=None, opportunity_id=None):
        made = sales.quotation_create(
            company=company, by=by, party_id=turia.pk, opportunity_id=opportunity_id,
            lines=[{"item_id": item.pk, "quantity": str(quantity)} for item, quantity in lines],
        )  # fmt: skip
        if sent:
            sales.quotation_mark_sent(company=company, by=by, quotation_id=made.pk)
        if accepted:
            sales.quotation_accept(company=company, by=by, quotation_id=made.pk)
        if rejected:
            sales.quotation_reject(company=company, by=by, quotation_id=made.pk, reason="Caro")
        decided = accepted or rejected
        Quotation.objects.filter(pk=made.pk).update(
            sent_at=noon(sent) if sent else None, closed_at=noon(decided) if decided else None
        )
        made.refresh_from_db()
        return made

    quotations = {
        "Q1": quotation(ana, [(hammer, 2)], sent=date(2026, 1, 10), accepted=date(2026, 1, 20)),
        "Q2": quotation(ana, [(installation, 3)], sent=date(2026, 1, 15), rejected=date(2026, 2, 5)),
        "Q3": quotation(
            luis,
            [(hammer, 1), (installation, 1)],
            sent=date(2026, 2, 3),
            opportunity_id=opportunities["O3"].pk,
        ),
        "Q4": quotation(luis, [(installation, 4)], sent=date(2026, 3, 30), accepted=date(2026, 4, 2)),
        "Q5": quotation(ana, [(installation, 1)]),
        "Q6": quotation(ana, [(installation, 2)], sent=date(2025, 12, 20), accepted=date(2026, 1, 5)),
    }
    return SalesStory(
        ana, luis, turia, hotel, tools, hand_tools, hammer, installation, opportunities, quotations
    )
