from django import forms
from django.utils.translation import gettext_lazy as _

from nexo.core.formatting import country_choices
from nexo.parties.models import Address, Contact, Party


class CountryField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=country_choices, **kwargs)


class PartyForm(forms.ModelForm):
    country = CountryField(label=_("country"))
    website = forms.URLField(label=_("website"), max_length=200, required=False, assume_scheme="https")

    class Meta:
        model = Party
        fields = [
            "kind", "name", "trade_name", "country", "tax_id", "email", "phone", "website",
            "language", "status", "is_supplier", "is_active", "notes",
        ]  # fmt: skip
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "name": forms.TextInput(attrs={"autofocus": True}),
        }
        help_texts = {"tax_id": _("NIF, NIE or CIF for Spain; VAT number for other EU countries.")}


class FirstAddressForm(forms.ModelForm):
    """The address typed with a new party; optional as a whole."""

    country = CountryField(label=_("country"))
    prefix = "address"

    class Meta:
        model = Address
        fields = ["street", "postal_code", "city", "province", "country"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def clean(self):
        cleaned = super().clean()
        if any(cleaned.get(name) for name in ("street", "postal_code", "city", "province")):
            for name in ("street", "city"):
                if not cleaned.get(name):
                    self.add_error(name, _("This field is required."))
        return cleaned

    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("street"))


class AddressForm(forms.ModelForm):
    country = CountryField(label=_("country"))

    class Meta:
        model = Address
        fields = ["kind", "street", "postal_code", "city", "province", "country", "is_default"]


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "job_title", "email", "phone", "is_primary"]
