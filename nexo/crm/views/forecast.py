"""Being written."""

from django.http import Http404


def forecast_page(request, **kwargs):
    raise Http404
