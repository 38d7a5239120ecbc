"""Being written."""

from django.http import Http404


def board(request, **kwargs):
    raise Http404


def board_move(request, **kwargs):
    raise Http404
