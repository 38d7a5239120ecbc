import json
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation.trans_real import parse_accept_lang_header

from nexo.core.tenancy import resolve_company

SESSION_COMPANY_KEY = "nexo_company_id"
API_PREFIX = "/api/"
PROBLEM_CONTENT_TYPE = "application/problem+json"
# How long a client waits before trying again when the database is busy (SQLite's write lock).
RETRY_AFTER_SECONDS = 5


def database_busy(exc: BaseException | None) -> bool:
    """A database that is only busy for now: SQLite's "database is locked" after its timeout."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def _problem(status: int, title: str, detail: str) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "errors": []}
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)


def english_for(accept_language: str) -> str:
    """The English a browser reads: `en-us` (month first) when the first English it asks for is American,
    else `en` (day first, as written in Europe): 06/12/2026 is 6 December unless the reader is American."""
    for tag, _quality in parse_accept_lang_header(accept_language or ""):
        if tag == "en" or tag.startswith("en-"):
            return "en-us" if tag == "en-us" else "en"
    return "en"


class UserLanguageMiddleware:
    """A signed-in user's language preference wins over the browser's; English follows the browser's
    region for how dates are written."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = getattr(request.user, "language", "") if request.user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        if translation.get_language() == "en":
            english = english_for(request.headers.get("Accept-Language", ""))
            if english != "en":
                translation.activate(english)
                request.LANGUAGE_CODE = english
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


def _remember_exception(sender, request=None, **kwargs):
    # Django turns an exception into a 500 page deep inside the middleware chain; this keeps it on the
    # request so that BusyDatabaseMiddleware can tell a busy database from a real failure.
    if request is not None:
        request.nexo_exception = sys.exc_info()[1]


got_request_exception.connect(_remember_exception, dispatch_uid="nexo.core.middleware.remember_exception")


class BusyDatabaseMiddleware:
    """A busy database answers 503 with Retry-After, never 500: wherever the lock was met (a view, the
    session, another middleware). The first middleware, so that it sees every other's failure."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and database_busy(getattr(request, "nexo_exception", None)):
            response = self.busy(request)
        return response

    def process_exception(self, request, exception):
        return self.busy(request) if database_busy(exception) else None

    @staticmethod
    def busy(request) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            response = _problem(
                503, "Service unavailable", "The database is busy: try again in a few seconds."
            )
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class ApiProblemMiddleware:
    """Everything under /api/ answers problem+json, also an unknown path (404) or method (405), which
    Django and the API router answer in HTML or plain text."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code in (404, 405)
            and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            allowed = response.get("Allow")
            if response.status_code == 404:
                response = _problem(404, "Not found", "No such address in the API.")
            else:
                response = _problem(
                    405, "Method not allowed", f"This address accepts {allowed or 'other methods'}."
                )
            if allowed:
                response["Allow"] = allowed
        return response


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every answer (scripts from our own static files only), and pages of a
    signed-in user kept out of shared and back-button caches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "NEXO_CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
