"""Page: the global search (`search`, `?q=`), which the top bar's box sends its words to. The hits come from
`insight.services.search`."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from nexo.core.errors import ValidationFailed
from nexo.core.permissions import page
from nexo.insight.services import search as services


@page()
def search(request: HttpRequest) -> HttpResponse:
    """What the words find among what the user may see, grouped by kind; refused words are said on the page
    (422), never a crash."""
    typed = request.GET.get("q", "")
    try:
        results = services.search(request.company, request.user, typed)
    except ValidationFailed as failure:
        results, error = None, failure.detail
    else:
        error = ""
    context = {
        "title": _("Search"),
        "query": results.text if results else "",
        "results": results,
        "error": error,
        "min_length": services.MIN_LENGTH,
        "max_length": services.MAX_LENGTH,
    }
    return render(request, "insight/search.html", context, status=422 if error else 200)


urlpatterns = [
    path("search/", search, name="search"),
]
