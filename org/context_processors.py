from . import roles
from .selectors import official_of


def current_official(request):
    """The signed-in person's roster record and roles, for the header of every page."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    official = official_of(user)
    keys = roles.role_keys(user)
    return {
        "current_official": official,
        "current_roles": [roles.LABELS[k] for k in keys],
        "is_manager": "personnel" in keys or "admin" in keys,
        "is_admin_role": "admin" in keys,
        "can_use_cms": roles.is_trainer(user) or roles.is_admin(user) or roles.REVIEWER in roles.group_names(user),
        "can_use_bank": roles.is_trainer_or_admin(user),
    }
