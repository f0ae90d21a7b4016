"""The printed papers of an exam session, as PDF (WeasyPrint): the room list, admission cards, the seat plan, a
room's minutes (biên bản) and the official result list; and the result list as Excel."""
from __future__ import annotations

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from . import session_selectors
from .models import ExamSession, RoomShift, Seat

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

KINDS = ("danh-sach-phong", "the-du-thi", "so-do-cho-ngoi", "ket-qua")


def _html(template: str, context: dict) -> str:
    return render_to_string(template, {**context, "today": timezone.localdate()})


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _seats(session: ExamSession):
    return (Seat.objects.filter(candidate__session=session)
            .select_related("candidate__official__unit", "room_shift__room", "room_shift__shift__exam")
            .order_by("room_shift__shift__starts_at", "room_shift__room__name", "seat"))


def session_pdf(session: ExamSession, kind: str) -> bytes:
    """One of the session's printed papers, for every room and shift."""
    return _pdf(session_html(session, kind))


def session_html(session: ExamSession, kind: str) -> str:
    """The HTML a session's printed paper is made from."""
    rooms: dict[RoomShift, list[Seat]] = {}
    for seat in _seats(session):
        rooms.setdefault(seat.room_shift, []).append(seat)
    if kind == "ket-qua":
        return _html("exams/sessions/results_pdf.html",
                    {"session": session, "rows": session_selectors.session_results(session)})
    template = {"danh-sach-phong": "exams/sessions/room_list_pdf.html", "the-du-thi": "exams/sessions/cards_pdf.html",
                "so-do-cho-ngoi": "exams/sessions/seat_plan_pdf.html"}[kind]
    plans = []
    for room_shift, seats in rooms.items():
        by_number = {s.seat: s for s in seats}
        per_row = 5
        grid = [[by_number.get(n) or n for n in range(start, min(start + per_row, room_shift.room.seats + 1))]
                for start in range(1, room_shift.room.seats + 1, per_row)]
        plans.append({"room_shift": room_shift, "seats": seats, "grid": grid})
    return _html(template, {"session": session, "rooms": plans})


def minutes_pdf(room_shift: RoomShift) -> bytes:
    """The minutes of a room's shift for signature: counts, incidents and the result list."""
    return _pdf(minutes_html(room_shift))


def minutes_html(room_shift: RoomShift) -> str:
    minutes = session_selectors.room_minutes(room_shift)
    session = room_shift.shift.session
    return _html("exams/sessions/minutes_pdf.html", {
        "session": session, "room_shift": room_shift, **minutes,
        "supervisors": list(room_shift.supervisors.all()),
        "chair": session.members.filter(role="chair").first()})


def results_xlsx(session: ExamSession) -> bytes:
    from django.utils.translation import gettext as _

    from common.export import xlsx_table

    rows = session_selectors.session_results(session)
    header = [_("Candidate number"), _("Full name"), _("Unit"), _("Exam"), _("Shift"), _("Room"), _("Seat"),
              _("Attendance"), _("Score"), _("Out of"), _("Result")]
    return xlsx_table(header, [[r["number"], r["name"], r["unit"], r["exam"], r["shift"], r["room"], r["seat"],
                                r["attendance"], r["score"], r["max_score"],
                                "" if r["passed"] is None else (_("Passed") if r["passed"] else _("Not passed"))]
                               for r in rows], title=_("Results"))
