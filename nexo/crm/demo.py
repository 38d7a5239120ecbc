"""Demo pipeline: about 120 opportunities over the last twelve months, with their history and activities.

Everything is drawn from a fixed seed (parties, titles, amounts, stages, owners, reasons); only the dates
move with today, counted back or forward from it, so the board always looks current.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from nexo.core.models import Company, User
from nexo.crm import services
from nexo.crm.models import Activity, Opportunity, Stage, StageChange
from nexo.parties.models import Party

SEED = 2026
OPEN, WON, LOST = "open", "won", "lost"
OUTCOMES = [OPEN] * 45 + [WON] * 45 + [LOST] * 30
OPEN_STAGE_WEIGHTS = [12, 13, 11, 9]  # Nuevo, Cualificado, Propuesta, Negociación
OVERDUE_OPEN = 6  # open opportunities whose expected close date has already passed
OWNERS = [("ventas", 45), ("ventas2", 40), ("gerente", 15)]

PLACES = ["Paterna", "Benidorm", "Torrent", "Gandia", "Sagunto", "Alzira", "Manises", "Burjassot", "Xàtiva",
          "Ontinyent", "Dénia", "Elche", "Alicante", "Castellón", "Vila-real", "Requena", "Llíria", "Cullera",
          "Paiporta", "Mislata", "Quart de Poblet", "Orihuela", "Torrevieja", "Villena", "Murcia", "Albacete"]  # fmt: skip
# (title, lowest and highest believable amount in euros)
TITLES = [
    ("Suministro material eléctrico obra {place}", 4000, 45000),
    ("Renovación grifería hotel {place}", 6000, 38000),
    ("Herramienta para cuadrilla de mantenimiento", 900, 6500),
    ("Cuadros eléctricos nave industrial {place}", 8000, 60000),
    ("Fontanería promoción de {homes} viviendas en {place}", 12000, 60000),
    ("Iluminación LED almacén logístico {place}", 5000, 32000),
    ("Reposición de tornillería y fijaciones para taller", 300, 2500),
    ("Consumibles de soldadura para taller de cerrajería", 300, 1800),
    ("Mecanismos de muestra para reforma de vivienda en {place}", 300, 1500),
    ("Cableado y bandejas ampliación de planta {place}", 7000, 48000),
    ("Sanitarios y grifería residencia de mayores {place}", 9000, 42000),
    ("Bombas y valvulería comunidad de regantes {place}", 3500, 26000),
    ("Material de climatización oficinas {place}", 4500, 30000),
    ("Tubería multicapa reforma colegio {place}", 3000, 22000),
    ("Contrato anual de consumibles de ferretería", 2500, 15000),
    ("Equipos de protección individual obra {place}", 600, 5000),
    ("Herramienta eléctrica a batería para equipo de montaje", 1200, 9000),
    ("Alumbrado exterior urbanización {place}", 6000, 40000),
    ("Mecanismos y cajas rehabilitación de edificio en {place}", 2000, 14000),
    ("Puntos de recarga de vehículo eléctrico parking {place}", 5000, 35000),
    ("Bajantes y saneamiento comunidad de vecinos {place}", 1500, 12000),
    ("Pintura y accesorios mantenimiento polideportivo {place}", 800, 7000),
    ("Grupo de presión y depósitos hotel {place}", 4000, 24000),
    ("Cerraduras y herrajes reforma de oficinas en {place}", 1000, 9000),
    ("Cable solar para instalación fotovoltaica {place}", 3000, 28000),
    ("Material de fontanería para reformas de baños", 500, 4500),
    ("Stock de reposición para furgonetas de servicio técnico", 700, 6000),
    ("Iluminación de emergencia centro comercial {place}", 2500, 18000),
    ("Aire acondicionado locales comerciales {place}", 3500, 27000),
    ("Calefacción por suelo radiante chalets en {place}", 5000, 30000),
]
LOST_REASONS = [
    "Precio superior a la competencia",
    "Plazo de entrega demasiado largo",
    "Sin presupuesto este año",
    "Eligió otro proveedor habitual",
    "Proyecto aplazado",
    "La obra se adjudicó a otra constructora",
    "No trabajamos la marca exigida en el proyecto",
    "No aceptan nuestras condiciones de pago",
    "El cliente dejó de responder tras la oferta",
    "Proyecto cancelado por la propiedad",
]
# Customers come back on their own; new leads arrive through every other channel.
CUSTOMER_SOURCES = [("existing", 10), ("referral", 3), ("email", 2), ("fair", 1), ("partner", 1), ("web", 1)]
LEAD_SOURCES = [("web", 5), ("referral", 4), ("fair", 3), ("cold_call", 3), ("email", 3), ("partner", 2),
                ("other", 1)]  # fmt: skip
SUBJECTS = {
    "call": ["Llamada de seguimiento de la oferta", "Llamar para confirmar cantidades",
             "Llamada de cualificación", "Confirmar fecha de inicio de obra", "Llamar al jefe de compras"],
    "meeting": ["Visita a obra para tomar medidas", "Reunión con el jefe de compras",
                "Presentación de catálogo en sus oficinas", "Visita al showroom con el cliente"],
    "email": ["Enviar oferta revisada", "Enviar fichas técnicas y certificados",
              "Enviar condiciones de pago y plazos", "Enviar alternativas de marca más económicas"],
    "task": ["Preparar presupuesto detallado", "Consultar plazo de entrega con el fabricante",
             "Revisar descuento con gerencia", "Preparar muestras para el cliente"],
}  # fmt: skip
OUTCOMES_TEXT = [
    "Interesados; piden una segunda opción más económica.",
    "Confirman cantidades; pendiente de aprobación del presupuesto.",
    "Buena reunión; deciden antes de fin de mes.",
    "Enviado; acusan recibo.",
    "No contesta; dejo mensaje y vuelvo a llamar.",
    "Piden mejorar el plazo de entrega.",
    "Comparan con otros dos proveedores.",
    "Hecho; se adjunta a la oportunidad.",
]
KIND_WEIGHTS = [("call", 4), ("email", 3), ("meeting", 2), ("task", 2)]


@dataclass
class PlannedActivity:
    kind: str
    subject: str
    days_ago: int  # negative: in the future
    hour: int
    minute: int
    done: bool = False
    outcome: str = ""


@dataclass
class PlannedOpportunity:
    party_index: int
    outcome: str
    title: str
    owner: str
    amount: Decimal
    source: str
    expected_close_in: int  # days from today, negative when past
    path: list[int]  # open stages visited, by index, the first one being where it was created
    # One (days ago, hour, minute) per stage change: the creation, each move, then the closing if any.
    changes: list[tuple[int, int, int]] = field(default_factory=list)
    won_amount: Decimal | None = None
    lost_reason: str = ""
    activities: list[PlannedActivity] = field(default_factory=list)


def _weighted_choice(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _weight in choices], [weight for _value, weight in choices])[0]


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    """Spread evenly on a log scale (many small orders, few big ones), rounded like a real quotation."""
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    step = 1 if value < 1000 else 5 if value < 10000 else 50
    cents = rng.choice([0, 0, 0, 50, rng.randint(1, 99)])
    return (Decimal(int(value // step) * step) + Decimal(cents) / 100).quantize(Decimal("0.01"))


def _moments(rng: random.Random, start: int, end: int, count: int) -> list[tuple[int, int, int]]:
    """`count` moments in order between `start` and `end` days ago (inclusive), in office hours."""
    days = sorted((rng.randint(end, start) for _ in range(count - 2)), reverse=True) if count > 2 else []
    days = [start, *days, end][:count] if count > 1 else [start]
    moments: list[tuple[int, int, int]] = []
    for day in days:
        hour, minute = rng.randint(8, 18), rng.choice([0, 10, 15, 20, 30, 40, 45, 50])
        if moments and moments[-1][0] == day and (hour, minute) <= moments[-1][1:]:
            later = moments[-1][1] * 60 + moments[-1][2] + 45  # the same day: a little later
            hour, minute = divmod(later, 60)
        moments.append((day, hour, minute))
    return moments


def _activity(rng: random.Random, days_ago: int, *, done: bool, kind: str | None = None) -> PlannedActivity:
    kind = kind or _weighted_choice(rng, KIND_WEIGHTS)
    return PlannedActivity(
        kind=kind,
        subject=rng.choice(SUBJECTS[kind]),
        days_ago=days_ago,
        hour=rng.randint(9, 17),
        minute=rng.choice([0, 15, 30, 45]),
        done=done,
        outcome=rng.choice(OUTCOMES_TEXT) if done else "",
    )


def plan_pipeline(customers: int, leads: int, open_stages: int, seed: int = SEED) -> list[PlannedOpportunity]:
    """The demo pipeline, without the database: parties by index (customers first, then leads) and dates
    as days from today. The same seed gives the same plan."""
    rng = random.Random(seed)
    outcomes = list(OUTCOMES)
    rng.shuffle(outcomes)
    weights = (OPEN_STAGE_WEIGHTS + [10] * open_stages)[:open_stages]
    open_stage = [index for index, weight in enumerate(weights) for _ in range(weight)]
    rng.shuffle(open_stage)
    closed_total = outcomes.count(WON) + outcomes.count(LOST)
    overdue = set(rng.sample([i for i, outcome in enumerate(outcomes) if outcome == OPEN], OVERDUE_OPEN))
    plans, closed_seen, open_seen = [], 0, 0
    for index, outcome in enumerate(outcomes):
        # Won deals are with customers; open and lost ones with customers and leads alike.
        from_customers = outcome == WON or rng.random() < 0.45 or leads == 0
        party_index = rng.randrange(customers) if from_customers else customers + rng.randrange(leads)
        template, low, high = rng.choice(TITLES)
        title = template.format(place=rng.choice(PLACES), homes=rng.choice([8, 12, 16, 24, 32, 40, 48]))
        plan = PlannedOpportunity(
            party_index=party_index,
            outcome=outcome,
            title=title,
            owner=_weighted_choice(rng, OWNERS),
            amount=_amount(rng, low, high),
            source=_weighted_choice(rng, CUSTOMER_SOURCES if party_index < customers else LEAD_SOURCES),
            expected_close_in=0,
            path=[],
        )
        if outcome == OPEN:
            stage = open_stage[open_seen % len(open_stage)]
            open_seen += 1
            plan.path = list(range(stage + 1))
            if stage >= 2 and rng.random() < 0.25:  # some skip a stage
                plan.path.pop(rng.randrange(1, stage))
            if index in overdue:
                plan.expected_close_in = -rng.randint(3, 30)
                created = rng.randint(-plan.expected_close_in + 20, -plan.expected_close_in + 90)
            else:
                plan.expected_close_in = rng.randint(max(5, 40 - 10 * stage), 150 - 25 * stage)
                created = rng.randint(3 + 10 * stage, 40 + 30 * stage)
            plan.changes = _moments(rng, created, rng.randint(1, max(1, created // 3)), len(plan.path))
            plan.activities = _open_activities(rng, created)
        else:
            # Creation dates spread evenly over the year, so the history covers all of it.
            created = round(20 + 340 * (closed_seen + rng.random()) / closed_total)
            closed_seen += 1
            duration = min(rng.randint(10, 100) if outcome == WON else rng.randint(7, 120), created - 1)
            closed = created - duration
            plan.path = list(range(rng.randint(min(2 if outcome == WON else 1, open_stages), open_stages)))
            plan.changes = _moments(rng, created, closed, len(plan.path) + 1)
            plan.expected_close_in = -closed + rng.randint(-20, 25)
            if outcome == WON:
                if rng.random() < 0.4:  # the final order rarely matches the first estimate
                    factor = Decimal(rng.randint(85, 110)) / 100
                    plan.won_amount = (plan.amount * factor).quantize(Decimal("0.01"))
            else:
                plan.lost_reason = rng.choice(LOST_REASONS)
            first = _activity(rng, rng.randint(closed, created), done=True, kind="call")
            last = _activity(rng, closed, done=True, kind=rng.choice(["meeting", "email", "call"]))
            last.outcome = (
                "Aceptan la oferta; pedido confirmado."
                if outcome == WON
                else f"No siguen adelante: {plan.lost_reason.lower()}."
            )
            plan.activities = [first, last]
        plans.append(plan)
    return plans


def _open_activities(rng: random.Random, created: int) -> list[PlannedActivity]:
    """One to three: maybe something done already, maybe one left overdue, usually the next step."""
    activities = []
    if rng.random() < 0.6:
        activities.append(_activity(rng, rng.randint(1, created - 1), done=True))
    if rng.random() < 0.3:
        activities.append(_activity(rng, rng.randint(1, min(14, created - 1)), done=False))
    if not activities or rng.random() < 0.8:
        activities.append(_activity(rng, -rng.randint(1, 21), done=False))
    if len(activities) < 3 and rng.random() < 0.2:
        activities.append(_activity(rng, -rng.randint(22, 45), done=False))
    return activities


def _at(today: date, days_ago: int, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(hour, minute)))


@transaction.atomic
def load_demo_pipeline(company: Company, users: dict[str, User]) -> str:
    """Create the demo pipeline unless the company has opportunities already; returns a summary."""
    if Opportunity.objects.filter(company=company).exists():
        return ""
    stages = services.stages_ensure_defaults(company=company)
    open_stages = [stage for stage in stages if stage.kind == Stage.Kind.OPEN and stage.is_active]
    parties = Party.objects.filter(company=company, is_active=True).order_by("name", "id")
    customers = list(parties.filter(status=Party.Status.CUSTOMER))
    leads = list(parties.filter(status=Party.Status.LEAD, is_supplier=False))
    if not customers or not open_stages:
        return ""
    everyone = customers + leads
    today, now = timezone.localdate(), timezone.now()
    created_opportunities, planned_changes, created_activities = [], {}, []
    counts = {OPEN: 0, WON: 0, LOST: 0}
    for plan in plan_pipeline(len(customers), len(leads), len(open_stages)):
        owner, party = users[plan.owner], everyone[plan.party_index]
        opportunity = services.opportunity_create(
            company=company, by=owner, party=party, title=plan.title, owner=owner, amount=plan.amount,
            source=plan.source, stage_id=open_stages[plan.path[0]].pk,
            expected_close=today + timedelta(days=plan.expected_close_in),
        )  # fmt: skip
        for stage_index in plan.path[1:]:
            services.opportunity_move(
                company=company, opportunity_id=opportunity.pk, stage_id=open_stages[stage_index].pk, by=owner
            )
        if plan.outcome == WON:
            opportunity = services.opportunity_win(
                company=company, opportunity_id=opportunity.pk, by=owner, amount=plan.won_amount
            )
        elif plan.outcome == LOST:
            opportunity = services.opportunity_lose(
                company=company, opportunity_id=opportunity.pk, by=owner, reason=plan.lost_reason
            )
        counts[plan.outcome] += 1
        moments = [_at(today, *change) for change in plan.changes]
        opportunity.created_at, opportunity.updated_at = moments[0], moments[-1]
        opportunity.closed_on = timezone.localdate(moments[-1]) if plan.outcome != OPEN else None
        created_opportunities.append(opportunity)
        planned_changes[opportunity.pk] = moments
        for planned in plan.activities:
            due = _at(today, planned.days_ago, planned.hour, planned.minute)
            if plan.outcome != OPEN:  # kept within the life of the opportunity
                due = min(max(due, moments[0] + timedelta(minutes=30)), moments[-1])
            if planned.done and plan.outcome != OPEN:
                activity = services.activity_log(
                    company=company, by=owner, kind=planned.kind, subject=planned.subject,
                    outcome=planned.outcome, at=due, opportunity=opportunity, party=party,
                )  # fmt: skip
            else:
                activity = services.activity_create(
                    company=company, by=owner, kind=planned.kind, subject=planned.subject, due_at=due,
                    owner=owner, opportunity=opportunity, party=party,
                )  # fmt: skip
                if planned.done:
                    activity = services.activity_complete(
                        company=company, activity_id=activity.pk, by=owner, outcome=planned.outcome
                    )
                    activity.done_at = min(due + timedelta(hours=1), now)
            # Planned a few days ahead, never before the opportunity existed; last touched when done.
            activity.created_at = min(max(due - timedelta(days=3), moments[0]), due, now)
            activity.updated_at = activity.done_at or activity.created_at
            created_activities.append(activity)
    # The services stamp "now" (today for closed_on); the demo backdates so the history spans the year.
    Opportunity.objects.bulk_update(created_opportunities, ["created_at", "updated_at", "closed_on"])
    changes = list(
        StageChange.objects.filter(opportunity__company=company)
        .order_by("opportunity_id", "id")
        .only("id", "opportunity_id")
    )
    position: dict[int, int] = {}
    for change in changes:
        index = position[change.opportunity_id] = position.get(change.opportunity_id, -1) + 1
        change.at = planned_changes[change.opportunity_id][index]
    StageChange.objects.bulk_update(changes, ["at"])
    Activity.objects.bulk_update(created_activities, ["created_at", "updated_at", "done_at"])
    total = sum(counts.values())
    return (
        f"{total} opportunities ({counts[OPEN]} open, {counts[WON]} won, {counts[LOST]} lost), "
        f"{len(created_activities)} activities"
    )
