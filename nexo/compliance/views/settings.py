"""Page: the company's VERI*FACTU settings — the switches, the AEAT environment, the software identification
its records carry — and its certificate (uploaded, kept encrypted, removable)."""

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
    config = compliance_settings(request.company)
    initial = {name: getattr(config, name) for name in SettingsForm.base_fields}
    form = (
        SettingsForm(request.POST or None, initial=initial)
        if request.POST.get("form") != "certificate"
        else SettingsForm(initial=initial)
    )
    certificate_form = CertificateForm(
        request.POST if request.POST.get("form") == "certificate" else None, request.FILES or None
    )
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("form") == "remove-certificate":
                certificate_remove(company=request.company, by=request.user)
                messages.success(request, _("Certificate removed."))
                return redirect("compliance:settings")
            if request.POST.get("form") == "certificate":
                if certificate_form.is_valid():
                    upload = certificate_form.cleaned_data["certificate"]
                    certificate_store(
                        company=request.company, by=request.user, data=upload.read(),
                        password=certificate_form.cleaned_data["password"],
                    )  # fmt: skip
                    messages.success(request, _("Certificate saved, encrypted."))
                    return redirect("compliance:settings")
            elif form.is_valid():
                settings_update(company=request.company, by=request.user, **form.cleaned_data)
                messages.success(request, _("VERI*FACTU settings saved."))
                return redirect("compliance:settings")
        except ValidationFailed as failure:
            apply_failure(certificate_form if request.POST.get("form") == "certificate" else form, failure)
        except DomainError as error:
            form.add_error(None, error.detail)
        status = 422
    context = {
        "title": _("VERI*FACTU settings"),
        "form": form,
        "certificate_form": certificate_form,
        "config": config,
    }
    return render(request, "compliance/settings.html", context, status=status)


urlpatterns = [path("settings/", settings_page, name="settings")]
