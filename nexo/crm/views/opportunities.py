"""Being written."""

from django.http import Http404


def opportunity_list(request, **kwargs):
    raise Http404


def opportunity_create(request, **kwargs):
    raise Http404


def opportunity_view(request, **kwargs):
    raise Http404


def opportunity_edit(request, **kwargs):
    raise Http404


def opportunity_move(request, **kwargs):
    raise Http404


def opportunity_win(request, **kwargs):
    raise Http404


def opportunity_lose(request, **kwargs):
    raise Http404


def opportunity_reopen(request, **kwargs):
    raise Http404
