"""Which company a request works in; nothing of another company is ever visible."""

from django.db.models import QuerySet

from nexo.core.models import Company


def companies_of(user) -> QuerySet[Company]:
    if not user.is_authenticated:
        return Company.objects.none()
    return Company.objects.filter(memberships__user=user).order_by("name")


def resolve_company(user, requested_id: int | None) -> Company | None:
    """The requested company when the user is a member of it, else their default (or first) one."""
    memberships = user.memberships.select_related("company").order_by("-is_default", "company__name")
    chosen = None
    for membership in memberships:
        if membership.company_id == requested_id:
            return membership.company
        if chosen is None:
            chosen = membership.company
    return chosen
