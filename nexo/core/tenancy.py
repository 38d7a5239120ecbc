"""Which company a request works in; nothing of another company is ever visible."""

from django.db import connection
from django.db.models import QuerySet

from nexo.core import plainsql
from nexo.core.models import Company, Membership


def companies_of(user) -> QuerySet[Company]:
    if not user.is_authenticated:
        return Company.objects.none()
    return Company.objects.filter(memberships__user=user).order_by("name")


def resolve_company(user, requested_id: int | None) -> Company | None:
    """The requested company when the user is a member of it, else their default (or first) one."""
    # Plain SQL: this runs on every request, and building the ORM's joined query cost more than running it.
    memberships, companies = plainsql.quoted(Membership._meta.db_table), plainsql.quoted(Company._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {plainsql.columns(Company, 'c')} FROM {memberships} m "  # noqa: S608 (names quoted)
            f"JOIN {companies} c ON c.id = m.company_id WHERE m.user_id = %s ORDER BY m.is_default DESC, c.name",
            [user.pk],
        )
        rows = cursor.fetchall()
    chosen = None
    for company in (plainsql.from_row(Company, row) for row in rows):
        if company.pk == requested_id:
            return company
        if chosen is None:
            chosen = company
    return chosen
