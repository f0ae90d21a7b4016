"""Pages of the LMS: "My learning" for officials, certificates and their public verification, and the
personnel officers' requirements, enrolment, sessions and learning records. Thin: services and selectors work."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.export import XLSX_CONTENT_TYPE, template_workbook, xlsx_bytes
from common.views import download, int_param
from org.guards import official_or_403
from org.parsing import ImportRefused
from org.selectors import official_of, scope_for

from . import certificates, imports, selectors, services
from .forms import AttendanceForm, AttendanceImportForm, EnrolForm, RequirementForm, SessionForm
from .models import Assignment, Attendance
from .tasks import requirement_assign_task, session_invite_task


def _official(request):
    return official_or_403(request, _("Only officials on the roster have a learning record."))


def _manager(request):
    if not selectors.can_manage_lms(request.user):
        raise PermissionDenied(_("This page is for personnel officers."))
    return scope_for(request.user)


# --- Officials -------------------------------------------------------------------------------------------------

@login_required
def my_learning(request):
    if official_of(request.user) is None and selectors.can_manage_lms(request.user):
        return redirect("lms:manage")
    official = _official(request)
    return render(request, "lms/my_learning.html", {"official": official, **selectors.my_learning(official)})


@login_required
@require_POST
def lesson_done(request, lesson_id: int):
    """A lesson finished by its "Mark as studied" button, or by "Next lesson" in a course that counts lessons so
    (`how=next`); then on to the following lesson, or back to "My learning" after the last one."""
    from content.models import LessonPage

    official = _official(request)
    lesson = get_object_or_404(LessonPage.objects.live().public(), pk=lesson_id)
    how = "next" if request.POST.get("how") == "next" else "button"
    try:
        services.lesson_progress_record(official=official, lesson=lesson, position=1.0, completed=True, how=how)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect(lesson.url)
    if how == "button":
        messages.success(request, _("Lesson marked as studied."))
    following = (LessonPage.objects.sibling_of(lesson, inclusive=False).live().public()
                 .filter(path__gt=lesson.path).order_by("path").first())
    return redirect(following.url if following else "lms:my_learning")


@login_required
def certificate_download(request, code: str):
    cert = get_object_or_404(selectors.certificates_of(request.user), code=code)
    return download(certificates.certificate_pdf(cert), f"chung-nhan-{cert.code}.pdf", "application/pdf", inline=True)


def verify(request, code: str = ""):
    """Public: anyone holding a certificate's code (or its QR) sees whether it is genuine and valid."""
    code = code or request.GET.get("ma", "").strip()
    cert = selectors.certificate_by_code(code) if code else None
    today = timezone.localdate()
    state = None
    if cert is not None:
        state = ("revoked" if cert.revoked_at else
                 "expired" if cert.valid_until and cert.valid_until < today else "valid")
    response = render(request, "lms/verify.html", {"code": code, "cert": cert, "state": state},
                      status=404 if code and cert is None else 200)
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Personnel officers: requirements --------------------------------------------------------------------------

def _counts_in_scope(scope, requirement_ids):
    qs = Assignment.objects.filter(active=True, requirement_id__in=requirement_ids)
    if not scope.all_officials:
        qs = qs.filter(scope.path_q("official__unit__path"))
    counts: dict[int, dict[str, int]] = {}
    for rid, status, n in qs.values_list("requirement_id", "status").annotate(n=Count("id")).values_list(
            "requirement_id", "status", "n"):
        counts.setdefault(rid, {})[status] = n
    for c in counts.values():
        c["total"] = sum(c.values())
        done = c.get("completed", 0) + c.get("expiring", 0)
        c["percent"] = round(100 * done / c["total"], 1) if c["total"] else 0
    return counts


@login_required
def manage(request):
    scope = _manager(request)
    requirements = list(selectors.requirements_visible_to(request.user).order_by("-is_active", "due_date", "title"))
    counts = _counts_in_scope(scope, [r.pk for r in requirements])
    rows = [{"requirement": r, "counts": counts.get(r.pk, {}), "can_edit": selectors.can_edit(request.user, r)}
            for r in requirements]
    sessions = selectors.sessions_visible_to(request.user).filter(ends_at__gte=timezone.now()).order_by("starts_at")[:10]
    scope_units = [] if scope.all_units else list(scope.units().filter(path__in=scope.unit_paths).order_by("path"))
    return render(request, "lms/manage.html", {"rows": rows, "sessions": sessions, "scope": scope,
                                               "scope_units": scope_units})


