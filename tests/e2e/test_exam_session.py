"""A kỳ sát hạch run end to end in a real browser: the council lists 40 candidates and seats them in 2 rooms × 2
shifts, a supervisor checks the demo official in and opens the room, the official sits on a phone, the console
updates by itself, an incident adds time, the supervisor closes the room, the minutes count what happened, and the
council publishes the result list."""
import datetime as dt

from django.utils import timezone

from exams import services, session_documents
from exams.models import Attempt, CouncilMember, ExamRoom, ExamSession, RoomShift, Seat, Shift
from org.models import Official, User

from .conftest import answer, sign_in, submit


def _session(exam, second_exam):
    trainer = User.objects.get(username="trainer")
    supervisor = User.objects.create(username="giamthi", first_name="Minh", last_name="Phạm Văn")
    from django.conf import settings

    supervisor.set_password(settings.DEMO_PASSWORD)
    supervisor.save()
    session = ExamSession.objects.create(title="Kỳ sát hạch một cửa 2026", starts_on=timezone.localdate(),
                                         place="Trường Chính trị tỉnh")
    official = Official.objects.get(user__username="official")
    others = list(Official.objects.exclude(pk=official.pk).order_by("employee_code")[:39])
    session.audience_officials.set([official, *others])
    CouncilMember.objects.create(session=session, user=trainer, full_name="Trần Thị Thu Hà", role="chair")
    CouncilMember.objects.create(session=session, user=supervisor, full_name="Phạm Văn Minh", role="supervisor")
    for name in ("A", "B"):
        ExamRoom.objects.create(session=session, name=f"Phòng {name}", seats=20)
    Shift.objects.create(session=session, exam=exam, name="Ca 1", starts_at=timezone.now())
    Shift.objects.create(session=session, exam=second_exam, name="Ca 2", starts_at=timezone.now() + dt.timedelta(hours=2))
    services.session_room_shifts_sync(session=session)
    return session, supervisor


def test_a_session_from_the_candidate_list_to_the_published_results(browser, page, live_server, demo, exam):
    from tests.factories import ExamFactory

    second = ExamFactory(title="Phần 2", time_limit_minutes=10, published=True, bank=exam.sections.get().topic,
                         bank__draw_count=3)
    session, supervisor = _session(exam, second)

    # The council's chair builds the list and seats it.
    sign_in(page, live_server.url, "trainer", demo)
    page.goto(f"{live_server.url}/ky-sat-hach/{session.pk}/")
    page.click("#add-audience")
    assert "Danh sách có 40 thí sinh." in page.inner_text("#candidates")
    page.click("#assign-seats")
    assert "Đã xếp 80 chỗ ngồi." in page.inner_text("body")
    seat = Seat.objects.select_related("room_shift__room").get(candidate__official__user__username="official",
                                                               room_shift__shift__name="Ca 1")
    room = seat.room_shift
    room.supervisors.add(supervisor)

    # The supervisor finds the room on their page, checks the official in and opens the shift.
    console = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    console.set_default_timeout(15_000)
    sign_in(console, live_server.url, "giamthi", demo)
    console.click(f"a[href='/ky-sat-hach/phong/{room.pk}/']")
    row = console.locator(f"#seats tr[data-seat='{seat.pk}']")
    row.locator("input[name=identity]").check()
    row.locator(f"button[data-check-in='{seat.seat}']").click()
    assert "Có mặt ✓" in console.locator(f"#seats tr[data-seat='{seat.pk}']").inner_text()
    console.click("#open-room")
    assert console.inner_text("#room-status") == "Đang mở"
    console.wait_for_function("document.querySelector(\"#seats tr[data-seat='%s'] [data-part=state]\")"
                              ".textContent === 'Chưa bắt đầu'" % seat.pk)
    console.evaluate("window.__sameConsole = true")  # a reload would lose it

    # The official sits on a phone.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "official", demo)
    page.goto(f"{live_server.url}/thi/")
    page.locator("section.card", has_text=exam.title).get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_selector("#q6")
    answer(page, 1, 0)
    page.wait_for_function("document.getElementById('save-state').textContent.startsWith('Đã lưu')")

    # The console shows it without a reload.
    console.wait_for_function("document.querySelector(\"#seats tr[data-seat='%s'] [data-part=state]\")"
                              ".textContent === 'Đang làm bài'" % seat.pk, timeout=20_000)
    assert console.evaluate("window.__sameConsole") is True
    attempt = Attempt.objects.get(official__user__username="official", exam=exam)
    deadline = attempt.deadline

    # A computer fails: ten minutes are added.
    console.select_option("#id_seat", str(seat.pk))
    console.select_option("#id_kind", "time_added")
    console.fill("#id_minutes", "10")
    console.fill("#id_reason", "Máy tính hỏng, chuyển sang máy dự phòng")
    console.click("#record-incident")
    assert "Máy tính hỏng" in console.inner_text("#incidents")
    attempt.refresh_from_db()
    assert attempt.deadline == deadline + dt.timedelta(minutes=10)

    submit(page)
    page.wait_for_selector("text=Đã nộp bài", timeout=15_000)

    # The supervisor closes the room (the page asks first, in the page) and prints the minutes.
    console.click("#close-room")
    console.click("#confirm-yes")
    console.wait_for_function("document.getElementById('room-status').textContent === 'Đã đóng'")
    pdf = console.request.get(f"{live_server.url}/ky-sat-hach/phong/{room.pk}/bien-ban.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    minutes = session_documents.minutes_html(RoomShift.objects.get(pk=room.pk))
    assert "Máy tính hỏng, chuyển sang máy dự phòng" in minutes and "Cộng thêm giờ (10 phút)" in minutes
    counts = session_documents.session_selectors.room_minutes(RoomShift.objects.get(pk=room.pk))["counts"]
    assert counts == {"seats": 20, "present": 1, "absent": 19, "removed": 0, "submitted": 1}

    # The other rooms finish; the council publishes the official list.
    for other in RoomShift.objects.filter(shift__session=session).exclude(pk=room.pk):
        services.room_shift_open(room_shift=other)
        services.room_shift_close(room_shift=other)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.clear_cookies()
    sign_in(page, live_server.url, "trainer", demo)
    page.goto(f"{live_server.url}/ky-sat-hach/{session.pk}/")
    page.click("#publish")
    assert page.inner_text("#session-status") == "Đã công bố kết quả"
    assert ExamSession.objects.get(pk=session.pk).status == "published"
    results = page.inner_text("#session-results")
    assert seat.candidate.number in results and ("Đạt" in results or "Chưa đạt" in results)
    console.context.close()


def test_a_candidate_cannot_start_before_the_room_is_opened(page, live_server, demo, exam):
    from tests.factories import ExamFactory

    second = ExamFactory(title="Phần 2", time_limit_minutes=10, published=True, bank=exam.sections.get().topic,
                         bank__draw_count=3)
    session, _supervisor = _session(exam, second)
    services.session_candidates_from_audience(session=session)
    services.session_seats_assign(session=session)
    sign_in(page, live_server.url, "official", demo)
    page.goto(f"{live_server.url}/thi/")
    page.locator("section.card", has_text=exam.title).get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_selector("text=chưa được mở")
    assert "Vui lòng chờ giám thị" in page.inner_text("body")
    assert not Attempt.objects.exists()
