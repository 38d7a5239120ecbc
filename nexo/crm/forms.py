from django import forms
from django.utils.translation import gettext_lazy as _

from nexo.core.formatting import country_choices
from nexo.core.forms import TextOnly
from nexo.core.models import User
from nexo.crm.models import Activity, Opportunity
from nexo.crm.pickers import OpportunityPicker
from nexo.parties.models import Party
from nexo.parties.pickers import PartyPicker, parties_in_role


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return user.get_full_name() or user.username


class OpportunityForm(TextOnly, forms.ModelForm):
    """The details of an opportunity; the stage changes through the board and the actions."""

    class Meta:
        model = Opportunity
        fields = ["party", "title", "owner", "amount", "probability", "expected_close", "source", "notes"]
        widgets = {"expected_close": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"owner": UserChoiceField, "party": PartyPicker}

    def __init__(self, *args, company, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties_in_role(company)
        self.fields["owner"].queryset = owners
        self.fields["probability"].required = False
        self.fields["probability"].help_text = _("Leave empty to use the stage's default.")
        for name in ("amount", "probability"):
            self.fields[name].widget.attrs.update({"min": 0, "step": "0.01"})
        self.fields["probability"].widget.attrs["max"] = 100

    def service_fields(self) -> dict:
        """The cleaned data as the service takes it: ids for records."""
        data = dict(self.cleaned_data)
        data["party_id"] = data.pop("party").pk
        data["owner_id"] = data.pop("owner").pk
        return data


class LoseForm(TextOnly, forms.Form):
    reason = forms.CharField(label=_("Why was it lost?"), max_length=500)


class LeadForm(TextOnly, forms.Form):
    name = forms.CharField(
        label=_("Company or person"), max_length=200, widget=forms.TextInput(attrs={"autofocus": True})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Party.Kind.choices, initial=Party.Kind.ORGANISATION)
    tax_id = forms.CharField(label=_("Tax id"), max_length=40, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    need = forms.CharField(
        label=_("What do they need?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=Opportunity.Source.choices, initial=Opportunity.Source.WEB
    )
    amount = forms.DecimalField(
        label=_("Expected amount"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    expected_close = forms.DateField(label=_("Expected close date"), required=False, widget=DateInput())
    # The billing address: optional as a whole, the service checks it is complete once any part is given.
    street = forms.CharField(label=_("Street"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=16, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    province = forms.CharField(label=_("Province"), max_length=100, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices, initial="ES", required=False)

    ADDRESS_FIELDS = ("street", "postal_code", "city", "province", "country")

    def service_fields(self) -> dict:
        """The cleaned data as the service takes it: the address's parts under `address`."""
        data = dict(getattr(self, "cleaned_data", {}))  # an invalid form: only its valid fields
        data["address"] = {name: data.pop(name, "") for name in self.ADDRESS_FIELDS}
        return data


class ActivityForm(TextOnly, forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["kind", "subject", "due_at", "owner", "opportunity", "party", "outcome"]
        widgets = {"due_at": DateTimeInput(), "outcome": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"owner": UserChoiceField, "opportunity": OpportunityPicker, "party": PartyPicker}

    def __init__(self, *args, company, owners, opportunities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["opportunity"].queryset = opportunities.select_related("party")
        # The search offers the active parties; one made inactive since stays valid on its activities.
        self.fields["party"].queryset = Party.objects.filter(company=company).order_by("name")
        self.fields["due_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("owner", "opportunity", "party"):
            record = data.pop(name)
            data[f"{name}_id"] = record.pk if record else None
        return data


class ActivityDoneForm(TextOnly, forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=2000, required=False)
