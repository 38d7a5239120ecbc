"""What `nexo import` and `nexo export` share: the kinds of records and finding the company and user."""

from django.core.management.base import CommandError

from nexo.core.models import Company, User

WHAT = {"items": "items", "price-rules": "price_rules"}


def find_company(given: str | None) -> Company:
    """By tax id or id; without one, the only company there is."""
    if given:
        company = Company.objects.filter(tax_id__iexact=given).first()
        if company is None and given.isdigit():
            company = Company.objects.filter(pk=int(given)).first()
        if company is None:
            raise CommandError(f"No company with tax id or id {given!r}.")
        return company
    companies = list(Company.objects.order_by("pk")[:2])
    if len(companies) != 1:
        raise CommandError("Name the company with --company TAXID_OR_ID.")
    return companies[0]


def find_user(username: str | None, company: Company) -> User | None:
    if username is None:
        return None
    user = User.objects.filter(username=username, is_active=True, memberships__company=company).first()
    if user is None:
        raise CommandError(f"No active user {username!r} in {company.name}.")
    return user
