"""Page: the company's VERI*FACTU settings — the switches, the AEAT environment, the software identification
its records carry — and its certificate (uploaded, kept encrypted, removable)."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.compliance.models import ComplianceSettings
from nexo.compliance.services.settings import (
    certificate_remove,
    certificate_store,
    compliance_settings,
    settings_update,
)
from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import TextOnly, apply_failure
from nexo.core.permissions import page


class SettingsForm(TextOnly, forms.Form):
    verifactu_enabled = forms.BooleanField(
        label=gettext_lazy("Keep VERI*FACTU records"), required=False,
        help_text=gettext_lazy("Every posted invoice gets a chained, hashed record and a QR code on its PDF."),
    )  # fmt: skip
    submission_enabled = forms.BooleanField(
        label=gettext_lazy("Send the records to the AEAT"), required=False,
        help_text=gettext_lazy("Needs the company's certificate."),
    )  # fmt: skip
    environment = forms.ChoiceField(
        label=gettext_lazy("AEAT environment"), choices=ComplianceSettings.Environment.choices
    )
    software_name = forms.CharField(label=gettext_lazy("Software name"), max_length=30)
    software_id = forms.CharField(label=gettext_lazy("Software id"), max_length=2)
    software_version = forms.CharField(label=gettext_lazy("Software version"), max_length=50)
    installation_number = forms.CharField(label=gettext_lazy("Installation number"), max_length=100)
    producer_name = forms.CharField(label=gettext_lazy("Software producer"), max_length=120)
    producer_tax_id = forms.CharField(
        label=gettext_lazy("Producer tax id"), max_length=20, required=False,
        help_text=gettext_lazy("Empty: the company itself is named as producer."),
    )  # fmt: skip


class CertificateForm(forms.Form):
    certificate = forms.FileField(label=gettext_lazy("Certificate (.p12 or .pfx)"))
    password = forms.CharField(
        label=gettext_lazy("Password"), required=False, max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )  # fmt: skip


@page("compliance.change_compliancesettings")
def settings_page(request: HttpRequest) -> HttpResponse:
    """Three forms on one page, told apart by their hidden `form` field: the settings, the certificate's
    upload and its removal. Each posts to its own service; a refusal shows on the form that was sent."""
    config = compliance_settings(request.company)
    initial = {name: getattr(config, name) for name in SettingsForm.base_fields}
    form, certificate_form = SettingsForm(initial=initial), CertificateForm()
    status = 200
    if request.method == "POST":
        sent = request.POST.get("form")
        if sent == "remove-certificate":
            saved = _saved(form, lambda _data: certificate_remove(company=request.company, by=request.user))
            done = _("Certificate removed.")
        elif sent == "certificate":
            certificate_form = CertificateForm(request.POST, request.FILES)
            saved = _saved(certificate_form, lambda data: _store_certificate(request, data))
            done = _("Certificate saved, encrypted.")
        else:
            form = SettingsForm(request.POST, initial=initial)
            saved = _saved(
                form, lambda data: settings_update(company=request.company, by=request.user, **data)
            )
            done = _("VERI*FACTU settings saved.")
        if saved:
            messages.success(request, done)
            return redirect("compliance:settings")
        status = 422
    context = {
        "title": _("VERI*FACTU settings"),
        "form": form,
        "certificate_form": certificate_form,
        "config": config,
    }
    return render(request, "compliance/settings.html", context, status=status)


def _store_certificate(request: HttpRequest, data: dict) -> None:
    certificate_store(
        company=request.company, by=request.user, data=data["certificate"].read(), password=data["password"]
    )


def _saved(form: forms.Form, save: Callable[[dict], object]) -> bool:
    """Whether the form was valid and its service took it; the service's refusal becomes the form's error.
    An unbound form (the removal sends no fields) counts as valid."""
    if form.is_bound and not form.is_valid():
        return False
    try:
        save(form.cleaned_data if form.is_bound else {})
    except ValidationFailed as failure:
        apply_failure(form, failure)
        return False
    except DomainError as error:
        form.add_error(None, error.detail)
        return False
    return True


urlpatterns = [path("settings/", settings_page, name="settings")]
