"""View guards for the platform's people, used by every app's pages and API: a page for trainers, a page that needs
the signed-in user's record on the roster. Generic guards that know no role are in common.views."""
from django.core.exceptions import PermissionDenied
from ninja.errors import HttpError

from common.views import require_user

from . import roles
from .models import Official
from .selectors import official_of


def trainers_only(message):
    """A view decorator: trainers and administrators pass, anyone else gets 403 with `message` (lazy text). Place
    it below @login_required and the method checks, as common.views.require_user says."""
    return require_user(roles.is_trainer_or_admin, message)


def official_or_403(request, message: str, *, api: bool = False) -> Official:
    """The signed-in user's record on the roster. An account that has none (a trainer, an administrator) is refused
    with `message`: a 403 page, or for the API (`api`) a 403 JSON error."""
    official = official_of(request.user)
    if official is None:
        raise HttpError(403, message) if api else PermissionDenied(message)
    return official


def admins_only(message):
    """A view decorator: administrators pass, anyone else (personnel officers too) gets 403 with `message`."""
    return require_user(roles.is_admin, message)
