from django import forms
from django.utils.translation import gettext_lazy as _

from nexo.core.formatting import country_choices
from nexo.core.forms import TextOnly
from nexo.parties.models import Address, Contact, Party
from nexo.parties.rules import InvalidTaxId, normalize_tax_id
from nexo.parties.services import tax_id_message


class CountryField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=country_choices, label=_("Country"), **kwargs)


class PartyForm(TextOnly, forms.ModelForm):
    country = CountryField()
    website = forms.URLField(label=_("Website"), max_length=200, required=False, assume_scheme="https")

    class Meta:
        model = Party
        fields = [
            "kind", "name", "trade_name", "country", "tax_id", "email", "phone", "website",
            "language", "status", "is_supplier", "is_active", "notes",
            "subject_to_recargo", "withholds_irpf", "eu_vat_valid",
        ]  # fmt: skip
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "name": forms.TextInput(attrs={"autofocus": True}),
        }
        help_texts = {
            "tax_id": _("NIF, NIE or CIF for Spain; VAT number for other EU countries."),
            "subject_to_recargo": _(
                "A retailer in the equivalence surcharge regime: its invoices add the surcharge to the VAT on goods."
            ),
            "withholds_irpf": _(
                "It withholds IRPF from the professional services it is invoiced (items with a withholding rate)."
            ),
            "eu_vat_valid": _(
                "Its EU VAT number was checked valid (VIES): goods to it are an exempt intra-Community supply, services reverse-charged."
            ),
        }

    def clean(self):
        # Early feedback beside the other field errors; the service checks again, and for duplicates.
        cleaned = super().clean()
        try:
            normalize_tax_id(cleaned.get("tax_id", ""), cleaned.get("country", ""))
        except InvalidTaxId as error:
            self.add_error("tax_id", tax_id_message(error))
        return cleaned


class FirstAddressForm(TextOnly, forms.ModelForm):
    """The address typed with a new party; optional as a whole."""

    country = CountryField()
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


class AddressForm(TextOnly, forms.ModelForm):
    country = CountryField()

    class Meta:
        model = Address
        fields = ["kind", "street", "postal_code", "city", "province", "country", "is_default"]


class ContactForm(TextOnly, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "job_title", "email", "phone", "is_primary"]
