"""Exam sessions (kỳ sát hạch) as Thông tư 06/2020/TT-BNV runs them: candidate numbers and seats, check-in, a room's
shift opened and closed by its supervisors, incidents, the minutes, the council's publication and second marking."""
import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from exams import services, session_documents, session_selectors
from exams.models import (Attempt, CouncilMember, ExamRoom, ExamSession, Incident, PreparedPaper, RoomShift, Seat,
                          SessionLog, Shift)
from exams.services import ExamRefused, IpRefused

from ..factories import ExamFactory, OfficialFactory, TopicFactory, UserFactory, choice_gift

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(tree):
    """2 rooms × 2 shifts for 40 candidates of Trảng Dài: room A only from 10.1.0.0/24."""
    bank = TopicFactory(name="Một cửa", gift=choice_gift(30))
    first = ExamFactory(title="Phần 1: Trắc nghiệm", published=True, bank=bank, bank__draw_count=10,
                        time_limit_minutes=30)
    second = ExamFactory(title="Phần 2: Tin học", published=True, bank=bank, bank__draw_count=5,
                         time_limit_minutes=20)
    chair, supervisor = UserFactory(username="chutich"), UserFactory(username="giamthi")
    s = ExamSession.objects.create(title="Sát hạch công chức một cửa 2026", starts_on=dt.date(2026, 12, 10),
                                   place="Trường Chính trị tỉnh")
    s.audience_units.set([tree["trang_dai"]])
    CouncilMember.objects.create(session=s, user=chair, full_name="Nguyễn Văn Chủ", role=CouncilMember.Role.CHAIR)
    CouncilMember.objects.create(session=s, user=supervisor, full_name="Trần Thị Giám", role="supervisor")
    ExamRoom.objects.create(session=s, name="A", seats=20, allowed_ip_ranges="10.1.0.0/24")
    ExamRoom.objects.create(session=s, name="B", seats=20)
    now = timezone.now()
    Shift.objects.create(session=s, exam=first, name="Ca 1", starts_at=now)
    Shift.objects.create(session=s, exam=second, name="Ca 2", starts_at=now + dt.timedelta(hours=2))
    services.session_room_shifts_sync(session=s)
    for n in range(40):
        OfficialFactory(unit=tree["trang_dai"], full_name=f"Cán Bộ {n:02d}")
    s.chair, s.supervisor, s.first, s.second = chair, supervisor, first, second
    return s


def room(session, shift_name, room_name):
    return RoomShift.objects.get(shift__session=session, shift__name=shift_name, room__name=room_name)


def checked_in(session, number):
    """A candidate's seat in shift 1, their room's shift opened and they checked in: their sitting is written READY."""
    seat = seat_of(number)
    services.room_shift_open(room_shift=seat.room_shift, by=session.supervisor)
    services.seat_check_in(seat=seat, present=True, identity_checked=True, by=session.supervisor)
    return seat


def seat_of(number, shift_name="Ca 1"):
    return Seat.objects.select_related("candidate__official", "room_shift").get(
        candidate__number=number, room_shift__shift__name=shift_name)


def test_candidates_get_numbers_and_seats_room_after_room(session):
    assert services.session_candidates_from_audience(session=session) == 40
    assert services.session_candidates_from_audience(session=session) == 0  # already on the list
    numbers = list(session.candidates.values_list("number", flat=True))
    assert numbers[0] == "SH0001" and numbers[-1] == "SH0040" and len(set(numbers)) == 40
    assert services.session_seats_assign(session=session) == 80  # each candidate in both shifts
    assert room(session, "Ca 1", "A").seats.count() == 20 and room(session, "Ca 1", "B").seats.count() == 20
    assert (seat_of("SH0001").room_shift.room.name, seat_of("SH0001").seat) == ("A", 1)
    assert (seat_of("SH0021").room_shift.room.name, seat_of("SH0021").seat) == ("B", 1)
    extra = OfficialFactory(unit=session.audience_units.get())
    services.session_candidates_add(session=session, officials=[extra])
    with pytest.raises(ValidationError, match="20 … |0 free seats|chỗ"):
        services.session_seats_assign(session=session)  # 41 candidates, 40 seats: nothing changes
    assert Seat.objects.count() == 80


def test_a_list_from_a_file_refuses_an_unknown_code_naming_its_row(session):
    codes = [(2, session.audience_units.get().officials.first().employee_code), (3, "KHONG-CO")]
    with pytest.raises(ValidationError) as refused:
        services.session_candidates_from_codes(session=session, codes=codes)
    assert "3" in refused.value.messages[0] and "KHONG-CO" in refused.value.messages[0]
    assert session.candidates.count() == 0


@pytest.fixture
def seated(session):
    services.session_candidates_from_audience(session=session)
    services.session_seats_assign(session=session)
    return session


