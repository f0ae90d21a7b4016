from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from .signin import login_accounts

# Every signed-in request loads its user (django.contrib.auth.get_user): on the exam room's autosave that query was
# a fifth of the request (bench/README.md). The row is kept in the cache (Redis in production) and dropped whenever
# the user is saved or deleted: a new password, a deactivation or a new name take effect at once, whatever the
# lifetime. The lifetime is longer than a sitting's autosave interval (30 s) so that a candidate's saves find it:
# at 60 s, every other save of 10,000 candidates missed and cost a query and a cache write (1.6 ms against 0.6 ms of
# CPU, bench/README.md). Only a bulk QuerySet.update() of users bypasses the signal; the project makes none, and the
# lifetime bounds it. Django still checks the session's password hash against the cached row on every request.
USER_CACHE_SECONDS = 600


def _user_key(user_id) -> str:
    return f"auth:user:{user_id}"


class CachedUserMixin:
    def get_user(self, user_id):
        key = _user_key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                # The group names (roles) are kept with the row: every request asks them (the staff MFA rule, the
                # menus), and a shift's start is a candidate's first request in minutes (bench/README.md, issue 16).
                # A group joined, left, renamed or deleted drops the cached users it concerns (signals below).
                user._group_names = set(user.groups.values_list("name", flat=True))
                cache.set(key, user, USER_CACHE_SECONDS)
        return user if user is not None and self.user_can_authenticate(user) else None


class AccountBackend(CachedUserMixin, AuthenticationBackend):
    """Sign-in by username, e-mail or employee code, with the cached user.

    The identifier is first resolved to its account (`org.signin.login_accounts`, any case, spaces around ignored),
    then that account's password is checked: the hasher runs once whether or not the account exists (allauth hashes
    a throwaway password when nobody matched, as Django's ModelBackend does), so the time a sign-in takes does not
    tell a known employee code from an unknown one. Only an identifier naming two accounts (a username that is also
    someone else's code) costs a second run."""

    def _authenticate(self, request, **credentials):
        password = credentials.get("password") or ""
        tried = set()
        for login in (credentials.get("username"), credentials.get("email")):
            for user in login_accounts(login, request=request):
                if user.pk not in tried:
                    tried.add(user.pk)
                    if self._check_password(user, password):
                        return user
        return None


class EmployeeCodeBackend(CachedUserMixin, ModelBackend):
    """Authenticates nobody: `AccountBackend` resolves employee codes itself. Kept in AUTHENTICATION_BACKENDS because
    sessions opened through it name it, and Django signs out a session whose backend is no longer listed."""

    def authenticate(self, request, **credentials):
        return None


def _forget_user(sender, instance, **kwargs):
    cache.delete(_user_key(instance.pk))


post_save.connect(_forget_user, sender=get_user_model(), dispatch_uid="org.auth_backends.forget_user_saved")
post_delete.connect(_forget_user, sender=get_user_model(), dispatch_uid="org.auth_backends.forget_user_deleted")


def _forget_members(sender, instance, action, reverse, pk_set, **kwargs):
    """A user's groups changed (`user.groups.add(…)`, or from the group's side, `group.user_set.remove(…)`)."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        cache.delete(_user_key(instance.pk))
    else:
        _forget_group(Group, instance, user_ids=pk_set)


def _forget_group(sender, instance, user_ids=None, **kwargs):
    """A group renamed or deleted, or its members changed: each member's cached row (with the group names) goes."""
    if user_ids is None:
        user_ids = instance.user_set.values_list("pk", flat=True)
    cache.delete_many([_user_key(pk) for pk in user_ids])


m2m_changed.connect(_forget_members, sender=get_user_model().groups.through,
                    dispatch_uid="org.auth_backends.forget_members")
post_save.connect(_forget_group, sender=Group, dispatch_uid="org.auth_backends.forget_group_saved")
pre_delete.connect(_forget_group, sender=Group, dispatch_uid="org.auth_backends.forget_group_deleted")
