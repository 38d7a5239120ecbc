"""Pages: the company's bank accounts, and the form that adds or changes one (`bank_account_save`)."""

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.accounting.models import Account, Nature
from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import TextOnly, apply_failure
from nexo.core.listing import ListPage, Sort, words_in
from nexo.core.permissions import page
from nexo.payments.models import BankAccount
from nexo.payments.services.bank_accounts import bank_account_save

BANK_ACCOUNT_LIST = ListPage(
    search=words_in(("name", "iban", "bic")),
    sorts={"name": Sort(gettext_lazy("Name"), ("name",))},
    default_sort="name",
)


@page("payments.view_bankaccount")
def bank_account_list(request: HttpRequest) -> HttpResponse:
    queryset = BankAccount.objects.filter(company=request.company).select_related("account")
    context = {
        "listing": BANK_ACCOUNT_LIST.apply(request, queryset),
        "title": _("Bank accounts"),
        "search_hint": _("Name, IBAN or BIC"),
        "results_template": "payments/bank_account_results.html",
    }
    template = (
        context["results_template"]
        if request.htmx and not request.htmx.boosted
        else "payments/bank_account_list.html"
    )
    return render(request, template, context)


class BankAccountForm(TextOnly, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, widget=forms.TextInput(attrs={"autofocus": True})
    )
    iban = forms.CharField(
        label=gettext_lazy("IBAN"), max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )  # fmt: skip
    bic = forms.CharField(label=gettext_lazy("BIC"), max_length=20, required=False)
    account = forms.ModelChoiceField(
        label=gettext_lazy("Ledger account"), queryset=Account.objects.none(), required=False,
        empty_label=gettext_lazy("(a new 572 sub-account)"),
        help_text=gettext_lazy("Where its payments post. Leave it empty for a new sub-account of the bank account."),
    )  # fmt: skip
    creditor_id = forms.CharField(
        label=gettext_lazy("SEPA creditor identifier"), max_length=40, required=False,
        help_text=gettext_lazy("For direct debits: given by the bank, e.g. ES46000B46123451."),
    )  # fmt: skip
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, company, *args, current: BankAccount | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = Account.objects.filter(company=company, nature=Nature.ASSET, is_view=False, active=True)
        self.fields["account"].queryset = accounts.filter(
            Q(code__startswith="57") | Q(pk=getattr(current, "account_id", 0))
        )
        if current is not None:
            self.fields["account"].empty_label = gettext_lazy("(keep the current account)")


def _save(request: HttpRequest, form: BankAccountForm, current: BankAccount | None) -> BankAccount | None:
    data = form.cleaned_data
    try:
        return bank_account_save(
            company=request.company, by=request.user, bank_account_id=current.pk if current else None,
            name=data["name"], iban=data["iban"], bic=data["bic"],
            account_id=data["account"].pk if data["account"] else None, creditor_id=data["creditor_id"],
            active=data["active"],
        )  # fmt: skip
    except ValidationFailed as failure:
        apply_failure(form, failure)
    except DomainError as error:
        form.add_error(None, error.detail)
    return None


def _form_page(request, form, title, current=None) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "cancel_url": reverse("payments:bank_account_list"),
        "bank_account": current,
    }
    return render(request, "payments/bank_account_form.html", context, status=422 if form.errors else 200)


@page("payments.add_bankaccount")
def bank_account_create(request: HttpRequest) -> HttpResponse:
    form = BankAccountForm(request.company, request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, None)
        if saved is not None:
            messages.success(
                request,
                _("Bank account %(name)s added (account %(code)s).")
                % {"name": saved.name, "code": saved.account.code},
            )
            return redirect("payments:bank_account_list")
    return _form_page(request, form, _("New bank account"))


@page("payments.change_bankaccount")
def bank_account_edit(request: HttpRequest, bank_account_id: int) -> HttpResponse:
    current = get_object_or_404(BankAccount, company=request.company, pk=bank_account_id)
    initial = {
        "name": current.name, "iban": current.iban, "bic": current.bic, "creditor_id": current.creditor_id,
        "active": current.active,
    }  # fmt: skip
    form = BankAccountForm(request.company, request.POST or None, initial=initial, current=current)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, current)
        if saved is not None:
            messages.success(request, _("Bank account %(name)s saved.") % {"name": saved.name})
            return redirect("payments:bank_account_list")
    return _form_page(request, form, current.name, current)


urlpatterns = [
    path("bank-accounts/", bank_account_list, name="bank_account_list"),
    path("bank-accounts/new/", bank_account_create, name="bank_account_create"),
    path("bank-accounts/<id:bank_account_id>/", bank_account_edit, name="bank_account_edit"),
]