def test_a_candidate_starts_only_checked_in_in_their_open_room_from_its_addresses(seated):
    seat = seat_of("SH0001")  # room A, shift 1
    official = seat.candidate.official
    with pytest.raises(ExamRefused, match="chưa được mở|not been opened"):
        services.attempt_start(exam=seated.first, official=official, ip="10.1.0.5")
    services.room_shift_open(room_shift=seat.room_shift, by=seated.supervisor)
    with pytest.raises(ExamRefused, match="điểm danh|checked you in"):
        services.attempt_start(exam=seated.first, official=official, ip="10.1.0.5")
    services.seat_check_in(seat=seat, present=True, identity_checked=True, by=seated.supervisor)
    assert PreparedPaper.objects.filter(seat=seat).exists()  # drawn at check-in
    with pytest.raises(IpRefused):
        services.attempt_start(exam=seated.first, official=official, ip="192.168.7.7")
    # Shift 2 (another exam, another room's shift) is not open: the same person cannot start it.
    with pytest.raises(ExamRefused):
        services.attempt_start(exam=seated.second, official=official, ip="10.1.0.5")
    attempt = services.attempt_start(exam=seated.first, official=official, ip="10.1.0.5")
    prepared = PreparedPaper.objects.get(seat=seat)
    assert [s.version_id for s in attempt.slots.order_by("slot")] == [row[0] for row in prepared.slots]
    assert attempt.slot_count == 10 and attempt.max_score == prepared.max_score
    from exams.selectors import candidate_paper

    assert candidate_paper(attempt) == prepared.rendered  # the reply to the start: rendered at check-in
    assert candidate_paper(Attempt.objects.get(pk=attempt.pk)) == prepared.rendered  # every reload: the same


def test_someone_not_on_the_list_cannot_sit_a_session_exam(seated, long_khanh_official):
    with pytest.raises(ExamRefused, match="danh sách|not on the candidate list"):
        services.attempt_start(exam=seated.first, official=long_khanh_official, ip="10.1.0.5")


def test_time_added_extends_the_sitting_and_removal_submits_it(seated):
    seat, other = seat_of("SH0021"), seat_of("SH0022")  # room B: any address
    rs = seat.room_shift
    services.room_shift_open(room_shift=rs, by=seated.supervisor)
    for s in (seat, other):
        services.seat_check_in(seat=s, present=True, identity_checked=True, by=seated.supervisor)
    attempt = services.attempt_start(exam=seated.first, official=seat.candidate.official, ip="1.2.3.4")
    deadline = attempt.deadline
    with pytest.raises(ValidationError):
        services.incident_record(room_shift=rs, seat=seat, kind="time_added", minutes=10, reason="  ")
    services.incident_record(room_shift=rs, seat=seat, kind="time_added", minutes=10,
                             reason="Máy tính hỏng, chuyển máy", by=seated.supervisor)
    attempt.refresh_from_db()
    assert attempt.deadline == deadline + dt.timedelta(minutes=10)
    gone = services.attempt_start(exam=seated.first, official=other.candidate.official, ip="1.2.3.4")
    services.incident_record(room_shift=rs, seat=other, kind="removed", reason="Sử dụng tài liệu",
                             by=seated.supervisor)
    gone.refresh_from_db()
    assert gone.status == Attempt.Status.SUBMITTED
    with pytest.raises(ExamRefused, match="removed|mời ra"):
        services.attempt_start(exam=seated.first, official=other.candidate.official, ip="1.2.3.4")


def test_closing_the_room_submits_its_sittings_and_the_minutes_count_what_happened(seated):
    rs = room(seated, "Ca 1", "B")
    services.room_shift_open(room_shift=rs, by=seated.supervisor)
    seats = list(rs.seats.order_by("seat"))
    for s in seats[:18]:
        services.seat_check_in(seat=s, present=True, identity_checked=True, by=seated.supervisor)
    services.seat_check_in(seat=seats[18], present=False, by=seated.supervisor)
    started = [services.attempt_start(exam=seated.first, official=s.candidate.official, ip="1.2.3.4")
               for s in seats[:18]]
    services.incident_record(room_shift=rs, seat=seats[0], kind="time_added", minutes=5, reason="Mất điện",
                             by=seated.supervisor)
    services.room_shift_close(room_shift=rs, by=seated.supervisor)
    assert all(a.status != "in_progress" for a in Attempt.objects.filter(pk__in=[a.pk for a in started]))
    minutes = session_selectors.room_minutes(rs)
    assert minutes["counts"] == {"seats": 20, "present": 18, "absent": 2, "removed": 0, "submitted": 18}
    html = session_documents.minutes_html(rs)
    assert "Mất điện" in html and "Cộng thêm giờ" in html or "Time added" in html
    assert session_documents.minutes_pdf(rs).startswith(b"%PDF")
    with pytest.raises(ExamRefused, match="đã kết thúc|closed"):
        services.attempt_start(exam=seated.first, official=seats[19].candidate.official, ip="1.2.3.4")
    actions = list(SessionLog.objects.filter(room_shift=rs).values_list("action", flat=True))
    assert actions[0] == "room_opened" and "incident" in actions and actions[-1] == "room_closed"


def test_the_council_publishes_once_every_room_is_closed(seated):
    with pytest.raises(ValidationError):
        services.session_publish(session=seated, by=seated.chair)
    for rs in RoomShift.objects.filter(shift__session=seated):
        services.room_shift_open(room_shift=rs)
        services.room_shift_close(room_shift=rs)
    services.session_publish(session=seated, by=seated.chair)
    seated.refresh_from_db()
    assert seated.status == ExamSession.Status.PUBLISHED and seated.published_by == seated.chair
    assert len(session_selectors.session_results(seated)) == 80
    assert session_documents.results_xlsx(seated)[:2] == b"PK"
    from exams import grading

    with pytest.raises(grading.GradingRefused, match="cuối cùng|final"):
        grading.regrade_apply(exam=seated.first)


