"""The session's printed papers read back from the PDF itself (pypdf's text extraction), not only from the HTML they
are made from: the room's minutes with its counts and incidents, the admission cards with each candidate's number
and name, and the official result list; Vietnamese names keep their diacritics in the PDF's text."""
import io
import unicodedata

import pytest
from django.utils import timezone
from pypdf import PdfReader

from exams import services, session_documents

from .test_sessions import room, seated, session  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return unicodedata.normalize("NFC", text)


def squeezed(text: str) -> str:
    """The text with its white space dropped: extraction may break a table cell's words over lines."""
    return "".join(text.split())


def test_the_minutes_pdf_says_the_counts_the_incident_and_the_names(seated):  # noqa: F811
    rs = room(seated, "Ca 1", "B")
    rs.supervisors.add(seated.supervisor)
    services.room_shift_open(room_shift=rs, by=seated.supervisor)
    seats = list(rs.seats.select_related("candidate__official").order_by("seat"))
    for s in seats[:17]:
        services.seat_check_in(seat=s, present=True, identity_checked=True, by=seated.supervisor)
    services.seat_check_in(seat=seats[17], present=False, by=seated.supervisor)
    for s in seats[:17]:
        services.attempt_start(exam=seated.first, official=s.candidate.official, ip="1.2.3.4")
    services.incident_record(room_shift=rs, seat=seats[0], kind="time_added", minutes=5,
                             reason="Mất điện ở phòng máy", by=seated.supervisor)
    services.room_shift_close(room_shift=rs, by=seated.supervisor)

    rs.refresh_from_db()
    text = pdf_text(session_documents.minutes_pdf(rs))
    flat = squeezed(text)
    lines = text.splitlines()
    assert "BIÊN BẢN" in text
    assert "Sát hạch công chức một cửa 2026" in text
    # The counts, each on its line beside its label: 20 on the list, 17 present, 3 absent, none removed, 17 papers.
    for line in ("Số thí sinh trong danh sách phòng thi 20", "Có mặt 17", "Vắng 3", "Bị mời ra khỏi phòng thi 0",
                 "Số bài đã nộp 17"):
        assert line in lines, line
    assert f"Ca thi bắt đầu lúc {timezone.localtime(rs.opened_at):%H:%M %d/%m/%Y}" in text
    assert "Cộng thêm giờ (5 phút)" in text and "Mất điện ở phòng máy" in text
    assert squeezed(seats[0].candidate.official.full_name) in flat
    assert squeezed(f"{seats[0].candidate.number}") in flat
    assert "Nguyễn Văn Chủ" in text  # the chair signs


def test_the_admission_cards_pdf_has_a_card_for_every_seat_with_number_and_name(seated):  # noqa: F811
    text = pdf_text(session_documents.session_pdf(seated, "the-du-thi"))
    flat = squeezed(text)
    assert text.count("THẺ DỰ THI") == 80  # 40 candidates × 2 shifts
    for n in (1, 21, 40):
        assert f"SH{n:04d}" in text
    assert squeezed("Cán Bộ 00") in flat and squeezed("Cán Bộ 39") in flat
    assert "Trảng Dài" in text  # the unit, diacritics kept


def test_the_result_list_pdf_lists_every_candidate_with_the_outcome(seated):  # noqa: F811
    from exams.models import RoomShift

    sat = room(seated, "Ca 1", "B")
    services.room_shift_open(room_shift=sat)
    seat = sat.seats.select_related("candidate__official").order_by("seat").first()
    services.seat_check_in(seat=seat, present=True)
    services.attempt_start(exam=seated.first, official=seat.candidate.official, ip="1.2.3.4")
    for rs in RoomShift.objects.filter(shift__session=seated):
        if rs.status == "waiting":
            services.room_shift_open(room_shift=rs)
        services.room_shift_close(room_shift=rs)  # the sitting is submitted unanswered: 0 of 10
    services.session_publish(session=seated, by=seated.chair)
    seated.refresh_from_db()
    text = pdf_text(session_documents.session_pdf(seated, "ket-qua"))
    lines = text.splitlines()
    assert "DANH SÁCH KẾT QUẢ" in text.upper()
    assert f"{timezone.localtime(seated.published_at):%d/%m/%Y}" in text
    assert text.count("SH00") == 80  # each candidate in each of the two parts
    assert "SH0021 Cán Bộ 20 Phường Trảng Dài Phần 1: Trắc nghiệm B 0/10 Chưa đạt" in lines
    assert "SH0022 Cán Bộ 21 Phường Trảng Dài Phần 1: Trắc nghiệm B — Chưa điểm danh" in lines
    assert sum("Chưa đạt" in line for line in lines) == 1
