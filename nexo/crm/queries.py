"""Read side of the CRM: what a user may see, the board's columns, the next activities, the forecast."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.core.errors import ValidationFailed
from nexo.core.models import Company, User
from nexo.crm import rules
from nexo.crm.models import Activity, Opportunity, Stage
from nexo.crm.services import stages_ensure_defaults


def sees_everyone(user: User) -> bool:
    """Managers (and admins) see every salesperson's opportunities; a salesperson sees their own."""
    return user.has_perm("crm.view_all_opportunities")


def opportunities_visible_to(user: User, company: Company) -> QuerySet[Opportunity]:
    queryset = Opportunity.objects.filter(company=company)
    return queryset if sees_everyone(user) else queryset.filter(owner=user)


def check_opportunity_visible(user: User, company: Company, opportunity_id: int | None) -> None:
    """An opportunity named in a request (a quotation's, an activity's) that the user may not see is as
    unknown as it is at its own address."""
    if (
        opportunity_id is not None
        and not opportunities_visible_to(user, company).filter(pk=opportunity_id).exists()
    ):
        raise ValidationFailed.on("opportunity_id", _("Unknown %(what)s.") % {"what": "opportunity"})


def with_next_activity(queryset: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Annotate each opportunity with the subject, kind and due time of its next pending activity."""
    pending = Activity.objects.filter(opportunity=OuterRef("pk"), done=False).order_by("due_at", "id")
    return queryset.annotate(
        next_activity_subject=Subquery(pending.values("subject")[:1]),
        next_activity_kind=Subquery(pending.values("kind")[:1]),
        next_activity_due=Subquery(pending.values("due_at")[:1]),
    )


def opportunity_for(user: User, company: Company, opportunity_id: int) -> Opportunity:
    """One opportunity the user may see, with what its page shows; otherwise 404."""
    opportunity = (
        with_next_activity(opportunities_visible_to(user, company))
        .select_related("party", "owner", "stage", "created_by")
        .filter(pk=opportunity_id)
        .first()
    )
    if opportunity is None:
        raise Http404("No such opportunity.")
    return opportunity


def activities_visible_to(user: User, company: Company) -> QuerySet[Activity]:
    queryset = Activity.objects.filter(company=company)
    if sees_everyone(user):
        return queryset
    return queryset.filter(Q(owner=user) | Q(opportunity__owner=user))


def pipeline_stages(company: Company) -> list[Stage]:
    """The active stages in order; a company without any pipeline yet gets the default one."""
    stages = list(Stage.objects.filter(company=company, is_active=True).order_by("sequence", "id"))
    if not stages:
        stages_ensure_defaults(company=company)
        stages = list(Stage.objects.filter(company=company, is_active=True).order_by("sequence", "id"))
    return stages


def sales_users(company: Company) -> QuerySet[User]:
    """Users of the company who may own opportunities."""
    return (
        User.objects.filter(memberships__company=company, is_active=True)
        .filter(
            Q(
                groups__permissions__codename="add_opportunity",
                groups__permissions__content_type__app_label="crm",
            )
            | Q(user_permissions__codename="add_opportunity", user_permissions__content_type__app_label="crm")
            | Q(is_superuser=True)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def forecast_lines(user: User, company: Company, *, owner_id: int | None = None) -> list[rules.ForecastLine]:
    queryset = opportunities_visible_to(user, company).filter(status=Opportunity.Status.OPEN)
    if owner_id:
        queryset = queryset.filter(owner_id=owner_id)
    rows = queryset.values_list("owner__username", "expected_close", "amount", "probability", "status")
    return [rules.ForecastLine(*row) for row in rows]


def won_between(
    user: User, company: Company, start: date, end: date, *, owner_id: int | None = None
) -> dict[str, Decimal | int]:
    """Amount and number of opportunities won in the period; summed in Decimal (SQLite sums in floats)."""
    queryset = opportunities_visible_to(user, company).filter(
        status=Opportunity.Status.WON, closed_on__gte=start, closed_on__lte=end
    )
    if owner_id:
        queryset = queryset.filter(owner_id=owner_id)
    amounts = list(queryset.values_list("amount", flat=True))
    return {"amount": sum(amounts, Decimal(0)), "count": len(amounts)}


def home_figures(user: User, company: Company) -> dict:
    today = timezone.localdate()
    mine = opportunities_visible_to(user, company).filter(status=Opportunity.Status.OPEN)
    activities = Activity.objects.filter(company=company, owner=user, done=False)
    return {
        "open_opportunities": mine.aggregate(count=Count("pk"), amount=Sum("amount")),
        "activities": activities.aggregate(
            overdue=Count("pk", filter=Q(due_at__date__lt=today)),
            today=Count("pk", filter=Q(due_at__date=today)),
            first_due=Min("due_at"),
        ),
    }


def party_pipeline(user: User, company: Company, party) -> dict:
    """A party's opportunities (the user may see) and its pending activities, for the party's page."""
    opportunities = with_next_activity(
        opportunities_visible_to(user, company).filter(party=party).select_related("stage", "owner")
    ).order_by("status", "expected_close")[:50]
    pending = (
        activities_visible_to(user, company)
        .filter(party=party, done=False)
        .select_related("opportunity")
        .order_by("due_at")[:20]
    )
    return {"opportunities": list(opportunities), "activities": list(pending), "now": timezone.now()}
