"""Pages for officials and personnel officers. Thin: scoping comes from `selectors.scope_for`."""
from allauth.account.views import LogoutView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from common.views import download

from . import parsing, roles, selectors, services, templates_xlsx
from .forms import ImportForm, OfficialFilterForm, OfficialTransferForm, UnitCreateForm, UnitReorganiseForm
from .models import ImportJob, ROLE_FLAGS, UnitVersion


def _manager_scope(request):
    scope = selectors.scope_for(request.user)
    if not scope.can_manage:
        raise PermissionDenied(_("This page is for personnel officers."))
    return scope


@login_required
def dashboard(request):
    official = selectors.official_of(request.user)
    ancestors = selectors.unit_ancestors(official.unit) if official else []
    scope_units = (list(selectors.scope_units_of(request.user).order_by("path")) if roles.is_personnel(request.user)
                   else [])
    return render(request, "org/dashboard.html", {"official": official, "ancestors": ancestors,
                                                  "scope_units": scope_units})


@login_required
def unit_list(request):
    scope = selectors.scope_for(request.user)
    q = request.GET.get("q", "").strip()
    units = list(selectors.unit_list(user=request.user, q=q))
    if not units and not q and not scope.all_units and not scope.unit_paths:
        raise PermissionDenied(_("You do not have access to the unit tree."))
    counts = selectors.unit_children_counts(units, scope=scope) if (scope.all_officials or scope.unit_paths) else {}
    base_depth = min((u.depth for u in units), default=0)
    rows = [{"unit": u, "indent": u.depth - base_depth, "count": counts.get(u.id)} for u in units]
    from . import roles

    return render(request, "org/unit_list.html", {"rows": rows, "q": q, "show_counts": bool(counts),
                                                  "can_reorganise": roles.is_admin(request.user)})


def _can_reorganise(scope, unit) -> bool:
    # Personnel officers reorganise inside their subtrees, not the units they are bound to.
    return scope.can_manage and scope.covers_unit(unit) and (scope.all_units or not scope.is_root_path(unit.path))


def _unit_page(request, unit, *, reorganise_form=None, create_form=None, status=200):
    scope = selectors.scope_for(request.user)
    officials = None
    if scope.covers_unit(unit):
        officials = Paginator(selectors.official_list(user=request.user, unit=unit, with_subunits=False), 50
                              ).get_page(request.GET.get("page"))
    today = {"effective_date": timezone.localdate(), "active_from": timezone.localdate()}
    if _can_reorganise(scope, unit) and unit.is_active:
        reorganise_form = reorganise_form or UnitReorganiseForm(unit=unit, scope=scope, initial=today)
    if scope.can_manage and scope.covers_unit(unit) and unit.is_active:
        create_form = create_form or UnitCreateForm(initial=today)
    return render(request, "org/unit_detail.html", {
        "unit": unit,
        "ancestors": selectors.unit_ancestors(unit),
        "children": selectors.units_visible_to(request.user).filter(parent=unit, active_to__isnull=True).order_by("code"),
        "officials": officials,
        "versions": UnitVersion.objects.filter(unit=unit).select_related("parent", "changed_by").order_by("-valid_from", "-id"),
        "successions": unit.successions.select_related("successor").order_by("successor__code") if unit.active_to else [],
        "reorganise_form": reorganise_form,
        "create_form": create_form,
    }, status=status)


def _visible_unit(request, code):
    return get_object_or_404(selectors.units_visible_to(request.user).select_related("parent", "merged_into"), code=code)


@login_required
def unit_detail(request, code: str):
    return _unit_page(request, _visible_unit(request, code))


