"""The chart of accounts' pages: the chart with each account's balance today (rolled up to the view
accounts), adding and editing an account, the journals, the default account per role, and the accounting
panel on a party's page (its receivable and payable accounts, their balance, and its own accounts)."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.db.models.functions import Length
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from nexo.accounting.models import Account, EntryLine, Journal, Nature, PartyAccounting
from nexo.accounting.rules import ledger
from nexo.accounting.services import accounts as services
from nexo.accounting.services.defaults import default_accounts
from nexo.accounting.views.payment_terms import profile_panel
from nexo.core.aggregates import MoneySum
from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import TextOnly, apply_failure
from nexo.core.listing import Filter, ListPage, Sort
from nexo.core.permissions import page
from nexo.core.validation import MAX_ID
from nexo.parties.models import Party

ZERO = ledger.ZERO
MORE_DIGITS = 5  # the level filter's last choice: sub-accounts of 5 digits or more


def _level(value: str) -> Q:
    if int(value) >= MORE_DIGITS:
        return Q(code_length__gte=MORE_DIGITS)
    return Q(code_length=int(value))


def _search(word: str) -> Q:
    return Q(code__startswith=word) | Q(name__icontains=word) | Q(name_en__icontains=word)


ACCOUNT_LIST = ListPage(
    search=_search,
    sorts={"code": Sort(gettext_lazy("Code"), ("code",))},
    default_sort="code",
    filters=[
        Filter(
            "level",
            gettext_lazy("Level"),
            [
                ("1", gettext_lazy("1 digit (groups)")),
                ("2", gettext_lazy("2 digits (subgroups)")),
                ("3", gettext_lazy("3 digits (accounts)")),
                ("4", gettext_lazy("4 digits (sub-accounts)")),
                (str(MORE_DIGITS), gettext_lazy("5 digits or more")),
            ],
            _level,
        ),
        Filter("nature", gettext_lazy("Nature"), Nature.choices, lambda value: Q(nature=value)),
        Filter(
            "active",
            gettext_lazy("Active"),
            [("yes", gettext_lazy("Active")), ("no", gettext_lazy("Inactive"))],
            lambda value: Q(active=value == "yes"),
        ),
    ],
    per_page=100,
)


def balances_today(company) -> tuple[dict[int, Decimal], dict[int, int | None]]:
    """Each account's debit-minus-credit balance of posted lines up to today, in one grouped query, then
    added up to every view account above it (a walk over the accounts, never over lines)."""
    rows = (
        EntryLine.objects.filter(company=company, posted=True, date__lte=timezone.localdate())
        .values("account_id")
        .annotate(debit=MoneySum("debit"), credit=MoneySum("credit"))
        .order_by()
    )
    own = {row["account_id"]: (row["debit"] or ZERO) - (row["credit"] or ZERO) for row in rows}
    parents = dict(Account.objects.filter(company=company).values_list("pk", "parent_id"))
    totals: dict[int, Decimal] = dict.fromkeys(parents, ZERO)
    for account_id, balance in own.items():
        current = account_id
        seen = 0
        while current is not None and seen <= len(parents):
            totals[current] = totals.get(current, ZERO) + balance
            current = parents.get(current)
            seen += 1
    return totals, parents


def _depth(account_id: int, parents: dict[int, int | None]) -> int:
    depth, current = 0, parents.get(account_id)
    while current is not None and depth < len(parents):
        depth += 1
        current = parents.get(current)
    return depth


def _ledger_url() -> str | None:
    try:
        return reverse("accounting:general_ledger")
    except NoReverseMatch:  # the ledger report's page not installed
        return None


@page("accounting.view_account")
def account_list(request: HttpRequest) -> HttpResponse:
    queryset = Account.objects.filter(company=request.company).alias(code_length=Length("code"))
    listing = ACCOUNT_LIST.apply(request, queryset)
    totals, parents = balances_today(request.company)
    for account in listing.rows:
        account.balance = totals.get(account.pk, ZERO)
        account.depth = _depth(account.pk, parents)
        account.indent = f"{account.depth * 1.25:.2f}"
        account.label = services.account_name(account)
    context = {
        "listing": listing,
        "title": _("Chart of accounts"),
        "search_hint": _("Code or name"),
        "results_template": "accounting/account_results.html",
        "ledger_url": _ledger_url(),
        "today": timezone.localdate(),
    }
    template = (
        context["results_template"]
        if request.htmx and not request.htmx.boosted
        else "accounting/account_list.html"
    )
    return render(request, template, context)


class AccountCreateForm(TextOnly, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        help_text=gettext_lazy(
            "Digits only. It goes under the account whose code begins it (e.g. 43000001 under 4300) and "
            "takes its nature."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
    )
    name = forms.CharField(label=gettext_lazy("Name (Spanish)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=200, required=False)
    needs_party = forms.TypedChoiceField(
        label=gettext_lazy("Lines need a party"),
        choices=[
            ("", gettext_lazy("As its parent account")),
            ("yes", gettext_lazy("Yes (customers, suppliers, creditors)")),
            ("no", gettext_lazy("No")),
        ],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )


class AccountEditForm(TextOnly, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        help_text=gettext_lazy("Changes only while the account has no entry lines and no sub-accounts."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(label=gettext_lazy("Name (Spanish)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=200, required=False)
    needs_party = forms.BooleanField(label=gettext_lazy("Lines need a party"), required=False)
    active = forms.BooleanField(
        label=gettext_lazy("Active"),
        required=False,
        help_text=gettext_lazy("An account with a balance, or a role's default account, stays active."),
    )


def _render_form(request, form, *, title, subtitle="", account=None) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "subtitle": subtitle,
        "account": account,
        "cancel_url": reverse("accounting:account_list"),
    }
    return render(request, "accounting/account_form.html", context, status=422 if form.errors else 200)


def _domain_failure(form, error: DomainError) -> None:
    if isinstance(error, ValidationFailed):
        apply_failure(form, error)
    else:
        form.add_error(None, error.detail)


def _tell_moved(request: HttpRequest, account: Account) -> None:
    """Say so when the new account took over its parent's roles or parties (the parent became a view)."""
    roles = getattr(account, "moved_roles", [])
    parties = getattr(account, "moved_parties", 0)
    if roles:
        messages.warning(
            request,
            _(
                "%(parent)s now groups sub-accounts: %(account)s took its place as the default account for "
                "%(roles)s. Check the default accounts."
            )
            % {
                "parent": account.parent.code,
                "account": account.code,
                "roles": ", ".join(str(services.ROLE_LABELS.get(role, role)) for role in roles),
            },
        )
    if parties:
        messages.warning(
            request,
            ngettext(
                "%(parent)s now groups sub-accounts: %(account)s took its place as the account of %(count)s party.",
                "%(parent)s now groups sub-accounts: %(account)s took its place as the account of %(count)s parties.",
                parties,
            )
            % {"parent": account.parent.code, "account": account.code, "count": parties},
        )


