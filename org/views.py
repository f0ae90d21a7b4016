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

from . import roles, selectors, services, templates_xlsx
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
                                             uploaded_file=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("org:import_job", pk=job.pk)
    jobs = selectors.import_jobs_visible_to(request.user)[:20]
    return render(request, "org/import.html", {"form": form, "jobs": jobs})


@login_required
def import_job(request, pk: int):
    job = get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=pk)
    return render(request, "org/import_job.html", {"job": job, "progress": job.progress})


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


# --- Reorganisations (phương án sắp xếp): administrators only ------------------------------------------------------

def _admin_only(request) -> None:
    from . import roles

    if not roles.is_admin(request.user):
        raise PermissionDenied(_("Only administrators reorganise units."))


@login_required
@require_http_methods(["GET", "POST"])
def reorganisation_list(request):
    from common.tabular import TableRefused

    from .forms import ReorganisationForm
    from .models import Reorganisation
    from .reorganisation import PlanRefused, plan_from_file
    from .services.reorganisation import reorganisation_create

    _admin_only(request)
    form = ReorganisationForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        upload = d["file"]
        try:
            if upload:
                plan = plan_from_file(upload.read(), upload.name, parent_code=d["parent"].code if d["parent"] else "",
                                      dissolve_kinds=("city", "district", "town") if d["dissolve_district_level"] else (),
                                      merge_into_parent=[u.code for u in d["merge_provinces"]])
            else:
                plan = {"targets": [], "dissolve": [], "allocations": {}}
        except (PlanRefused, TableRefused) as exc:
            errors = exc.errors
        else:
            r = reorganisation_create(title=d["title"], effective_date=d["effective_date"], plan=plan, by=request.user,
                                      legal_basis=d["legal_basis"], source_name=upload.name if upload else "")
            messages.success(request, _("The plan was recorded as a draft. Check the preview, then apply it."))
            return redirect("org:reorganisation_detail", pk=r.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "org/reorganisation_list.html", {
        "form": form, "errors": errors,
        "reorganisations": Reorganisation.objects.select_related("created_by", "applied_by").all()[:100],
    }, status=status)


def _reorganisation_page(request, r, *, line_form=None, allocation_form=None, errors=(), status=200):
    from .forms import ReorganisationAllocationForm, ReorganisationLineForm
    from .models import Reorganisation
    from .reorganisation import plan_preview
    from .services.reorganisation import reverse_blockers

    preview = plan_preview(r.plan, on=r.effective_date) if r.status == Reorganisation.Status.DRAFT else None
    successions = r.successions.select_related("predecessor", "successor").order_by("predecessor__code")
    return render(request, "org/reorganisation_detail.html", {
        "r": r, "preview": preview, "errors": list(errors), "successions": successions,
        "blockers": reverse_blockers(r) if r.status == Reorganisation.Status.APPLIED else [],
        "line_form": line_form or ReorganisationLineForm(),
        "allocation_form": allocation_form or ReorganisationAllocationForm(),
        "allocations": (r.plan or {}).get("allocations", {}),
    }, status=status)


def _reorganisation(request, pk):
    """Administrators see every plan; a personnel officer the plans they made inside their own subtree (a merge
    started from a unit's page)."""
    from . import roles
    from .models import Reorganisation

    r = get_object_or_404(Reorganisation, pk=pk)
    if roles.is_admin(request.user):
        return r
    scope = selectors.scope_for(request.user)
    plan = r.plan or {}
    codes = ({t["code"] for t in plan.get("targets", [])} | {t.get("parent_code") or "" for t in plan.get("targets", [])}
             | {s["code"] for t in plan.get("targets", []) for s in t["sources"]} | set(plan.get("dissolve", []))) - {""}
    units = list(selectors.Unit.objects.filter(code__in=codes))
    if (r.created_by_id == request.user.pk and scope.can_manage and len(units) == len(codes)
            and all(_can_reorganise(scope, u) or scope.covers_unit(u) and u.code in {t.get("parent_code") for t in
                                                                                   plan.get("targets", [])}
                    for u in units)):
        return r
    _admin_only(request)
    return r


@login_required
def reorganisation_detail(request, pk: int):
    return _reorganisation_page(request, _reorganisation(request, pk))


@login_required
@require_POST
def reorganisation_add_line(request, pk: int):
    from .forms import ReorganisationLineForm
    from .models import Reorganisation

    r = _reorganisation(request, pk)
    form = ReorganisationLineForm(request.POST)
    if r.status != Reorganisation.Status.DRAFT:
        form.add_error(None, _("This reorganisation has already been applied."))
    if form.is_valid():
        d = form.cleaned_data
        plan = dict(r.plan or {})
        targets = list(plan.get("targets", []))
        target = next((t for t in targets if t["code"] == d["new_code"]), None)
        if target is None:
            target = {"code": d["new_code"], "name": d["new_name"], "kind": "", "parent_code": d["parent"],
                      "sources": [], "line": 0}
            targets.append(target)
        target["name"] = d["new_name"]
        if d["parent"]:
            target["parent_code"] = d["parent"]
        target["sources"] = [s for s in target["sources"] if s["code"] != d["old_code"]] + [
            {"code": d["old_code"], "share": d["share"], "line": 0}]
        plan["targets"] = targets
        Reorganisation.objects.filter(pk=r.pk).update(plan=plan)
        messages.success(request, _("The line was added to the plan."))
        return redirect("org:reorganisation_detail", pk=r.pk)
    return _reorganisation_page(request, r, line_form=form, status=400)


@login_required
@require_POST
def reorganisation_allocate(request, pk: int):
    from common.tabular import TableRefused

    from .forms import ReorganisationAllocationForm
    from .reorganisation import PlanRefused, allocations_from_file
    from .services.reorganisation import reorganisation_allocate as allocate

    r = _reorganisation(request, pk)
    form = ReorganisationAllocationForm(request.POST, request.FILES)
    errors = []
    if form.is_valid():
        chosen = {k[len("to:"):]: v for k, v in request.POST.items() if k.startswith("to:") and v}
        try:
            if form.cleaned_data["file"]:
                upload = form.cleaned_data["file"]
                chosen.update(allocations_from_file(upload.read(), upload.name))
            allocate(reorganisation=r, allocations=chosen)
        except (PlanRefused, TableRefused) as exc:
            errors = exc.errors
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The allotment was saved."))
            return redirect("org:reorganisation_detail", pk=r.pk)
    return _reorganisation_page(request, r, allocation_form=form, errors=errors, status=400)


@login_required
@require_POST
def reorganisation_apply(request, pk: int):
    from .services.reorganisation import reorganisation_apply as apply

    r = _reorganisation(request, pk)
    try:
        apply(reorganisation=r, by=request.user)
    except ValidationError as exc:
        return _reorganisation_page(request, r, errors=exc.messages, status=400)
    messages.success(request, _("The reorganisation was applied. The personnel officers concerned have been told."))
    return redirect("org:reorganisation_detail", pk=r.pk)


@login_required
@require_POST
def reorganisation_reverse(request, pk: int):
    from .services.reorganisation import reorganisation_reverse as reverse_it

    r = _reorganisation(request, pk)
    try:
        reverse_it(reorganisation=r, by=request.user)
    except ValidationError as exc:
        return _reorganisation_page(request, r, errors=exc.messages, status=400)
    messages.success(request, _("The reorganisation was reversed; units, officials, audiences and scopes are as "
                                "they were before it."))
    return redirect("org:reorganisation_detail", pk=r.pk)
