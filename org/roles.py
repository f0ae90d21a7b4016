"""Roles are Django groups; these names are the contract between code, data and Wagtail permissions."""
from django.utils.translation import gettext_lazy as _

TRAINER = "Giảng viên"
PERSONNEL = "Cán bộ tổ chức"
ADMINISTRATOR = "Quản trị viên"
REVIEWER = "Người duyệt nội dung"

STAFF_GROUPS = (TRAINER, PERSONNEL, ADMINISTRATOR, REVIEWER)

LABELS = {
    "official": _("Official"),
    "trainer": _("Trainer"),
    "personnel": _("Personnel officer"),
    "admin": _("Administrator"),
}

# The staff roles an administrator grants and revokes on the users' pages, in the order they are shown.
GROUP_LABELS = {
    TRAINER: LABELS["trainer"],
    PERSONNEL: LABELS["personnel"],
    REVIEWER: _("Content reviewer"),
    ADMINISTRATOR: LABELS["admin"],
}


# Short keys for the staff roles, as they appear in addresses and forms.
KEYS = {"trainer": TRAINER, "personnel": PERSONNEL, "reviewer": REVIEWER, "admin": ADMINISTRATOR}


def label(group: str) -> str:
    """The label of a staff role (a group name), for pages and the audit history."""
    return str(GROUP_LABELS.get(group, group))


def group_names(user) -> set[str]:
    """The user's group names, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._group_names = cached
    return cached


def is_admin(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or ADMINISTRATOR in group_names(user)


def is_personnel(user) -> bool:
    return PERSONNEL in group_names(user) and getattr(user, "scope_unit_id", None) is not None


def is_trainer(user) -> bool:
    return TRAINER in group_names(user)


def is_trainer_or_admin(user) -> bool:
    """Who keeps the question bank, builds exams and grades them."""
    return is_trainer(user) or is_admin(user)


def is_staff_role(user) -> bool:
    """Staff roles must use MFA when REQUIRE_STAFF_MFA is on."""
    return is_admin(user) or bool(group_names(user) & set(STAFF_GROUPS)) or bool(getattr(user, "is_staff", False))


def role_keys(user) -> list[str]:
    keys = []
    if hasattr(user, "official"):
        keys.append("official")
    if is_trainer(user):
        keys.append("trainer")
    if is_personnel(user):
        keys.append("personnel")
    if is_admin(user):
        keys.append("admin")
    return keys
