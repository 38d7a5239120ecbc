"""Page access: signed in, working in a company, and holding the role's permissions."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


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
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
