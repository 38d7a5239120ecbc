"""Page access: signed in, working in a company, and holding the role's permissions."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from nexo.core.errors import NotFound


def page(*perms: str) -> Callable:
    """Decorate a page view: sign-in required, a company to work in, and every permission named."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.company is None:
                raise PermissionDenied(_("Your user does not belong to any company yet."))
            if not request.user.has_perms(perms):
                raise PermissionDenied(_("Your role does not allow this."))
            try:
                return view(request, *args, **kwargs)
            except NotFound as error:
                # A service found no such record of this company (gone, or never ours): the page is a 404.
                raise Http404(error.detail) from error

        return wrapper

    return decorator