def test_who_may_see_and_run_what(seated, client, trang_dai_official):
    rs = room(seated, "Ca 1", "A")
    rs.supervisors.add(seated.supervisor)
    other = room(seated, "Ca 1", "B")
    client.force_login(seated.supervisor)
    assert client.get(f"/ky-sat-hach/phong/{rs.pk}/").status_code == 200
    assert client.get(f"/ky-sat-hach/phong/{other.pk}/").status_code == 404  # not their room
    assert client.get(f"/ky-sat-hach/{seated.pk}/").status_code == 403  # a supervisor does not manage the session
    client.force_login(trang_dai_official.user)
    assert client.get(f"/ky-sat-hach/phong/{rs.pk}/trang-thai.json").status_code == 404
    client.force_login(seated.chair)
    assert client.get(f"/ky-sat-hach/{seated.pk}/").status_code == 200
    assert client.get(f"/ky-sat-hach/phong/{other.pk}/").status_code == 200


def test_the_console_checks_in_opens_and_its_json_updates(seated, client):
    rs = room(seated, "Ca 1", "B")
    rs.supervisors.add(seated.supervisor)
    client.force_login(seated.supervisor)
    seat = rs.seats.order_by("seat").first()
    client.post(f"/ky-sat-hach/phong/{rs.pk}/", {"action": "check_in", "seat": seat.pk, "present": "1",
                                                 "identity": "1"})
    client.post(f"/ky-sat-hach/phong/{rs.pk}/", {"action": "open"})
    live = client.get(f"/ky-sat-hach/phong/{rs.pk}/trang-thai.json").json()
    assert live["status"] == "open" and live["counts"]["present"] == 1 and live["counts"]["not_started"] == 20
    services.attempt_start(exam=seated.first, official=seat.candidate.official, ip="1.2.3.4")
    row = next(r for r in client.get(f"/ky-sat-hach/phong/{rs.pk}/trang-thai.json").json()["rows"]
               if r["seat_id"] == seat.pk)
    assert row["state"] == "answering" and 0 < row["seconds_left"] <= 30 * 60
    page = client.post(f"/ky-sat-hach/phong/{rs.pk}/", {"action": "incident", "seat": seat.pk,
                                                        "kind": "time_added", "minutes": "", "reason": ""})
    assert page.status_code == 400
    assert Incident.objects.count() == 0


def test_second_marking_only_for_essays_after_publication(seated):
    from exams.models import AttemptQuestion

    rs = room(seated, "Ca 1", "B")
    services.room_shift_open(room_shift=rs)
    seat = rs.seats.first()
    services.seat_check_in(seat=seat, present=True)
    attempt = services.attempt_start(exam=seated.first, official=seat.candidate.official, ip="1.2.3.4")
    slot = AttemptQuestion.objects.filter(attempt=attempt).first()
    with pytest.raises(ValidationError):
        services.second_marking_request(session=seated, slot=slot, reason="Xin phúc khảo")
    for r in RoomShift.objects.filter(shift__session=seated):
        if r.status == "waiting":
            services.room_shift_open(room_shift=r)
        services.room_shift_close(room_shift=r)
    services.session_publish(session=seated)
    with pytest.raises(ValidationError, match="final|tự động|máy"):
        services.second_marking_request(session=seated, slot=slot, reason="Xin phúc khảo")


def test_the_session_pages_print_every_paper(seated, client):
    client.force_login(seated.chair)
    for kind in ("danh-sach-phong", "the-du-thi", "so-do-cho-ngoi", "ket-qua"):
        response = client.get(f"/ky-sat-hach/{seated.pk}/in/{kind}.pdf")
        assert response.status_code == 200 and response.getvalue().startswith(b"%PDF"), kind
    cards = session_documents.session_html(seated, "the-du-thi")
    assert cards.count("SH00") == 80 and "Cán Bộ 00" in cards
    plan = session_documents.session_html(seated, "so-do-cho-ngoi")
    assert plan.count("<strong>1</strong>") == 4  # seat 1 of each room × shift
    assert json.dumps(session_selectors.room_live(room(seated, "Ca 2", "A"))[0], default=str)


def test_the_monitor_json_lists_time_left_and_who_has_not_started_by_room(seated, client, trainer_user):
    rs = room(seated, "Ca 1", "B")
    services.room_shift_open(room_shift=rs)
    seat = rs.seats.order_by("seat").first()
    services.seat_check_in(seat=seat, present=True)
    services.attempt_start(exam=seated.first, official=seat.candidate.official, ip="1.2.3.4")
    client.force_login(trainer_user)
    live = client.get(f"/thi/{seated.first.pk}/giam-sat.json").json()
    assert live["counts"] == {"started": 1, "submitted": 0, "idle": 0, "not_started": 39}
    assert live["rows"][0]["room"] == "B" and 29 * 60 < live["rows"][0]["seconds_left"] <= 30 * 60
    assert {r["room"] for r in live["not_started"]} == {"A", "B"}
    assert seat.candidate.number not in {r["number"] for r in live["not_started"]}
    page = client.get(f"/thi/{seated.first.pk}/giam-sat/").content.decode()
    assert 'http-equiv="refresh"' not in page and "giam-sat.json" in page


