from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nexo.core import services
from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.formatting import sentence
from nexo.core.forms import LanguageForm, LoginForm, TokenForm, apply_failure
from nexo.core.middleware import SESSION_COMPANY_KEY
from nexo.core.panels import panels
from nexo.core.permissions import page
from nexo.core.tenancy import resolve_company
from nexo.core.validation import record_id


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _back(request: HttpRequest, fallback: str = "home") -> HttpResponse:
    target = request.POST.get("next") or request.headers.get("Referer") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@page()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"panels": panels("home_panel", request)})


@login_required
@require_POST
def company_switch(request: HttpRequest) -> HttpResponse:
    requested = request.POST.get("company", "")
    company = resolve_company(request.user, record_id(requested))
    if company is None or str(company.pk) != requested:
        messages.error(request, _("You do not work in that company."))
        return redirect("home")
    request.session[SESSION_COMPANY_KEY] = company.pk
    messages.success(request, sentence(_("Now working in %(company)s.") % {"company": company.name}))
    # Records of the previous company are not visible here: go home rather than back.
    return redirect("home")


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Signed-in users keep the choice on their profile; everyone gets the cookie."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown language."))
        return _back(request)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    response = _back(request)
    if language:
        response.set_cookie("django_language", language, samesite="Lax", max_age=365 * 24 * 3600)
    else:
        response.delete_cookie("django_language")
    return response


@page()
def profile(request: HttpRequest) -> HttpResponse:
    token_form = TokenForm()
    new_token = None
    if request.method == "POST":
        token_form = TokenForm(request.POST)
        if token_form.is_valid():
            try:
                _token, new_token = services.token_create(
                    user=request.user, name=token_form.cleaned_data["name"]
                )
                token_form = TokenForm()
            except ValidationFailed as failure:
                apply_failure(token_form, failure)
    context = {
        "language_form": LanguageForm(initial={"language": request.user.language}),
        "token_form": token_form,
        "new_token": new_token,
        "tokens": request.user.api_tokens.all(),
    }
    return render(request, "core/profile.html", context, status=422 if token_form.errors else 200)


@page()
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.token_revoke(user=request.user, token_id=token_id)
        messages.success(request, _("Token revoked."))
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("profile")
