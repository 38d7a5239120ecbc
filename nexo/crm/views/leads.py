"""Being written."""

from django.http import Http404


def lead_capture(request, **kwargs):
    raise Http404