def test_the_monitor_of_an_exam_without_session_lists_its_audience_not_started(exam, client, trainer_user,
                                                                                 trang_dai_official):
    client.force_login(trainer_user)
    live = client.get(f"/thi/{exam.pk}/giam-sat.json").json()
    assert trang_dai_official.full_name in {r["name"] for r in live["not_started"]}
    client.force_login(trang_dai_official.user)
    assert client.get(f"/thi/{exam.pk}/giam-sat.json").status_code == 403


def test_a_supervisor_finds_their_room_on_their_page(seated, client):
    rs = room(seated, "Ca 1", "A")
    rs.supervisors.add(seated.supervisor)
    client.force_login(seated.supervisor)
    assert f"/ky-sat-hach/phong/{rs.pk}/" in client.get(_dashboard()).content.decode()
    client.force_login(seated.chair)
    assert f"/ky-sat-hach/{seated.pk}/" in client.get(_dashboard()).content.decode()


def _dashboard():
    from django.urls import reverse

    return reverse("org:dashboard")


def test_the_demo_has_a_session_the_supervisor_can_run_and_the_official_sit(client, settings):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("seed_demo", officials=300, stdout=out)
    session = ExamSession.objects.get()
    assert session.candidates.count() == 40 and Seat.objects.filter(candidate__session=session).count() == 80
    seat = Seat.objects.get(candidate__official__user__username="official", room_shift__shift__name="Ca 1")
    assert (seat.room_shift.room.name, seat.candidate.number) == ("Phòng A", "SH0001")
    assert "giamthi" in out.getvalue()
    assert client.login(username="giamthi", password=settings.DEMO_PASSWORD)
    client.post(f"/ky-sat-hach/phong/{seat.room_shift.pk}/", {"action": "check_in", "seat": seat.pk, "present": "1",
                                                             "identity": "1"})
    client.post(f"/ky-sat-hach/phong/{seat.room_shift.pk}/", {"action": "open"})
    assert client.login(username="official", password=settings.DEMO_PASSWORD)
    started = client.post(f"/api/exams/{seat.room_shift.shift.exam_id}/attempts", json.dumps({}),
                          content_type="application/json")
    assert started.status_code == 201 and len(started.json()["paper"]) == 10
    call_command("seed_demo", reset=True, officials=200, stdout=io.StringIO())  # the session goes, then comes back
    assert ExamSession.objects.count() == 1


def essay_session(official, chair):
    """A published session of one essay exam (10 points) that `official` sat; `chair` chairs it and graded the essay
    4 of 10."""
    from exams.grading.essays import essay_grade
    from exams.models import AttemptQuestion

    essay = ExamFactory(title="Tự luận", published=True, time_limit_minutes=30,
                        bank=TopicFactory(name="Tự luận", gift="::TL::Trình bày quy trình tiếp nhận hồ sơ.{}"),
                        bank__draw_count=1, bank__points_per_question=10, show_score_after_submit=True)
    s = ExamSession.objects.create(title="Sát hạch tự luận", starts_on=dt.date(2026, 12, 10))
    CouncilMember.objects.create(session=s, user=chair, full_name="Chủ tịch", role="chair")
    ExamRoom.objects.create(session=s, name="A", seats=5)
    Shift.objects.create(session=s, exam=essay, name="Ca 1", starts_at=timezone.now())
    services.session_room_shifts_sync(session=s)
    services.session_candidates_add(session=s, officials=[official])
    services.session_seats_assign(session=s)
    seat = Seat.objects.get(candidate__session=s)
    services.room_shift_open(room_shift=seat.room_shift)
    services.seat_check_in(seat=seat, present=True)
    attempt = services.attempt_start(exam=essay, official=official, ip="1.2.3.4")
    services.answer_save(attempt=attempt, slot=1, response={"text": "Bước 1, bước 2."}, seq=1)
    services.room_shift_close(room_shift=seat.room_shift)
    essay_grade(slot=AttemptQuestion.objects.get(attempt=attempt), points=4, by=chair)
    services.session_publish(session=s, by=chair)
    s.attempt = attempt
    return s


