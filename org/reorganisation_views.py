"""The reorganisation pages (phương án sắp xếp): a plan uploaded or built on screen, its preview, the allotment of
split and dissolved units' officials, applying and reversing it. Administrators; a personnel officer only the
merges they started inside their own subtree."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.tabular import TableRefused

from . import roles
from .forms import ReorganisationAllocationForm, ReorganisationForm, ReorganisationLineForm
from .models import Reorganisation
from .reorganisation import PlanRefused, allocations_from_file, may_open, plan_from_file, plan_preview
from .services.reorganisation import reorganisation_add_line as reorganisation_add_line_service
from .services.reorganisation import (reorganisation_allocate, reorganisation_apply, reorganisation_create,
                                      reorganisation_reverse, reverse_blockers)


def _admin_only(request) -> None:
    if not roles.is_admin(request.user):
        raise PermissionDenied(_("Only administrators reorganise units."))


@login_required
@require_http_methods(["GET", "POST"])
def reorganisation_list(request):
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
    r = get_object_or_404(Reorganisation, pk=pk)
    if not may_open(request.user, r):
        _admin_only(request)
    return r


@login_required
def reorganisation_detail(request, pk: int):
    return _reorganisation_page(request, _reorganisation(request, pk))


@login_required
@require_POST
def reorganisation_add_line(request, pk: int):
    r = _reorganisation(request, pk)
    form = ReorganisationLineForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            reorganisation_add_line_service(reorganisation=r, old_code=d["old_code"], new_code=d["new_code"],
                                            new_name=d["new_name"], share=d["share"], parent_code=d["parent"])
        except ValidationError as exc:
            return _reorganisation_page(request, r, line_form=form, errors=exc.messages, status=400)
        else:
            messages.success(request, _("The line was added to the plan."))
            return redirect("org:reorganisation_detail", pk=r.pk)
    return _reorganisation_page(request, r, line_form=form, status=400)


@login_required
@require_POST
def allocate_view(request, pk: int):
    r = _reorganisation(request, pk)
    form = ReorganisationAllocationForm(request.POST, request.FILES)
    errors = []
    if form.is_valid():
        chosen = {k[len("to:"):]: v for k, v in request.POST.items() if k.startswith("to:") and v}
        try:
            if form.cleaned_data["file"]:
                upload = form.cleaned_data["file"]
                chosen.update(allocations_from_file(upload.read(), upload.name))
            reorganisation_allocate(reorganisation=r, allocations=chosen)
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
def apply_view(request, pk: int):
    r = _reorganisation(request, pk)
    try:
        reorganisation_apply(reorganisation=r, by=request.user)
    except ValidationError as exc:
        return _reorganisation_page(request, r, errors=exc.messages, status=400)
    messages.success(request, _("The reorganisation was applied. The personnel officers concerned have been told."))
    return redirect("org:reorganisation_detail", pk=r.pk)


@login_required
@require_POST
def reverse_view(request, pk: int):
    r = _reorganisation(request, pk)
    try:
        reorganisation_reverse(reorganisation=r, by=request.user)
    except ValidationError as exc:
        return _reorganisation_page(request, r, errors=exc.messages, status=400)
    messages.success(request, _("The reorganisation was reversed; units, officials, audiences and scopes are as "
                                "they were before it."))
    return redirect("org:reorganisation_detail", pk=r.pk)
