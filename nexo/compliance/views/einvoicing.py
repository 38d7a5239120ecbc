"""A customer's DIR3 codes for Facturae: the panel on the party's page (ComplianceConfig.party_panel) and the
page that changes them through `party_einvoicing_save`, the service the API calls too."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.compliance.models import PartyEInvoicing
from nexo.compliance.services.einvoicing import (
    CODE_FIELDS,
    DIR3_MAX_LENGTH,
    missing_centres,
    party_einvoicing_save,
)
from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import TextOnly, apply_failure
from nexo.core.permissions import page
from nexo.parties.models import Party

READ_PERMISSION = "invoicing.view_invoice"
CHANGE_PERMISSION = "invoicing.change_invoice"
CODE_HELP = gettext_lazy("DIR3 code, e.g. L01462508.")


def _code_field(label) -> forms.CharField:
    # The length the browser allows leaves room for spaces around the code; the service judges the code.
    return forms.CharField(
        label=label, required=False, max_length=DIR3_MAX_LENGTH + 10, help_text=CODE_HELP,
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip


class EInvoicingForm(TextOnly, forms.Form):
    accounting_office = _code_field(gettext_lazy("Accounting office (01)"))
    managing_body = _code_field(gettext_lazy("Managing body (02)"))
    processing_unit = _code_field(gettext_lazy("Processing unit (03)"))
    proposing_body = _code_field(gettext_lazy("Proposing body (04, optional)"))
    facturae_required = forms.BooleanField(
        label=gettext_lazy("Requires Facturae files (a public administration, through FACe)"), required=False,
        help_text=gettext_lazy("Its Facturae files are refused until the first three codes are given."),
    )  # fmt: skip


def party_panel(request: HttpRequest, party: Party) -> dict:
    """The party's codes for the panel: one query."""
    profile = PartyEInvoicing.objects.filter(party=party).first()
    codes = [
        (EInvoicingForm.base_fields[field].label, getattr(profile, field))
        for field in CODE_FIELDS
        if profile is not None and getattr(profile, field)
    ]
    return {
        "template": "compliance/_party_panel.html",
        "party": party,
        "codes": codes,
        "facturae_required": bool(profile and profile.facturae_required),
        "missing": missing_centres(profile) if profile is not None and profile.facturae_required else [],
        "can_change": request.user.has_perm(CHANGE_PERMISSION),
    }


@page(CHANGE_PERMISSION)
def party_einvoicing_edit(request: HttpRequest, party_id: int) -> HttpResponse:
    party = get_object_or_404(Party, company=request.company, pk=party_id)
    profile = PartyEInvoicing.objects.filter(party=party).first()
    initial = {field: getattr(profile, field) for field in EInvoicingForm.base_fields} if profile else {}
    form = EInvoicingForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                party_einvoicing_save(
                    company=request.company, by=request.user, party_id=party.pk, **form.cleaned_data
                )
            except ValidationFailed as failure:
                apply_failure(form, failure)
            except DomainError as error:
                form.add_error(None, error.detail)
            else:
                messages.success(request, _("DIR3 codes of %(party)s saved.") % {"party": party.name})
                return redirect("parties:party_view", party_id=party.pk)
        status = 422
    context = {"title": _("DIR3 codes for Facturae"), "party": party, "form": form}
    return render(request, "compliance/party_einvoicing.html", context, status=status)


urlpatterns = [
    path("parties/<id:party_id>/einvoicing/", party_einvoicing_edit, name="party_einvoicing"),
]