@page("accounting.add_account")
def account_create(request: HttpRequest) -> HttpResponse:
    initial = {"code": request.GET.get("under", "")[:16]} if request.GET.get("under", "").isdigit() else {}
    form = AccountCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_create(company=request.company, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _domain_failure(form, error)
        else:
            messages.success(request, _("Account %(account)s added.") % {"account": account})
            _tell_moved(request, account)
            return redirect(f"{reverse('accounting:account_list')}?q={account.code}")
    return _render_form(request, form, title=_("New account"))


@page("accounting.change_account")
def account_edit(request: HttpRequest, account_id: int) -> HttpResponse:
    account = get_object_or_404(Account, company=request.company, pk=account_id)
    form = AccountEditForm(
        request.POST or None,
        initial={
            "code": account.code,
            "name": account.name,
            "name_en": account.name_en,
            "needs_party": account.needs_party,
            "active": account.active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(
                company=request.company, by=request.user, account_id=account.pk, **form.cleaned_data
            )
        except DomainError as error:
            _domain_failure(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(f"{reverse('accounting:account_list')}?q={form.cleaned_data['code']}")
    subtitle = account.get_nature_display()
    if account.is_view:
        subtitle = _("%(nature)s · view account") % {"nature": subtitle}
    return _render_form(
        request,
        form,
        title=_("Edit account %(code)s") % {"code": account.code},
        subtitle=subtitle,
        account=account,
    )


@page("accounting.view_journal")
def journal_list(request: HttpRequest) -> HttpResponse:
    journals = list(Journal.objects.filter(company=request.company).order_by("code"))
    english = (request.LANGUAGE_CODE or "").startswith("en")
    for journal in journals:
        journal.label = journal.name_en if english and journal.name_en else journal.name
    return render(request, "accounting/journal_list.html", {"journals": journals, "title": _("Journals")})


@page("accounting.view_account")
def default_accounts_page(request: HttpRequest) -> HttpResponse:
    """The role → account table; an accountant changes the accounts in one form."""
    can_change = request.user.has_perm("accounting.change_account")
    current = default_accounts(request.company)
    choices = list(
        Account.objects.filter(company=request.company, is_view=False, active=True).order_by("code")
    )
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied(_("Your role does not allow this."))
        changed = 0
        for role in ledger.DEFAULT_ROLES:
            value = request.POST.get(role, "")
            if not value:
                continue
            account_id = int(value) if value.isdigit() and 0 < int(value) <= MAX_ID else 0
            if role in current and current[role].pk == account_id:
                continue
            try:
                services.default_set(
                    company=request.company, by=request.user, role=role, account_id=account_id
                )
            except DomainError as error:
                errors[role] = error.detail
            else:
                changed += 1
        if not errors:
            if changed:
                messages.success(request, _("Default accounts saved."))
            return redirect("accounting:default_accounts")
        current = default_accounts(request.company)
    for account in choices:
        account.label = services.account_name(account)
    rows = []
    for role in ledger.DEFAULT_ROLES:
        account = current.get(role)
        if account is not None:
            account.label = services.account_name(account)
        rows.append(
            {
                "role": role,
                "label": services.ROLE_LABELS.get(role, role),
                "account": account,
                "error": errors.get(role, ""),
                "chosen": int(request.POST.get(role) or 0)
                if errors and (request.POST.get(role) or "").isdigit()
                else (account.pk if account else None),
            }
        )
    context = {
        "rows": rows, "choices": choices, "can_change": can_change, "errors": errors, "title": _("Default accounts"),
    }  # fmt: skip
    return render(request, "accounting/defaults.html", context, status=422 if errors else 200)


# The panel on a party's page (AccountingConfig.party_panel) and its form.


def party_accounting(request: HttpRequest, party: Party) -> dict:
    """The party's receivable and payable accounts (its own, else the company's), their balances for the
    party (one grouped query), and the accounts it may choose; its collection terms (payment_terms)."""
    own = (
        PartyAccounting.objects.filter(party=party)
        .select_related("receivable", "payable", "customer_term", "supplier_term")
        .first()
    )
    defaults = default_accounts(request.company)
    receivable = (own.receivable if own else None) or defaults.get("receivable")
    payable = (own.payable if own else None) or defaults.get("payable")
    ids = [account.pk for account in (receivable, payable) if account is not None]
    sums = {
        row["account_id"]: (row["debit"] or ZERO) - (row["credit"] or ZERO)
        for row in EntryLine.objects.filter(
            company=request.company, posted=True, party=party, account_id__in=ids
        )
        .values("account_id")
        .annotate(debit=MoneySum("debit"), credit=MoneySum("credit"))
        .order_by()
    }
    rows = []
    for kind, label, account, is_own in (
        ("receivable", _("Receivable"), receivable, bool(own and own.receivable_id)),
        ("payable", _("Payable"), payable, bool(own and own.payable_id)),
    ):
        rows.append(
            {
                "kind": kind,
                "label": label,
                "account": account,
                "name": services.account_name(account) if account else "",
                "own": is_own,
                "balance": sums.get(account.pk, ZERO) if account else ZERO,
            }
        )
    choices = []
    if request.user.has_perm("accounting.change_account"):
        choices = list(
            Account.objects.filter(
                company=request.company, is_view=False, active=True, needs_party=True
            ).order_by("code")
        )
        for account in choices:
            account.label = services.account_name(account)
    return {
        "party": party,
        "rows": rows,
        "choices": choices,
        "receivable_id": own.receivable_id if own else None,
        "payable_id": own.payable_id if own else None,
        "ledger_url": _ledger_url(),
        **profile_panel(request, party, own),
    }


def _optional_id(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_ID else 0


@require_POST
@page("accounting.change_account")
def party_accounts_set(request: HttpRequest, party_id: int) -> HttpResponse:
    party = get_object_or_404(Party, company=request.company, pk=party_id)
    try:
        services.party_accounting_set(
            company=request.company,
            by=request.user,
            party_id=party.pk,
            receivable_id=_optional_id(request.POST.get("receivable")),
            payable_id=_optional_id(request.POST.get("payable")),
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Accounts of %(party)s saved.") % {"party": party.name})
    return redirect("parties:party_view", party_id=party.pk)


urlpatterns = [
    path("accounts/", account_list, name="account_list"),
    path("accounts/new/", account_create, name="account_create"),
    path("accounts/<int:account_id>/edit/", account_edit, name="account_edit"),
    path("journals/", journal_list, name="journal_list"),
    path("default-accounts/", default_accounts_page, name="default_accounts"),
    path("parties/<int:party_id>/accounts/", party_accounts_set, name="party_accounts_set"),
]
