"""Parties: one record per organisation or person, shared by CRM, sales, purchasing and accounting."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from nexo.core.models import CompanyOwned


class Party(CompanyOwned):
    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        PERSON = "person", _("Person")

    class Status(models.TextChoices):
        LEAD = "lead", _("Lead")
        CUSTOMER = "customer", _("Customer")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ORGANISATION)
    name = models.CharField(_("name"), max_length=200)
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, default="ES")
    tax_id = models.CharField(_("tax id"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=[("es", _("Spanish")), ("en", _("English"))], default="es"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.LEAD)
    is_supplier = models.BooleanField(_("supplier"), default=False)
    # The party's tax position as a customer (invoicing.tax.tax_position): recargo de equivalencia (a retailer
    # in that regime), whether it withholds IRPF on professional services, and whether its EU VAT number was
    # checked valid (VIES), which makes supplies to it intra-Community.
    subject_to_recargo = models.BooleanField(_("subject to equivalence surcharge"), default=False)
    withholds_irpf = models.BooleanField(_("withholds IRPF"), default=False)
    eu_vat_valid = models.BooleanField(_("EU VAT number checked valid"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    # Kept by the services: the default address's city, and the folded text the list searches.
    city = models.CharField(_("city"), max_length=100, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "tax_id"], condition=~models.Q(tax_id=""), name="party_tax_id_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "name", "id"], name="party_company_name_idx"),
            models.Index(fields=["company", "status", "name"], name="party_company_status_idx"),
            models.Index(fields=["company", "email"], name="party_company_email_idx"),
            models.Index(fields=["company", "city", "id"], name="party_company_city_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Address(CompanyOwned):
    class Kind(models.TextChoices):
        BILLING = "billing", _("Billing")
        SHIPPING = "shipping", _("Shipping")
        OTHER = "other", _("Other")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BILLING)
    street = models.CharField(_("street"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100)
    province = models.CharField(_("province"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="ES")
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "id"]
        indexes = [models.Index(fields=["company", "city"], name="address_company_city_idx")]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.street, self.postal_code, self.city) if part)


class Contact(CompanyOwned):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name", "id"]

    def __str__(self) -> str:
        return self.name
