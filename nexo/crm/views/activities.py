"""Being written."""

from django.http import Http404


def my_activities(request, **kwargs):
    raise Http404


def activity_create(request, **kwargs):
    raise Http404


def activity_edit(request, **kwargs):
    raise Http404


def activity_done(request, **kwargs):
    raise Http404