def test_second_marking_from_the_request_to_the_council_decision(tree, client, trang_dai_official, trainer_user):
    from exams.models import AttemptQuestion, GradeChange, SecondMarking

    s = essay_session(trang_dai_official, trainer_user)
    attempt = s.attempt
    slot = AttemptQuestion.objects.get(attempt=attempt)
    marker = UserFactory(username="giamkhao", first_name="Lê Thị Chấm")
    CouncilMember.objects.create(session=s, user=marker, full_name="Lê Thị Chấm", role="marker")

    client.force_login(trang_dai_official.user)
    review = client.get(f"/thi/ket-qua/{attempt.pk}/").content.decode()
    assert f"/ky-sat-hach/phuc-khao/{slot.pk}/" in review
    client.post(f"/ky-sat-hach/phuc-khao/{slot.pk}/", {"reason": "Em đã nêu đủ các bước"})
    request = SecondMarking.objects.get()
    assert f"/ky-sat-hach/phuc-khao/{slot.pk}/" not in client.get(f"/thi/ket-qua/{attempt.pk}/").content.decode()

    client.force_login(trainer_user)
    page = f"/ky-sat-hach/{s.pk}/"
    html = client.get(page).content.decode()
    assert "Em đã nêu đủ các bước" in html
    assert html.split("<title>")[1].split("</title>")[0].strip().startswith("Sát hạch tự luận")
    assert html.count('id="second-markings"') == 1
    client.post(page, {"action": "decide", "request": request.pk, "points": "7", "note": "x"})  # not marked yet
    assert SecondMarking.objects.get().status == "requested"
    # The chair graded the essay first: the second mark must come from someone else.
    refused = client.post(page, {"action": "second_mark", "request": request.pk, "points": "9"}, follow=True)
    assert "Bạn đã chấm bài này lần đầu" in refused.content.decode()
    assert SecondMarking.objects.get().status == "requested"
    client.force_login(marker)
    client.post(f"/ky-sat-hach/{s.pk}/cham-phuc-khao/", {"request": request.pk, "points": "7,5"})
    client.force_login(trainer_user)
    client.post(page, {"action": "decide", "request": request.pk, "points": "7", "note": "Giữ điểm phúc khảo 7"})
    request.refresh_from_db()
    attempt.refresh_from_db()
    assert (request.status, request.second_fraction, request.decided_fraction) == ("decided", 0.75, 0.7)
    assert request.marker == marker
    assert attempt.score == 7 and GradeChange.objects.filter(attempt=attempt).count() == 2


def test_a_marker_marks_a_second_time_on_their_page_and_nothing_more(tree, client, trang_dai_official,
                                                                     trainer_user):
    from exams.models import AttemptQuestion, SecondMarking

    s = essay_session(trang_dai_official, trainer_user)
    slot = AttemptQuestion.objects.get(attempt=s.attempt)
    request = services.second_marking_request(session=s, slot=slot, reason="Em đã nêu đủ các bước",
                                              by=trang_dai_official.user)
    marker = UserFactory(username="giamkhao")
    CouncilMember.objects.create(session=s, user=marker, full_name="Lê Thị Chấm", role="marker")
    desk, council = f"/ky-sat-hach/{s.pk}/cham-phuc-khao/", f"/ky-sat-hach/{s.pk}/"

    client.force_login(marker)
    listing = client.get("/ky-sat-hach/").content.decode()
    assert desk in listing and f'href="{council}"' not in listing  # their page, not the council's
    card = client.get(_dashboard()).content.decode()  # and from their own page
    assert desk in card and "1 bài chờ chấm phúc khảo" in card and f'href="{council}"' not in card
    html = client.get(desk).content.decode()
    assert "Em đã nêu đủ các bước" in html and "Bước 1, bước 2." in html  # the reason and the essay
    assert "Trình bày quy trình tiếp nhận hồ sơ." in html  # the question
    assert trang_dai_official.full_name not in html  # not who wrote it
    assert "4/10" not in html and "0.40" not in html and "0,40" not in html  # nor the first mark

    # The council's page, its papers, the decision and publication stay closed.
    assert client.get(council).status_code == 403
    assert client.get(f"/ky-sat-hach/{s.pk}/in/the-du-thi.pdf").status_code == 403
    assert client.get(f"/ky-sat-hach/{s.pk}/ket-qua.xlsx").status_code == 403
    assert client.post(council, {"action": "publish"}).status_code == 403

    # A mark out of range is refused and said; then the mark is recorded.
    said = client.post(desk, {"request": request.pk, "points": "12"}, follow=True).content.decode()
    assert "nhập điểm từ 0" in said
    assert SecondMarking.objects.get().status == "requested"
    done = client.post(desk, {"request": request.pk, "points": "8", "note": "Đủ ý"}, follow=True).content.decode()
    assert "Đã ghi điểm chấm phúc khảo" in done
    request.refresh_from_db()
    assert (request.status, request.second_fraction, request.marker, request.marker_note) == (
        "marked", 0.8, marker, "Đủ ý")
    # The mark is its marker's: another marker of the council cannot overwrite it.
    other = UserFactory(username="giamkhao2")
    CouncilMember.objects.create(session=s, user=other, full_name="Phạm Văn Hai", role="marker")
    client.force_login(other)
    said = client.post(desk, {"request": request.pk, "points": "3"}, follow=True).content.decode()
    assert "Giám khảo khác đã chấm phúc khảo bài này" in said
    request.refresh_from_db()
    assert (request.second_fraction, request.marker) == (0.8, marker)
    client.force_login(marker)
    # The decision is the council's: refused to the marker, on any page.
    assert client.post(council, {"action": "decide", "request": request.pk, "points": "8",
                                 "note": "x"}).status_code == 403
    request.refresh_from_db()
    assert request.status == "marked" and request.decided_fraction is None

    # Once decided, the request leaves the marker's page and cannot be marked again.
    services.second_marking_decide(request=request, fraction=0.8, note="Giữ điểm phúc khảo", by=trainer_user)
    assert "Em đã nêu đủ các bước" not in client.get(desk).content.decode()
    with pytest.raises(ValidationError, match="đã quyết định|already decided"):
        services.second_marking_mark(request=request, fraction=0.5, by=marker)


