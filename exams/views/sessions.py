"""Exam sessions' pages: the session (candidates, seats, supervisors, printed papers, results), and the supervisor's
console of a room's shift with its live JSON and minutes."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.views import download

from .. import services, session_documents, session_selectors
from ..forms.sessions import CandidateFileForm, IncidentForm, MoveForm, SupervisorsForm
from ..models import ExamSession, Incident, RoomShift, Seat


def _session(request, pk: int) -> ExamSession:
    session = get_object_or_404(session_selectors.sessions_visible_to(request.user), pk=pk)
    if not session_selectors.may_manage_session(request.user, session):
        raise PermissionDenied(_("Only the council's chair, vice chair and secretary, trainers and administrators "
                                 "manage an exam session."))
    return session


def _room_shift(request, pk: int) -> RoomShift:
    room_shift = get_object_or_404(RoomShift.objects.select_related("shift__session", "shift__exam", "room"), pk=pk)
    if not session_selectors.may_supervise(request.user, room_shift):
        raise Http404  # a room of another session is not shown to exist
    return room_shift


def _done(request, call, success: str) -> None:
    try:
        result = call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return None
    messages.success(request, success % {"n": result} if isinstance(result, int) else success)
    return result


@login_required
def session_list(request):
    sessions = list(session_selectors.sessions_visible_to(request.user).order_by("-starts_on"))
    may = session_selectors.session_roles_of(request.user, sessions)
    for s in sessions:
        s.may_manage, s.may_mark = "manage" in may[s.pk], "mark" in may[s.pk]
    return render(request, "exams/sessions/list.html", {"sessions": sessions})


def _points_fraction(request_row, text: str) -> float:
    """Points typed on a page (a comma or a point for decimals) as the share of the essay's points; -1 for text
    that is not a number, which the service refuses."""
    from decimal import Decimal, InvalidOperation

    try:
        points = Decimal((text or "").replace(",", "."))
        return float(points / request_row.slot.points) if request_row.slot.points else 0.0
    except (InvalidOperation, ArithmeticError):
        return -1.0


@login_required
@require_http_methods(["GET", "POST"])
def second_marking_desk(request, pk: int):
    """The markers' page of a session (chấm phúc khảo): the essays asked for second marking, without the
    candidates' names, and the second mark. The council's decision stays on the session's page."""
    from ..models import SecondMarking

    session = get_object_or_404(session_selectors.sessions_visible_to(request.user), pk=pk)
    if not session_selectors.may_second_mark(request.user, session):
        raise PermissionDenied(_("Only the session's markers and its council's officers give second marks."))
    if request.method == "POST":
        request_row = get_object_or_404(SecondMarking.objects.select_related("slot", "session"), session=session,
                                        pk=request.POST.get("request"))
        fraction = _points_fraction(request_row, request.POST.get("points", ""))
        _done(request, lambda: services.second_marking_mark(request=request_row, fraction=fraction,
                                                            note=request.POST.get("note", "").strip(),
                                                            by=request.user),
              _("The second mark was recorded."))
        return redirect("exams:second_marking_desk", pk=session.pk)
    return render(request, "exams/sessions/second_marking.html", {
        "session": session, "rows": session_selectors.second_marking_queue(session, request.user),
        "may_manage": session_selectors.may_manage_session(request.user, session)})


@login_required
@require_http_methods(["GET", "POST"])
def session_detail(request, pk: int):
    session = _session(request, pk)
    file_form = CandidateFileForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "audience":
            _done(request, lambda: services.session_candidates_from_audience(session=session, by=request.user),
                  _("%(n)s candidates added from the session's rule."))
        elif action == "file":
            file_form = CandidateFileForm(request.POST, request.FILES)
            if file_form.is_valid():
                codes = file_form.cleaned_data["file"]
                _done(request, lambda: services.session_candidates_from_codes(session=session, codes=codes,
                                                                            by=request.user),
                      _("%(n)s candidates added from the file."))
            else:
                for error in file_form.errors.get("file", []):
                    messages.error(request, error)
        elif action == "seats":
            _done(request, lambda: services.session_seats_assign(session=session, by=request.user),
                  _("%(n)s seats assigned."))
        elif action == "supervisors":
            form = SupervisorsForm(request.POST, session=session)
            if form.is_valid():
                room_shift = get_object_or_404(RoomShift, pk=form.cleaned_data["room_shift"], shift__session=session)
                room_shift.supervisors.set(form.cleaned_data["supervisors"])
                messages.success(request, _("The supervisors of %(room)s were saved.") % {"room": room_shift})
        elif action in ("second_mark", "decide"):
            from ..models import SecondMarking

            request_row = get_object_or_404(SecondMarking.objects.select_related("slot"), session=session,
                                            pk=request.POST.get("request"))
            fraction = _points_fraction(request_row, request.POST.get("points", ""))
            note = request.POST.get("note", "")
            if action == "second_mark":
                _done(request, lambda: services.second_marking_mark(request=request_row, fraction=fraction, note=note,
                                                                    by=request.user),
                      _("The second mark was recorded."))
            else:
                _done(request, lambda: services.second_marking_decide(request=request_row, fraction=fraction,
                                                                      note=note, by=request.user),
                      _("The council's decision was recorded and the essay's mark changed accordingly."))
        elif action == "publish":
            _done(request, lambda: services.session_publish(session=session, by=request.user),
                  _("The official result list is published."))
        return redirect("exams:session", pk=session.pk)
    services.session_room_shifts_sync(session=session)
    room_shifts = list(session_selectors.room_shifts_of(session).prefetch_related("supervisors"))
    for room_shift in room_shifts:
        room_shift.form = SupervisorsForm(session=session, initial={
            "room_shift": room_shift.pk, "supervisors": list(room_shift.supervisors.all())})
    return render(request, "exams/sessions/detail.html", {
        "session": session, "room_shifts": room_shifts, "file_form": file_form,
        "members": session.members.select_related("user"), "candidates": session.candidates.count(),
        "printables": [("danh-sach-phong", _("Room lists")), ("the-du-thi", _("Admission cards")),
                       ("so-do-cho-ngoi", _("Seat plans"))],
        "results": session_selectors.session_results(session) if session.status != "planned" else [],
        "second_markings": session_selectors.second_markings_of(session)})


