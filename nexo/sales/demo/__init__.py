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

One module per part: `records` (the plan's records), `lines` (a quotation's lines), `plan` (the stories and
the order of their steps), `loader` (playing and backdating them), `terms` (the customers' own payment
terms: a quotation takes its customer's, else the company's default, and its order and invoice keep it).
"""

from collections import Counter

from django.db import transaction
from django.utils import timezone

from nexo.core.models import Company, User
from nexo.parties.models import Party
from nexo.sales.demo.loader import Loader, demo_items, demo_opportunities
from nexo.sales.demo.plan import plan_quotations, timeline
from nexo.sales.demo.records import VALIDITY, DemoItem, DemoOpportunity
from nexo.sales.demo.terms import demo_customer_terms
from nexo.sales.models import Quotation

__all__ = ["VALIDITY", "DemoItem", "DemoOpportunity", "load_demo_sales", "plan_quotations", "timeline"]


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
    demo_customer_terms(company, customers)  # before quoting: a quotation takes its customer's term
    records, opportunities = demo_opportunities(company, today)
    plans = plan_quotations(opportunities, len(customers), items)
    loader = Loader(company, users, today, plans, records, customers, item_ids)
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
