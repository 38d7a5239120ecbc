"""Loading a chart of accounts from a template (nexo/accounting/charts/<template>.py): its accounts, each
under the longest code of the chart that prefixes it, and the company's default account per role.
Idempotent: accounts the company already has keep their names and whatever it changed."""

from importlib import import_module

from django.db import transaction
from django.utils.translation import gettext as _

from nexo.accounting.models import Account, AccountDefault
from nexo.core.errors import ValidationFailed
from nexo.core.models import Company

TEMPLATES = ("pgc_pymes", "generic")


def template_of(name: str):
    if name not in TEMPLATES:
        raise ValidationFailed.on("chart_template", _("Unknown chart template %(name)s.") % {"name": name})
    return import_module(f"nexo.accounting.charts.{name}")


def parent_code(code: str, codes) -> str | None:
    """The longest other code of the chart that begins `code`."""
    for length in range(len(code) - 1, 0, -1):
        if code[:length] in codes:
            return code[:length]
    return None


def chart_load(company: Company, name: str) -> None:
    template = template_of(name)
    with transaction.atomic():
        existing = {account.code: account for account in Account.objects.filter(company=company)}
        new = []
        for row in template.ACCOUNTS:
            code, name_es, name_en, nature, is_view, needs_party = row
            if code not in existing:
                account = Account(
                    company=company, code=code, name=name_es, name_en=name_en, nature=nature, is_view=is_view,
                    needs_party=needs_party,
                )  # fmt: skip
                existing[code] = account
                new.append(account)
        Account.objects.bulk_create(new)
        codes = set(existing)
        parented = []
        for account in new:
            parent = parent_code(account.code, codes)
            if parent is not None:
                account.parent = existing[parent]
                parented.append(account)
        Account.objects.bulk_update(parented, ["parent"])
        have = set(AccountDefault.objects.filter(company=company).values_list("role", flat=True))
        AccountDefault.objects.bulk_create(
            AccountDefault(company=company, role=role, account=existing[code])
            for role, code in template.DEFAULTS.items()
            if role not in have
        )