@login_required
@require_POST
def unit_reorganise(request, code: str):
    unit = _visible_unit(request, code)
    scope = selectors.scope_for(request.user)
    if not _can_reorganise(scope, unit):
        raise PermissionDenied(_("You may not reorganise this unit."))
    form = UnitReorganiseForm(request.POST, unit=unit, scope=scope)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if d["action"] == "rename":
                services.unit_update(unit=unit, name=d["new_name"], on=d["effective_date"], by=request.user)
            elif d["action"] == "move":
                services.unit_update(unit=unit, parent=d["target"], on=d["effective_date"], by=request.user)
            else:
                # A merge moves people, audiences and scopes: it is a reorganisation, previewed before it is applied.
                from .services.reorganisation import reorganisation_create, reorganisation_merge_plan

                r = reorganisation_create(
                    title=_("Merge %(unit)s into %(target)s") % {"unit": unit.name, "target": d["target"].name},
                    effective_date=d["effective_date"], plan=reorganisation_merge_plan(source=unit, target=d["target"]),
                    by=request.user)
                messages.info(request, _("Check what the merge touches, then apply it."))
                return redirect("org:reorganisation_detail", pk=r.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The change was recorded; the earlier state is kept in the history."))
            return redirect("org:unit_detail", code=unit.code)
    return _unit_page(request, unit, reorganise_form=form, status=400)


@login_required
@require_POST
def unit_create_child(request, code: str):
    parent = _visible_unit(request, code)
    scope = selectors.scope_for(request.user)
    if not (scope.can_manage and scope.covers_unit(parent)):
        raise PermissionDenied(_("You may not add units here."))
    form = UnitCreateForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            child = services.unit_create(code=d["code"], name=d["name"], kind=d["kind"], parent=parent,
                                         active_from=d["active_from"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The unit was added."))
            return redirect("org:unit_detail", code=child.code)
    return _unit_page(request, parent, create_form=form, status=400)


@login_required
def official_list(request):
    _manager_scope(request)
    form = OfficialFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_valid() else {}
    page = Paginator(selectors.official_list(user=request.user, **filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "org/official_list.html", {"form": form, "page": page, "query": query.urlencode()})


def _official_page(request, official, *, transfer_form=None, status=200):
    scope = selectors.scope_for(request.user)
    if scope.can_manage and scope.covers_unit(official.unit):
        transfer_form = transfer_form or OfficialTransferForm(official=official, scope=scope,
                                                              initial={"effective_date": timezone.localdate()})
    return render(request, "org/official_detail.html", {
        "official": official,
        "ancestors": selectors.unit_ancestors(official.unit),
        "transfers": selectors.official_transfers(official),
        "roles": [label for field, label in ROLE_FLAGS if getattr(official, field)],
        "transfer_form": transfer_form,
    }, status=status)


@login_required
def official_detail(request, pk: int):
    return _official_page(request, get_object_or_404(selectors.officials_visible_to(request.user), pk=pk))


@login_required
@require_POST
def official_transfer(request, pk: int):
    official = get_object_or_404(selectors.officials_visible_to(request.user), pk=pk)
    scope = _manager_scope(request)
    form = OfficialTransferForm(request.POST, official=official, scope=scope)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.official_transfer(official=official, to_unit=d["to_unit"], on=d["effective_date"],
                                       by=request.user, note=d["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The transfer was recorded. The learning record stays with the person."))
            return redirect("org:official_detail", pk=official.pk)
    return _official_page(request, official, transfer_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    _manager_scope(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(user=request.user, kind=form.cleaned_data["kind"],
                                             uploaded_file=form.cleaned_data["file"],
                                             dry_run=form.cleaned_data["dry_run"])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("org:import_job", pk=job.pk)
    jobs = selectors.import_jobs_visible_to(request.user)[:20]
    return render(request, "org/import.html", {"form": form, "jobs": jobs, "blank_word": parsing.BLANK_WORD})


@login_required
def import_job(request, pk: int):
    job = get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=pk)
    summary = job.summary if isinstance(job.summary, dict) else {}
    errors = job.errors if isinstance(job.errors, list) else []
    # A job failed by a crash or by the stale-job sweep has no count of its own: its listed errors are the count.
    error_count = summary.get("error_count")
    if not isinstance(error_count, int):
        error_count = len(errors)
    labels = _roster_field_labels()
    changes = [{**c, "label": labels.get(c.get("field"), c.get("field"))}
               for c in (summary.get("changes") or []) if isinstance(c, dict)]
    change_count = summary.get("change_count")
    return render(request, "org/import_job.html", {
        "job": job, "progress": job.progress, "summary": summary, "errors": errors, "error_count": error_count,
        "dry_run": bool(summary.get("dry_run")), "changes": changes,
        "change_count": change_count if isinstance(change_count, int) else len(changes)})


@login_required
@require_POST
def import_job_confirm(request, pk: int):
    """Import for real a file previewed after conversion from an old font encoding."""
    job = get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=pk)
    try:
        new = services.import_job_confirm(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("org:import_job", pk=job.pk)
    return redirect("org:import_job", pk=new.pk)


def _roster_field_labels() -> dict:
    """The file's header for each field a roster import may change, and the unit's."""
    labels = {c.key: c.header for c in parsing.ROSTER_COLUMNS}
    labels["unit"] = labels["unit_code"]
    return labels


@login_required
def import_template(request, kind: str, fmt: str):
    scope = _manager_scope(request)
    if kind not in ImportJob.Kind.values or fmt not in ("xlsx", "csv"):
        raise Http404
    content, content_type, filename = templates_xlsx.build_template(kind=kind, fmt=fmt, units=scope.units())
    return download(content, filename, content_type)


class SignOutView(LogoutView):
    """allauth's sign-out, which also tells the browser to forget what this site stored: an exam room keeps unsent
    answers in the browser, and exam-room computers are shared."""

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        response["Clear-Site-Data"] = '"storage"'  # browsers honour it over HTTPS; site.js does it on plain HTTP
        return response


sign_out = SignOutView.as_view()


def admin_login(request):
    """Where Wagtail sends people who may not use its admin. Signed-in people without the right get a clear
    refusal (sending them to the sign-in page would bounce straight back here); others sign in through allauth,
    so rate limits and MFA apply."""
    if request.user.is_authenticated:
        raise PermissionDenied(_("Your account may not use the content admin. Trainers and reviewers may."))
    target = request.GET.get("next", "/admin/")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")