def test_a_marker_of_another_session_or_an_official_cannot_open_the_markers_page(tree, client, trang_dai_official,
                                                                                 trainer_user):
    s = essay_session(trang_dai_official, trainer_user)
    other = ExamSession.objects.create(title="Kỳ khác", starts_on=dt.date(2026, 12, 11))
    stranger = UserFactory(username="giamkhaokhac")
    CouncilMember.objects.create(session=other, user=stranger, full_name="Giám khảo khác", role="marker")
    supervisor = UserFactory(username="giamthi2")
    CouncilMember.objects.create(session=s, user=supervisor, full_name="Giám thị", role="supervisor")
    desk = f"/ky-sat-hach/{s.pk}/cham-phuc-khao/"
    client.force_login(stranger)
    assert client.get(desk).status_code == 404  # another session's marker: not shown to exist
    client.force_login(trang_dai_official.user)
    assert client.get(desk).status_code == 404
    client.force_login(supervisor)
    assert client.get(desk).status_code == 403  # on the council, but not a marker
    client.force_login(trainer_user)
    assert client.get(desk).status_code == 200


def test_a_session_rooms_network_is_spared_the_open_internet_sign_in_limits_while_it_runs(seated):
    from exams.selectors import exam_room_networks

    assert "10.1.0.0/24" in exam_room_networks()  # room A's shift 1 starts now
    for rs in RoomShift.objects.filter(room__name="A"):
        if rs.status == "waiting":
            services.room_shift_open(room_shift=rs)
        services.room_shift_close(room_shift=rs)
    assert "10.1.0.0/24" not in exam_room_networks()


# --- Issue 16 item 6: the sitting is written at check-in (READY) and the start turns it on --------------------------

def test_check_in_writes_the_sitting_ready_and_nobody_counts_it_until_the_start(seated, client):
    from django.test.utils import CaptureQueriesContext

    from exams import selectors
    from exams.grading import exam_results
    from exams.models import AttemptQuestion

    seat = checked_in(seated, "SH0021")  # room B: any address
    official = seat.candidate.official
    ready = Attempt.with_prepared.get(official=official, exam=seated.first)
    assert ready.status == Attempt.Status.READY and ready.slots.count() == 10
    assert PreparedPaper.objects.get(seat=seat).attempt_id == ready.pk
    # Not begun for anyone: the candidate's own lists, the console, the results, the attempts count.
    assert not Attempt.objects.filter(official=official).exists()
    assert not seated.first.attempts.exists() and not official.exam_attempts.exists()
    row = next(r for r in selectors.exams_open_to(official) if r["exam"] == seated.first)
    assert row["attempts"] == [] and row["current"] is None and row["can_start"]
    live = next(r for r in session_selectors.room_live(seat.room_shift) if r["seat_id"] == seat.pk)
    assert live["state"] == "not_started" and live["attempt_id"] is None
    assert all(r.official_id != official.pk for r in exam_results(exam=seated.first))
    client.force_login(official.user)
    assert client.get(f"/api/attempts/{ready.pk}").status_code == 404  # the paper is not readable before the start
    slot = ready.slots.first()
    files = slot.version.data.get("files") or {"x.png": "none"}
    assert client.get(f"/ngan-hang-cau-hoi/tep/{slot.version_id}/{next(iter(files))}").status_code == 404

    with CaptureQueriesContext(connection) as queries:
        attempt = services.attempt_start(exam=seated.first, official=official, ip="1.2.3.4")
    assert attempt.pk == ready.pk and attempt.status == Attempt.Status.IN_PROGRESS and attempt.number == 1
    writes = [q["sql"].strip() for q in queries.captured_queries
              if q["sql"].strip().startswith(("INSERT", "UPDATE", "DELETE", "WITH"))]
    assert not any("exams_attemptquestion" in sql for sql in writes), writes  # no slot written at the start
    assert len([sql for sql in writes if "UPDATE exams_attempt " in sql or 'UPDATE "exams_attempt"' in sql]) == 1
    assert len(writes) <= 2, writes  # the sitting turned on and the start recorded (one statement on PostgreSQL)
    assert attempt.events.filter(kind="start", detail__seat=seat.pk).count() == 1
    assert AttemptQuestion.objects.filter(attempt=attempt).count() == 10
    fresh = Attempt.objects.get(pk=attempt.pk)
    assert fresh.started_ip == "1.2.3.4" and fresh.deadline > fresh.started_at >= ready.started_at
    assert list(Attempt.objects.filter(official=official)) == [fresh]
    # A second start resumes the same sitting.
    assert services.attempt_start(exam=seated.first, official=official, ip="1.2.3.4").pk == attempt.pk