@login_required
def session_print(request, pk: int, kind: str):
    session = _session(request, pk)
    if kind not in session_documents.KINDS:
        raise Http404
    names = {"danh-sach-phong": "danh-sach-phong-thi", "the-du-thi": "the-du-thi", "so-do-cho-ngoi": "so-do-cho-ngoi",
             "ket-qua": "ket-qua-sat-hach"}
    return download(session_documents.session_pdf(session, kind), f"{names[kind]}-{session.pk}.pdf",
                    "application/pdf", inline=True)


@login_required
def session_results_xlsx(request, pk: int):
    session = _session(request, pk)
    from common.export import XLSX_CONTENT_TYPE

    return download(session_documents.results_xlsx(session), f"ket-qua-sat-hach-{session.pk}.xlsx",
                    XLSX_CONTENT_TYPE)


@login_required
@require_http_methods(["GET", "POST"])
def room_console(request, pk: int):
    room_shift = _room_shift(request, pk)
    incident_form = IncidentForm(room_shift=room_shift)
    move_form = MoveForm(room_shift=room_shift)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "check_in":
            seat = get_object_or_404(Seat, pk=request.POST.get("seat"), room_shift=room_shift)
            _done(request, lambda: services.seat_check_in(
                seat=seat, present=request.POST.get("present") == "1",
                identity_checked=request.POST.get("identity") == "1", by=request.user),
                _("Attendance recorded."))
        elif action == "open":
            _done(request, lambda: services.room_shift_open(room_shift=room_shift, by=request.user),
                  _("The room's shift is open: checked-in candidates may start."))
        elif action == "close":
            _done(request, lambda: services.room_shift_close(room_shift=room_shift, by=request.user),
                  _("The room's shift is closed; every open sitting was submitted."))
        elif action == "incident":
            incident_form = IncidentForm(request.POST, room_shift=room_shift)
            if incident_form.is_valid():
                data = incident_form.cleaned_data
                if _done(request, lambda: services.incident_record(
                        room_shift=room_shift, seat=data["seat"], kind=data["kind"], minutes=data["minutes"] or 0,
                        reason=data["reason"], by=request.user), _("The incident was recorded.")) is not None:
                    return redirect("exams:room_console", pk=room_shift.pk)
            status = 400
        elif action == "move":
            move_form = MoveForm(request.POST, room_shift=room_shift)
            if move_form.is_valid():
                data = move_form.cleaned_data
                if _done(request, lambda: services.seat_move(seat=data["seat"], room_shift=room_shift,
                                                             number=data["number"], by=request.user,
                                                             reason=data["reason"]),
                         _("The candidate was moved.")) is not None:
                    return redirect("exams:room_console", pk=room_shift.pk)
            status = 400
        if status == 200:
            return redirect("exams:room_console", pk=room_shift.pk)
    return render(request, "exams/sessions/console.html", {
        "room_shift": room_shift, "rows": session_selectors.room_live(room_shift), "incident_form": incident_form,
        "move_form": move_form, "incidents": room_shift.incidents.select_related("seat__candidate", "by"),
        "kinds": Incident.Kind}, status=status)


@login_required
def room_live_json(request, pk: int):
    """The console's and the monitor's live view of a room: polled every few seconds, updated in place."""
    room_shift = _room_shift(request, pk)
    rows = session_selectors.room_live(room_shift)
    return JsonResponse({"status": room_shift.status, "status_label": room_shift.get_status_display(),
                         "rows": rows, "counts": {
                             "present": sum(r["attendance"] == "present" for r in rows),
                             "not_started": sum(r["state"] == "not_started" for r in rows),
                             "answering": sum(r["state"] in ("answering", "idle", "focus_lost") for r in rows),
                             "submitted": sum(r["state"] == "submitted" for r in rows)}})


@login_required
def room_minutes_pdf(request, pk: int):
    room_shift = _room_shift(request, pk)
    return download(session_documents.minutes_pdf(room_shift), f"bien-ban-{room_shift.room.name}-{room_shift.pk}.pdf",
                    "application/pdf", inline=True)


@login_required
@require_POST
def second_marking_request(request, pk: int):
    """A candidate asks for an essay of a published session to be marked again."""
    from ..grading import FINISHED
    from ..models import AttemptQuestion

    slot = get_object_or_404(AttemptQuestion.objects.select_related("attempt", "version__question"),
                             pk=pk, attempt__official__user=request.user, attempt__status__in=FINISHED)
    session = get_object_or_404(ExamSession.objects.filter(shifts__exam=slot.attempt.exam_id,
                                                           candidates__official__user=request.user).distinct())
    _done(request, lambda: services.second_marking_request(session=session, slot=slot,
                                                           reason=request.POST.get("reason", ""), by=request.user),
          _("Your request for second marking was sent to the council."))
    return redirect("exams:review", pk=slot.attempt_id)
