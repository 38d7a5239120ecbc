"""Forms of the accounting pages: a manual journal entry (header and lines, with account and party pickers) and
the amounts a template of a common entry asks for."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from nexo.accounting.models import Account, Journal
from nexo.accounting.services.ledger import LineInput
from nexo.core.forms import TextOnly
from nexo.core.models import Company
from nexo.core.pickers import PickerField, TypedCode
from nexo.parties.pickers import PartyPicker, parties_in_role

MAX_AMOUNT = Decimal("1e13")


def account_name(account: Account) -> str:
    """The account's name in the user's language: the English name in English when there is one."""
    if account.name_en and (get_language() or "").startswith("en"):
        return account.name_en
    return account.name


def account_label(account: Account) -> str:
    return f"{account.code} · {account_name(account)}"


def journal_name(journal: Journal) -> str:
    if journal.name_en and (get_language() or "").startswith("en"):
        return journal.name_en
    return journal.name


def amount_of(text: str) -> Decimal | None:
    """An amount as typed, with either a decimal comma or point ("1.234,56", "1,234.56", "12,5")."""
    text = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal_mark == "," else ",", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".")
    if len(text) > 30:
        raise ValidationError(_("The amount is too large."), code="too_large")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Enter an amount, e.g. 1234,56."), code="invalid") from None
    if not value.is_finite():
        raise ValidationError(_("Enter an amount, e.g. 1234,56."), code="invalid")
    if value < 0:
        raise ValidationError(
            _("Amounts cannot be negative: put the amount on the other side."), code="negative"
        )
    if value >= MAX_AMOUNT:
        raise ValidationError(_("The amount is too large."), code="too_large")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(_("Amounts are in cents: at most two decimals."), code="cents")
    return value


class AmountField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "decimal", "autocomplete": "off", "class": "num", "maxlength": "30"}
        )

    def to_python(self, value):
        return amount_of(super().to_python(value))


class Preloaded:
    """A picker whose records the formset read at once for all its rows (`known`: id → record), so a form of
    many lines checks and labels them without a query per line. Records outside `known` are refused."""

    known: dict | None = None

    def _known(self, value):
        try:
            return self.known.get(int(str(value)))
        except (TypeError, ValueError):
            return None

    def to_python(self, value):
        if self.known is not None and not isinstance(value, TypedCode) and value not in self.empty_values:
            if hasattr(value, "_meta"):
                return value
            record = self._known(value)
            if record is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return record
        return super().to_python(value)

    def label_for(self, value) -> str:
        if self.known is not None and value not in self.empty_values and not hasattr(value, "_meta"):
            record = self._known(value)
            return self.label_from_instance(record) if record is not None else ""
        return super().label_for(value)


class AccountPicker(Preloaded, PickerField):
    """A posting account of the company, typed by code or name."""

    search_url = "accounting:entry_account_search"
    placeholder = _("Code or name")

    def code_match(self, code: str) -> Q:
        return Q(code=code)

    def label_from_instance(self, account: Account) -> str:
        return account_label(account)


class EntryPartyPicker(Preloaded, PartyPicker):
    pass


def posting_accounts(company: Company):
    return Account.objects.filter(company=company, is_view=False, active=True).order_by("code")


class EntryForm(TextOnly, forms.Form):
    journal = forms.ModelChoiceField(label=_("Journal"), queryset=Journal.objects.none(), empty_label=None)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["journal"].queryset = Journal.objects.filter(company=company).order_by("code")
        self.fields["journal"].label_from_instance = lambda journal: (
            f"{journal.code} · {journal_name(journal)}"
        )


class EntryLineForm(TextOnly, forms.Form):
    account = AccountPicker(Account.objects.none(), label=_("Account"), required=False)
    party = EntryPartyPicker(parties_in_role(None).none(), label=_("Party"), required=False)
    debit = AmountField(label=_("Debit"))
    credit = AmountField(label=_("Credit"))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = posting_accounts(company)
        self.fields["party"].queryset = parties_in_role(company)
        self.fields["account"].widget.attrs["data-entry-account"] = ""
        self.fields["debit"].widget.attrs["data-entry-debit"] = ""
        self.fields["credit"].widget.attrs["data-entry-credit"] = ""

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("account") or data.get("party") or data.get("debit") or data.get("credit"))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not self.is_blank() and data.get("account") is None:
            self.add_error("account", _("Choose an account."))
        if data.get("debit") and data.get("credit"):
            self.add_error("credit", _("A line is either a debit or a credit, not both."))
        return data

    def service_line(self) -> LineInput | None:
        if self.is_blank():
            return None
        data = self.cleaned_data
        party = data.get("party")
        return LineInput(
            account_id=data["account"].pk,
            debit=data.get("debit") or Decimal("0.00"),
            credit=data.get("credit") or Decimal("0.00"),
            party_id=party.pk if party else None,
            description=data.get("description") or "",
        )


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, company: Company, **kwargs):
        self.company = company
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"company": self.company}

    def preload(self) -> None:
        """Read every row's account and party in one query each (see `Preloaded`)."""
        accounts, parties = set(), set()
        if self.is_bound:
            count = min(self.total_form_count(), self.absolute_max)
            for index in range(count):
                for name, ids in (("account", accounts), ("party", parties)):
                    value = str(self.data.get(f"{self.prefix}-{index}-{name}") or "").strip()
                    if value.isdigit() and len(value) <= 18:
                        ids.add(int(value))
        else:
            for row in self.initial or []:
                for name, ids in (("account", accounts), ("party", parties)):
                    if isinstance(row.get(name), int):
                        ids.add(row[name])
        known_accounts = {
            account.pk: account for account in posting_accounts(self.company).filter(pk__in=accounts)
        }
        known_parties = {party.pk: party for party in parties_in_role(self.company).filter(pk__in=parties)}
        for form in self.forms:
            form.fields["account"].known = known_accounts
            form.fields["party"].known = known_parties

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
            use_required_attribute=False, company=self.company, renderer=self.renderer,
        )  # fmt: skip
        self.add_fields(form, None)
        return form


LineFormSet = forms.formset_factory(
    EntryLineForm, formset=BaseLineFormSet, extra=0, max_num=2000, absolute_max=2000, validate_max=True
)


class TemplateAmountsForm(forms.Form):
    """The amounts a template asks for, plus the entry's date."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, template, **kwargs):
        super().__init__(*args, **kwargs)
        for asked in template.amounts:
            self.fields[asked.name] = AmountField(label=asked.label, help_text=asked.help)