def test_the_start_from_the_api_is_one_read_and_one_statement_from_the_account_alone(seated, client):
    from django.test.utils import CaptureQueriesContext

    seat = checked_in(seated, "SH0021")  # room B: any address
    official = seat.candidate.official
    ready = Attempt.with_prepared.get(official=official, exam=seated.first)
    client.force_login(official.user)
    client.get("/toi/")  # waiting on their page: the account's row is cached
    url = f"/api/exams/{seated.first.pk}/attempts"
    with CaptureQueriesContext(connection) as queries:
        reply = client.post(url, json.dumps({"access_code": ""}), content_type="application/json")
    assert reply.status_code == 201, reply.content
    body = reply.json()
    assert body["id"] == ready.pk and body["status"] == "in_progress" and len(body["paper"]) == 10
    assert body["exam"] == seated.first.title and body["answers"] == {}
    sqls = [q["sql"] for q in queries.captured_queries]
    # Neither the official nor the exam is loaded by the ORM, nothing is written to the session.
    assert not any(sql.lstrip().startswith("SELECT") and "exams_attempt" not in sql and "django_session" not in sql
                   for sql in sqls), sqls
    if connection.vendor == "postgresql":
        assert len(sqls) == 2, sqls  # the read, and the UPDATE with its start event
    fresh = Attempt.objects.get(pk=ready.pk)
    assert fresh.status == "in_progress" and fresh.events.filter(kind="start").count() == 1
    assert round((fresh.deadline - fresh.started_at).total_seconds() / 60) == seated.first.time_limit_minutes
    # Pressed again (a second tab): the same sitting, through the general path.
    again = client.post(url, json.dumps({"access_code": ""}), content_type="application/json")
    assert again.status_code == 201 and again.json()["id"] == ready.pk and len(again.json()["paper"]) == 10


def test_a_candidate_with_no_attempt_left_gets_no_ready_sitting(seated):
    from exams.models import ExamOverride

    seat = seat_of("SH0022")
    official = seat.candidate.official
    seated.first.attempts_allowed = 1
    seated.first.save()
    services.room_shift_open(room_shift=seat.room_shift, by=seated.supervisor)
    services.seat_check_in(seat=seat, present=True, by=seated.supervisor)
    first = services.attempt_start(exam=seated.first, official=official, ip="1.2.3.4")
    services.attempt_submit(attempt=first)
    PreparedPaper.objects.filter(seat=seat).delete()  # prepared again, e.g. after a re-seat
    services.seat_check_in(seat=seat, present=True, by=seated.supervisor)
    assert not Attempt.with_prepared.filter(official=official, status=Attempt.Status.READY).exists()
    with pytest.raises(ExamRefused, match="hết số lần|all the attempts"):
        services.attempt_start(exam=seated.first, official=official, ip="1.2.3.4")
    # One more attempt given: the start draws the paper as before.
    ExamOverride.objects.create(exam=seated.first, official=official, extra_attempts=1)
    second = services.attempt_start(exam=seated.first, official=official, ip="1.2.3.4")
    assert second.number == 2 and second.slots.count() == 10


def test_closing_the_room_drops_the_papers_nobody_started(seated):
    rs = room(seated, "Ca 1", "B")
    services.room_shift_open(room_shift=rs, by=seated.supervisor)
    seats = list(rs.seats.order_by("seat")[:3])
    for s in seats:
        services.seat_check_in(seat=s, present=True, by=seated.supervisor)
    services.attempt_start(exam=seated.first, official=seats[0].candidate.official, ip="1.2.3.4")
    services.incident_record(room_shift=rs, seat=seats[2], kind="removed", reason="Sử dụng tài liệu",
                             by=seated.supervisor)
    assert Attempt.with_prepared.filter(status=Attempt.Status.READY).count() == 2
    services.room_shift_close(room_shift=rs, by=seated.supervisor)
    assert not Attempt.with_prepared.filter(status=Attempt.Status.READY).exists()
    assert Attempt.objects.count() == 1
    assert session_selectors.room_minutes(rs)["counts"]["submitted"] == 1
    # Deleting a whole session takes any paper still prepared with it.
    other = seat_of("SH0001")
    services.room_shift_open(room_shift=other.room_shift, by=seated.supervisor)
    services.seat_check_in(seat=other, present=True, by=seated.supervisor)
    assert Attempt.with_prepared.filter(status=Attempt.Status.READY).count() == 1
    PreparedPaper.objects.filter(seat=other).delete()
    assert not Attempt.with_prepared.filter(status=Attempt.Status.READY).exists()


def test_a_ready_sitting_cannot_be_graded_or_asked_for_second_marking(seated, client, trainer_user):
    seat = seat_of("SH0023")
    services.room_shift_open(room_shift=seat.room_shift, by=seated.supervisor)
    services.seat_check_in(seat=seat, present=True, by=seated.supervisor)
    slot = Attempt.with_prepared.get(official=seat.candidate.official).slots.first()
    client.force_login(trainer_user)
    response = client.post(f"/thi/{seated.first.pk}/cham-tu-luan/{slot.pk}/", {f"s{slot.pk}-points": "1"})
    assert response.status_code == 404


def test_time_added_before_the_start_and_an_accommodation_both_count_in_the_deadline(seated):
    from exams.models import ExamOverride

    rs = room(seated, "Ca 1", "B")
    services.room_shift_open(room_shift=rs, by=seated.supervisor)
    plain, added, accommodated = (seat_of(n) for n in ("SH0024", "SH0025", "SH0026"))
    for s in (plain, added, accommodated):
        services.seat_check_in(seat=s, present=True, by=seated.supervisor)
    services.incident_record(room_shift=rs, seat=added, kind="time_added", minutes=7, reason="Máy hỏng",
                             by=seated.supervisor)
    ExamOverride.objects.create(exam=seated.first, official=accommodated.candidate.official, extra_minutes=15)
    minutes = {}
    for s in (plain, added, accommodated):
        a = services.attempt_start(exam=seated.first, official=s.candidate.official, ip="1.2.3.4")
        a = Attempt.objects.get(pk=a.pk)
        assert a.status == "in_progress" and a.slots.count() == 10
        minutes[s.candidate.number] = round((a.deadline - a.started_at).total_seconds() / 60)
    assert minutes == {"SH0024": 30, "SH0025": 37, "SH0026": 45}


