"""The account mapping page (/invoicing/accounts/): which sales and purchase account each catalog category
posts to (empty: its parent's, then the company default) and which account each tax posts to per side and
rate (empty: the default). Saved at once through `invoicing.services.entries.account_mapping_set`."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from nexo.accounting.models import Account
from nexo.core.errors import ValidationFailed
from nexo.core.permissions import page
from nexo.invoicing.models import TaxAccounts
from nexo.invoicing.services.entries import (
    TAX_DEFAULTS,
    CategoryAccountsInput,
    CategoryRow,
    TaxAccountInput,
    TaxRow,
    account_mapping_of,
    account_mapping_set,
)

READ = "accounting.view_account"
WRITE = "accounting.change_accountingsettings"
MAX_TAX_ROWS = 200


def _posted_rows(request: HttpRequest, mapping) -> tuple[list, list]:
    """The rows as typed: one per category shown, one per tax row shown plus the new one."""
    categories = [
        CategoryAccountsInput(
            row.category_id,
            request.POST.get(f"category-{row.category_id}-sales", "").strip()[:20],
            request.POST.get(f"category-{row.category_id}-purchase", "").strip()[:20],
        )
        for row in mapping.categories
    ]
    taxes = []
    typed_count = request.POST.get("tax-count", "")
    count = min(int(typed_count), MAX_TAX_ROWS) if typed_count.isdigit() else 0
    for index in range(count + 1):  # the last one is the row for another rate
        prefix = f"tax-{index}"
        kind, side = request.POST.get(f"{prefix}-kind", ""), request.POST.get(f"{prefix}-side", "")
        rate_text = request.POST.get(f"{prefix}-rate", "").strip().replace(",", ".")
        account = request.POST.get(f"{prefix}-account", "").strip()[:20]
        if index == count and not (rate_text and account):
            continue
        try:
            rate = Decimal(rate_text)
        except InvalidOperation:
            rate = rate_text
        taxes.append(TaxAccountInput(kind, side, rate, account))
    return categories, taxes


def _error_input(field: str, categories: list) -> str:
    """The name of the input a service's field error points at (`categories.2.sales_account`)."""
    parts = field.split(".")
    if len(parts) == 3 and parts[1].isdigit():
        index = int(parts[1])
        if parts[0] == "categories" and index < len(categories):
            suffix = "purchase" if parts[2] == "purchase_account" else "sales"
            return f"category-{categories[index].category_id}-{suffix}"
        if parts[0] == "taxes":
            return f"tax-{index}-{'rate' if parts[2] == 'rate' else 'account'}"
    return ""


@page(READ)
def account_mapping(request: HttpRequest) -> HttpResponse:
    mapping = account_mapping_of(request.company)
    can_change = request.user.has_perm(WRITE)
    error, error_input = None, ""
    rows, tax_rows = mapping.categories, mapping.taxes
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied(_("Your role does not allow this."))
        categories, taxes = _posted_rows(request, mapping)
        try:
            account_mapping_set(company=request.company, by=request.user, categories=categories, taxes=taxes)
        except ValidationFailed as failure:
            field = failure.errors[0]["field"] if failure.errors else ""
            error = failure.errors[0]["message"] if failure.errors else failure.detail
            error_input = _error_input(field, categories)
            # What was typed stays on the page, the error beside its field.
            rows = [
                CategoryRow(row.category_id, row.category, typed.sales_account, typed.purchase_account)
                for row, typed in zip(mapping.categories, categories, strict=True)
            ]
            tax_rows = [
                TaxRow(
                    typed.kind, typed.side, typed.rate, typed.account,
                    mapping.defaults.get(TAX_DEFAULTS.get((typed.kind, typed.side), ""), ""),
                )
                for typed in taxes
                if isinstance(typed.rate, Decimal)
            ]  # fmt: skip
        else:
            messages.success(request, _("Account mapping saved."))
            return redirect("invoicing:account_mapping")
    language = (getattr(request, "LANGUAGE_CODE", "") or "es")[:2]
    accounts = [
        (code, name_en if language == "en" and name_en else name, nature)
        for code, name, name_en, nature in Account.objects.filter(
            company=request.company, is_view=False, active=True
        )
        .order_by("code")
        .values_list("code", "name", "name_en", "nature")
    ]
    kinds, sides = dict(TaxAccounts.Kind.choices), dict(TaxAccounts.Side.choices)
    category_rows = [
        {
            "id": row.category_id, "category": row.category, "sales": row.sales_account,
            "purchase": row.purchase_account,
            "sales_error": error_input == f"category-{row.category_id}-sales",
            "purchase_error": error_input == f"category-{row.category_id}-purchase",
        }
        for row in rows
    ]  # fmt: skip
    tax_display = [
        {
            "index": index, "kind": row.kind, "kind_label": kinds.get(row.kind, row.kind), "side": row.side,
            "side_label": sides.get(row.side, row.side), "rate": row.rate, "account": row.account,
            "default": row.default, "error": error_input in (f"tax-{index}-account", f"tax-{index}-rate"),
        }
        for index, row in enumerate(tax_rows)
    ]  # fmt: skip
    context = {
        "title": _("Account mapping"),
        "rows": category_rows,
        "tax_rows": tax_display,
        "tax_count": len(tax_rows),
        "defaults": mapping.defaults,
        "accounts": accounts,
        "can_change": can_change,
        "error": error,
        "error_input": error_input,
        "kinds": kinds,
        "sides": sides,
    }
    return render(request, "invoicing/account_mapping.html", context, status=422 if error else 200)


urlpatterns = [path("accounts/", account_mapping, name="account_mapping")]
