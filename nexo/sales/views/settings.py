"""The sales settings page, for managers: the quotation defaults, whether a quotation under its minimum
margin waits for a manager's approval, whether delivery notes print prices, and the e-mail that sends a
quotation, per language."""

from django.conf import settings as django_settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nexo.accounting.services.payment_terms import default_term
from nexo.core.errors import ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.permissions import page
from nexo.sales import services
from nexo.sales.forms import EmailTemplateForm, SalesSettingsForm
from nexo.sales.services.emails import PLACEHOLDERS
from nexo.sales.services.terms import term_name

LANGUAGE_NAMES = dict(django_settings.LANGUAGES)


def _template_forms(request: HttpRequest, bound: tuple[str, EmailTemplateForm] | None = None) -> list[dict]:
    shown = []
    for language, name in LANGUAGE_NAMES.items():
        if bound and bound[0] == language:
            form = bound[1]
        else:
            subject, body = services.template_for(request.company, language)
            form = EmailTemplateForm(initial={"subject": subject, "body": body}, prefix=f"email-{language}")
        shown.append({"language": language, "name": name, "form": form})
    return shown


def _render(request: HttpRequest, form: SalesSettingsForm, templates: list[dict], status: int = 200):
    context = {
        "form": form,
        "templates": templates,
        "placeholders": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
        "title": _("Sales settings"),
        "default_term": term_name(default_term(request.company)) or "—",
    }
    return render(request, "sales/settings.html", context, status=status)


def _settings_form(request: HttpRequest, data=None) -> SalesSettingsForm:
    current = services.settings_of(request.company)
    initial = {
        "quotation_validity_days": current.quotation_validity_days,
        "margin_approval": current.margin_approval,
        "delivery_note_valued": current.delivery_note_valued,
    }
    return SalesSettingsForm(data, initial=initial)


@page("sales.change_salessettings")
def sales_settings(request: HttpRequest) -> HttpResponse:
    form = _settings_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sales_settings_update(company=request.company, by=request.user, **form.cleaned_data)
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("sales:settings")
    return _render(request, form, _template_forms(request), status=422 if form.errors else 200)


@page("sales.change_salessettings")
def email_template(request: HttpRequest, language: str) -> HttpResponse:
    if language not in LANGUAGE_NAMES:
        raise Http404(_("No such language."))
    if request.method != "POST":
        return redirect("sales:settings")
    form = EmailTemplateForm(request.POST, prefix=f"email-{language}")
    if form.is_valid():
        try:
            services.quotation_email_template_save(
                company=request.company, by=request.user, language=language, **form.cleaned_data
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(
                request, _("The e-mail in %(language)s is saved.") % {"language": LANGUAGE_NAMES[language]}
            )
            return redirect("sales:settings")
    return _render(request, _settings_form(request), _template_forms(request, (language, form)), status=422)