def test_a_prepared_sitting_still_needs_the_access_code_and_the_window(seated):
    seat = seat_of("SH0027")
    official = seat.candidate.official
    services.room_shift_open(room_shift=seat.room_shift, by=seated.supervisor)
    services.seat_check_in(seat=seat, present=True, by=seated.supervisor)
    seated.first.access_code = "4821"
    seated.first.closes_at = timezone.now() - dt.timedelta(minutes=1)
    seated.first.save()
    with pytest.raises(ExamRefused, match="not open now|không mở"):
        services.attempt_start(exam=seated.first, official=official, ip="1.2.3.4")
    seated.first.closes_at = None
    seated.first.save()
    with pytest.raises(ExamRefused):
        services.attempt_start(exam=seated.first, official=official, ip="1.2.3.4")
    assert Attempt.with_prepared.get(official=official).status == Attempt.Status.READY
    attempt = services.attempt_start(exam=seated.first, official=official, ip="1.2.3.4", access_code="4821")
    assert Attempt.objects.get(pk=attempt.pk).status == "in_progress"


def test_a_sitting_begun_in_the_room_is_not_continued_from_outside_the_venue(seated, client):
    from exams.models import ExamRoom

    ExamRoom.objects.filter(session=seated, name="B").update(allowed_ip_ranges="10.2.0.0/24")
    seat = seat_of("SH0001")  # room A: 10.1.0.0/24
    services.room_shift_open(room_shift=seat.room_shift, by=seated.supervisor)
    services.room_shift_open(room_shift=room(seated, "Ca 1", "B"), by=seated.supervisor)
    services.seat_check_in(seat=seat, present=True, by=seated.supervisor)
    official = seat.candidate.official
    client.force_login(official.user)
    start = client.post(f"/api/exams/{seated.first.pk}/attempts", json.dumps({"access_code": ""}),
                        content_type="application/json", REMOTE_ADDR="10.1.0.5")
    assert start.status_code == 201, start.content
    attempt_id = start.json()["id"]

    def save(seq, ip):
        return client.put(f"/api/attempts/{attempt_id}/answers/1", json.dumps(
            {"response": {"choice": 1}, "seq": seq, "client": "tab-1"}), content_type="application/json",
            REMOTE_ADDR=ip)

    assert save(1, "10.1.0.5").status_code == 200
    outside = save(2, "203.0.113.9")
    assert outside.status_code == 403 and outside.json()["code"] == "ip_refused"
    assert "203.0.113.9" in outside.json()["detail"]
    assert client.get(f"/api/attempts/{attempt_id}", REMOTE_ADDR="203.0.113.9").status_code == 403
    assert save(3, "10.2.0.9").status_code == 200  # the venue's other room: the start checked the room itself
    assert Attempt.objects.get(pk=attempt_id).answers.get(slot=1).seq == 3


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks between two connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("what", ["room closed", "candidate removed"])
def test_a_start_at_the_moment_the_room_closes_or_its_candidate_is_removed_waits_for_it_and_is_refused(what, seated):
    import threading

    import psycopg

    seat = checked_in(seated, "SH0021")
    official = seat.candidate.official
    params = connection.settings_dict
    supervisor = psycopg.connect(dbname=params["NAME"], user=params["USER"], host=params["HOST"] or None,
                                 port=params["PORT"] or None, password=params["PASSWORD"] or None)
    # The supervisor's transaction is under way, not committed (room_shift_close locks the row FOR UPDATE first).
    if what == "room closed":
        supervisor.execute("SELECT 1 FROM exams_roomshift WHERE id = %s FOR UPDATE", [seat.room_shift_id])
        supervisor.execute("UPDATE exams_roomshift SET status = %s WHERE id = %s",
                           [RoomShift.Status.CLOSED, seat.room_shift_id])
    else:
        supervisor.execute("UPDATE exams_seat SET attendance = %s WHERE id = %s", [Seat.Attendance.REMOVED, seat.pk])
    started = {}

    def press_start():
        try:
            started["attempt"] = services.attempt_start_prepared(exam_id=seated.first.pk, user_id=official.user_id,
                                                                 ip="10.1.0.7")
        finally:
            connection.close()

    candidate = threading.Thread(target=press_start)
    candidate.start()
    candidate.join(1.0)
    try:
        assert candidate.is_alive()  # the start waits for the supervisor's transaction
    finally:
        supervisor.commit()
        supervisor.close()
        candidate.join(10)
    assert not candidate.is_alive() and started["attempt"] is None  # it then sees the close or removal: no start
    assert Attempt.with_prepared.get(official=official, exam=seated.first).status == Attempt.Status.READY
    assert not Attempt.objects.filter(official=official).exists()
