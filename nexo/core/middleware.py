from django.utils import translation

from nexo.core.tenancy import resolve_company

SESSION_COMPANY_KEY = "nexo_company_id"


class UserLanguageMiddleware:
    """A signed-in user's language preference wins over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = getattr(request.user, "language", "") if request.user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class ActiveCompanyMiddleware:
    """Sets request.company from the session, falling back to the user's default company."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.company = None
        if request.user.is_authenticated:
            request.company = resolve_company(request.user, request.session.get(SESSION_COMPANY_KEY))
            # Write the session only when the company changed: a plain page view stays read-only.
            if request.company is not None and request.session.get(SESSION_COMPANY_KEY) != request.company.pk:
                request.session[SESSION_COMPANY_KEY] = request.company.pk
        return self.get_response(request)
