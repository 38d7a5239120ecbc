"""Being written."""

from django.http import Http404


def stage_list(request, **kwargs):
    raise Http404


def stage_create(request, **kwargs):
    raise Http404


def stage_edit(request, **kwargs):
    raise Http404