def _save_requirement(request, form, *, created: bool):
    with transaction.atomic():
        requirement = form.save(commit=False)
        if created:
            requirement.created_by = request.user
            requirement.scope_unit_id = None if form.scope.all_units else request.user.scope_unit_id
        requirement.save()
        form.save_m2m()
        transaction.on_commit(lambda: requirement_assign_task.delay(requirement_id=requirement.pk))
    return requirement


@login_required
@require_http_methods(["GET", "POST"])
def requirement_new(request):
    scope = _manager(request)
    form = RequirementForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        requirement = _save_requirement(request, form, created=True)
        messages.success(request, _("The requirement was saved; officials in its audience are being assigned."))
        return redirect("lms:requirement", pk=requirement.pk)
    return render(request, "lms/requirement_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def requirement_edit(request, pk: int):
    scope = _manager(request)
    requirement = get_object_or_404(selectors.requirements_visible_to(request.user), pk=pk)
    if not selectors.can_edit(request.user, requirement):
        raise PermissionDenied(_("This requirement is managed by another unit."))
    form = RequirementForm(request.POST or None, instance=requirement, scope=scope)
    if request.method == "POST" and form.is_valid():
        _save_requirement(request, form, created=False)
        messages.success(request, _("The requirement was saved; assignments are being updated."))
        return redirect("lms:requirement", pk=requirement.pk)
    return render(request, "lms/requirement_form.html", {"form": form, "requirement": requirement},
                  status=400 if form.errors else 200)


def _requirement_page(request, requirement, *, enrol_form=None, status=200):
    scope = scope_for(request.user)
    assignments = (Assignment.objects.filter(requirement=requirement).select_related("official", "official__unit")
                   .order_by("-active", "official__unit__path", "official__name_folded"))
    if not scope.all_officials:
        assignments = assignments.filter(scope.path_q("official__unit__path"))
    wanted = request.GET.get("trang-thai", "")
    if wanted in Assignment.Status.values:
        assignments = assignments.filter(status=wanted, active=True)
    page = Paginator(assignments, 50).get_page(request.GET.get("page"))
    return render(request, "lms/requirement_detail.html", {
        "requirement": requirement, "page": page, "status_filter": wanted, "statuses": Assignment.Status.choices,
        "counts": _counts_in_scope(scope, [requirement.pk]).get(requirement.pk, {}),
        "can_edit": selectors.can_edit(request.user, requirement),
        "enrol_form": enrol_form or EnrolForm(scope=scope),
        "modules": requirement.modules.all(),
        "sessions": requirement.sessions.order_by("-starts_at")[:10],
    }, status=status)


@login_required
def requirement_detail(request, pk: int):
    _manager(request)
    return _requirement_page(request, get_object_or_404(selectors.requirements_visible_to(request.user), pk=pk))


@login_required
@require_POST
def requirement_enrol(request, pk: int):
    scope = _manager(request)
    requirement = get_object_or_404(selectors.requirements_visible_to(request.user), pk=pk)
    form = EnrolForm(request.POST, scope=scope)
    if not form.is_valid():
        return _requirement_page(request, requirement, enrol_form=form, status=400)
    n = services.enrol(requirement=requirement, officials=form.officials(), by=request.user)
    messages.success(request, _("%(n)s officials were enrolled.") % {"n": n})
    return redirect("lms:requirement", pk=requirement.pk)


@login_required
def official_record(request, pk: int):
    """An official's learning record, for a personnel officer whose scope covers them (404 otherwise)."""
    _manager(request)
    official = get_object_or_404(selectors.officials_in_scope(request.user), pk=pk)
    data = selectors.my_learning(official)
    return render(request, "lms/official_record.html", {"official": official, **data})


# --- Personnel officers: training sessions ---------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def session_new(request):
    scope = _manager(request)
    requirements = selectors.requirements_visible_to(request.user)
    requirement_id = int_param(request.GET, "yeu-cau")  # "schedule a session for this requirement"
    initial = {} if requirement_id is None else {"requirement": requirement_id}
    form = SessionForm(request.POST or None, scope=scope, requirements=requirements, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            session = form.save(commit=False)
            session.created_by = request.user
            session.scope_unit_id = None if scope.all_units else request.user.scope_unit_id
            session.save()
            form.save_m2m()
        messages.success(request, _("The session was scheduled. Send the invitations when you are ready."))
        return redirect("lms:session", pk=session.pk)
    return render(request, "lms/session_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, pk: int):
    session = _editable_session(request, pk)
    form = SessionForm(request.POST or None, instance=session, scope=scope_for(request.user),
                       requirements=selectors.requirements_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("The session was saved."))
        return redirect("lms:session", pk=session.pk)
    return render(request, "lms/session_form.html", {"form": form, "session": session},
                  status=400 if form.errors else 200)


def _session_page(request, session, *, attendance_form=None, import_form=None, import_errors=None, status=200):
    scope = scope_for(request.user)
    invitees = services.session_invitees(session).select_related("unit")
    if not scope.all_officials:
        invitees = invitees.filter(scope.path_q("unit__path"))
    attendance = Attendance.objects.filter(session=session).select_related("official", "official__unit")
    if not scope.all_officials:
        attendance = attendance.filter(scope.path_q("official__unit__path"))
    return render(request, "lms/session_detail.html", {
        "session": session, "invitee_count": invitees.count(), "invitees": invitees[:200],
        "attendance": attendance, "can_edit": selectors.can_edit(request.user, session),
        "attendance_form": attendance_form or AttendanceForm(scope=scope),
        "import_form": import_form or AttendanceImportForm(), "import_errors": import_errors or [],
        "started": session.starts_at <= timezone.now(),
    }, status=status)


@login_required
def session_detail(request, pk: int):
    _manager(request)
    return _session_page(request, get_object_or_404(selectors.sessions_visible_to(request.user), pk=pk))


def _editable_session(request, pk):
    _manager(request)
    session = get_object_or_404(selectors.sessions_visible_to(request.user), pk=pk)
    if not selectors.can_edit(request.user, session):
        raise PermissionDenied(_("This session is managed by another unit."))
    return session


@login_required
@require_POST
def session_invite(request, pk: int):
    session = _editable_session(request, pk)
    session_invite_task.delay(session_id=session.pk)
    messages.success(request, _("Invitations are being sent. Nobody is invited twice."))
    return redirect("lms:session", pk=session.pk)


@login_required
@require_POST
def attendance_add(request, pk: int):
    session = _editable_session(request, pk)
    form = AttendanceForm(request.POST, scope=scope_for(request.user))
    if form.is_valid():
        try:
            services.attendance_record(session=session, official=form.official, present=form.cleaned_data["present"],
                                       note=form.cleaned_data["note"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Attendance recorded for %(name)s.") % {"name": form.official.full_name})
            return redirect("lms:session", pk=session.pk)
    return _session_page(request, session, attendance_form=form, status=400)


@login_required
@require_POST
def attendance_import(request, pk: int):
    session = _editable_session(request, pk)
    form = AttendanceImportForm(request.POST, request.FILES)
    errors = []
    if form.is_valid():
        if session.starts_at > timezone.now():
            form.add_error(None, _("Attendance can be recorded once the session has started."))
        else:
            upload = form.cleaned_data["file"]
            try:
                rows = imports.attendance_validate(data=upload.read(), filename=upload.name, session=session,
                                                   officials=selectors.officials_in_scope(request.user))
            except ImportRefused as refused:
                errors = refused.errors
            else:
                n = services.attendance_import(session=session, rows=rows, by=request.user)
                messages.success(request, _("%(n)s rows of the sign-in sheet were recorded.") % {"n": n})
                return redirect("lms:session", pk=session.pk)
    return _session_page(request, session, import_form=form, import_errors=errors, status=400)


def attendance_template(request):
    """An empty sign-in sheet with the expected headers and a guide sheet."""
    if not request.user.is_authenticated or not selectors.can_manage_lms(request.user):
        raise Http404
    workbook = template_workbook(imports.ATTENDANCE_COLUMNS, title="Điểm danh")
    return download(xlsx_bytes(workbook), "danh-sach-diem-danh.xlsx", XLSX_CONTENT_TYPE)
