"""Administrators' pages for accounts: staff roles (trainer, personnel officer, reviewer, administrator), the units
each personnel officer manages, hand-overs, and the history of every change. Thin: the writes are
`services.scopes`', which check the rules and record each change."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from . import roles, selectors, services
from .forms import HandOverForm, RoleForm, ScopeUnitsForm, UserFilterForm
from .guards import admins_only
from .models import User

ADMINS_ONLY = gettext_lazy("Only administrators manage accounts and roles.")
UNIT_SEARCH = "tim-don-vi"


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
@admins_only(ADMINS_ONLY)
def user_list(request):
    form = UserFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else {}
    page = Paginator(selectors.user_list(**filters), 50).get_page(request.GET.get("page"))
    for account in page:
        groups = {g.name for g in account.groups.all()}
        account.role_labels = [roles.label(g) for g in roles.GROUP_LABELS if g in groups]
        if account.is_superuser and roles.ADMINISTRATOR not in groups:
            account.role_labels.append(roles.label(roles.ADMINISTRATOR))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "org/user_list.html", {"form": form, "page": page, "query": query.urlencode()})


def _user_page(request, account: User, *, scope_form=None, hand_over_form=None, status=200):
    units_q = request.GET.get(UNIT_SEARCH, "").strip()
    groups = set(account.groups.values_list("name", flat=True))
    role_rows = [{"key": key, "group": group, "label": roles.label(group), "held": group in groups}
                 for key, group in roles.KEYS.items()]
    grants = list(selectors.scope_grants_of(account))
    return render(request, "org/user_detail.html", {
        "account": account,
        "official": selectors.official_of(account),
        "role_rows": role_rows,
        "is_personnel": roles.PERSONNEL in groups,
        "grants": grants,
        "scope_form": scope_form or ScopeUnitsForm(units_q=units_q, user=request.user),
        "units_q": units_q,
        "unit_search": UNIT_SEARCH,
        "hand_over_form": hand_over_form or (HandOverForm(from_user=account) if grants else None),
        "history": selectors.role_changes_of(account),
    }, status=status)


def _account(pk: int) -> User:
    return get_object_or_404(User.objects.select_related("scope_unit"), pk=pk)


@login_required
@admins_only(ADMINS_ONLY)
def user_detail(request, pk: int):
    return _user_page(request, _account(pk))


@login_required
@require_POST
@admins_only(ADMINS_ONLY)
def role_grant(request, pk: int):
    """Grant a role. The personnel officer role comes with units; for someone who already has it, the units are
    added to their scope."""
    account = _account(pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("org:user_admin_detail", pk=account.pk)
    group, note = form.group, form.cleaned_data["note"]
    scope_form = None
    try:
        if group == roles.PERSONNEL:
            scope_form = ScopeUnitsForm(request.POST)
            if not scope_form.is_valid():
                return _user_page(request, account, scope_form=scope_form, status=400)
            units = list(scope_form.cleaned_data["units"])
            note = scope_form.cleaned_data["note"] or note
            if roles.PERSONNEL in roles.group_names(account):
                added = services.scope_grant(user=account, units=units, by=request.user, note=note)
                messages.success(request, _("Units added to the scope: %(units)s.")
                                 % {"units": ", ".join(u.name for u in added) or "—"})
            else:
                services.role_grant(user=account, role=group, units=units, by=request.user, note=note)
                messages.success(request, _("%(name)s is now a personnel officer for %(units)s.")
                                 % {"name": _name(account), "units": ", ".join(u.name for u in units)})
        else:
            services.role_grant(user=account, role=group, by=request.user, note=note)
            messages.success(request, _("The role %(role)s was granted.") % {"role": roles.label(group)})
    except ValidationError as exc:
        if scope_form is not None:
            scope_form.add_error(None, exc)
            return _user_page(request, account, scope_form=scope_form, status=400)
        messages.error(request, _error_text(exc))
    return redirect("org:user_admin_detail", pk=account.pk)


@login_required
@require_POST
@admins_only(ADMINS_ONLY)
def role_revoke(request, pk: int):
    account = _account(pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("org:user_admin_detail", pk=account.pk)
    try:
        services.role_revoke(user=account, role=form.group, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The role %(role)s was revoked.") % {"role": roles.label(form.group)})
    return redirect("org:user_admin_detail", pk=account.pk)


@login_required
@require_POST
@admins_only(ADMINS_ONLY)
def scope_remove(request, pk: int, grant_pk: int):
    account = _account(pk)
    grant = get_object_or_404(selectors.scope_grants_of(account), pk=grant_pk)
    try:
        services.scope_revoke(user=account, unit=grant.unit, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("%(unit)s was removed from the scope.") % {"unit": grant.unit.name})
    return redirect("org:user_admin_detail", pk=account.pk)


@login_required
@require_POST
@admins_only(ADMINS_ONLY)
def scope_hand_over(request, pk: int):
    account = _account(pk)
    form = HandOverForm(request.POST, from_user=account)
    if form.is_valid():
        to_user = form.cleaned_data["to_user"]
        try:
            moved = services.scope_hand_over(from_user=account, to_user=to_user, by=request.user,
                                             units=form.units_chosen(), note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(units)s handed over to %(name)s.")
                             % {"units": ", ".join(u.name for u in moved), "name": _name(to_user)})
            return redirect("org:user_admin_detail", pk=to_user.pk)
    return _user_page(request, account, hand_over_form=form, status=400)


def _name(user: User) -> str:
    return user.get_full_name() or user.username
