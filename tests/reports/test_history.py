"""Coverage as of a past date, computed from the dated history: postings, completions and expiries, deactivated
assignments, and the unit tree with its names of that day (a rename, two merges, a unit created later)."""
import datetime as dt
import io
from collections import Counter

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from lms import rules
from lms import services as lms_services
from lms.models import Assignment, Completion, Requirement
from org import roles
from org import services as org_services
from org.models import Transfer
from org.selectors import Scope, unit_successors
from reports import selectors as sel
from reports.history import history_counts, snapshot_differences, tree_on
from reports.models import CoverageSnapshot
from reports.services import snapshot_take
from scoring import coverage

from ..factories import OfficialFactory

ADMIN_SCOPE = Scope(all_units=True, all_officials=True)


def brute_force(on: dt.date) -> Counter:
    """(unit, requirement, status) → people, one official at a time with `lms.rules.assignment_status`."""
    out = Counter()
    for a in Assignment.objects.select_related("requirement"):
        if timezone.localdate(a.assigned_at) > on:
            continue
        if a.deactivated_at is not None and timezone.localdate(a.deactivated_at) <= on:
            continue
        posting = (Transfer.objects.filter(official_id=a.official_id, effective_date__lte=on)
                   .order_by("-effective_date", "-id").first())
        if posting is None:
            continue
        done = [c for c in Completion.objects.filter(official_id=a.official_id, requirement_id=a.requirement_id)
                if timezone.localdate(c.completed_at) <= on]
        expires = None if not done or any(c.expires_at is None for c in done) else max(c.expires_at for c in done)
        started = a.started_at is not None and timezone.localdate(a.started_at) <= on
        status = rules.assignment_status(today=on, due_at=a.due_at, started=started, completed=bool(done),
                                         expires_at=expires, renewal_window_days=a.requirement.renewal_window_days)
        out[(posting.to_unit_id, a.requirement_id, status)] += 1
    return out


def as_counter(frame) -> Counter:
    return Counter({(int(u), int(r), s): int(n) for u, r, s, n in frame.itertuples(index=False)})


DATES = [dt.date(2020, 3, 31), dt.date(2020, 10, 1), dt.date(2021, 3, 31), dt.date(2021, 9, 30),
         dt.date(2021, 10, 1), dt.date(2022, 6, 30), dt.date(2023, 7, 1), dt.date(2024, 3, 31), dt.date(2025, 12, 31)]


@pytest.mark.parametrize("on", DATES, ids=str)
def test_figures_equal_a_count_one_official_at_a_time(history, on):
    expected = brute_force(on)
    assert as_counter(history_counts(on=on)) == expected
    if on >= dt.date(2020, 10, 1):
        assert expected, "someone is in the audience"


def test_statuses_on_a_day_follow_the_dates(history):
    u, p, yearly = history["units"], history["people"], history["yearly"]

    def status(on, who):
        counts = as_counter(history_counts(on=on, requirement_ids=[yearly.pk]))
        unit = {"an": u["one"], "binh": u["one"], "cuong": u["two"], "dung": u["two"], "em": u["three"]}[who]
        return {s for (uid, _r, s), n in counts.items() if uid == unit.pk and n}

    q1 = as_counter(history_counts(on=dt.date(2021, 3, 31), requirement_ids=[yearly.pk]))
    # Q1 2021: An and Bình completed in Xã Một; Em (completed, moved) in Phường Ba; in Xã Hai Cường has not started
    # and Dung is in progress; Gấm retired.
    assert q1 == Counter({(u["one"].pk, yearly.pk, "completed"): 2, (u["two"].pk, yearly.pk, "not_started"): 1,
                          (u["two"].pk, yearly.pk, "in_progress"): 1, (u["three"].pk, yearly.pk, "completed"): 1})
    # 9 months 2021: An's completion ends on 01/10 (expiring), Bình and Cường renewed/completed, Dung overdue.
    m9 = as_counter(history_counts(on=dt.date(2021, 9, 30), requirement_ids=[yearly.pk]))
    assert m9[(u["one"].pk, yearly.pk, "expiring")] == 1 and m9[(u["one"].pk, yearly.pk, "completed")] == 1
    assert m9[(u["two"].pk, yearly.pk, "completed")] == 1 and m9[(u["two"].pk, yearly.pk, "overdue")] == 1
    # The day it expires it no longer counts.
    after = as_counter(history_counts(on=dt.date(2021, 10, 1), requirement_ids=[yearly.pk]))
    assert after[(u["one"].pk, yearly.pk, "overdue")] == 1
    assert status(dt.date(2021, 10, 1), "em") == {"overdue"}


def test_past_tree_has_the_names_and_children_of_that_day(history):
    u = history["units"]
    before = tree_on(dt.date(2021, 12, 31)).set_index("id")
    assert before.loc[u["two"].pk, "name"] == "Xã Hai"
    assert u["four"].pk not in before.index
    assert before.loc[u["two"].pk, "path"] == f"/{u['province'].pk}/{u['old'].pk}/{u['two'].pk}/"
    renamed = tree_on(dt.date(2022, 12, 31)).set_index("id")
    assert renamed.loc[u["two"].pk, "name"] == "Phường Hai"
    merged = tree_on(dt.date(2023, 7, 1)).set_index("id")
    assert u["two"].pk not in merged.index
    assert u["four"].pk in tree_on(dt.date(2024, 1, 1)).set_index("id").index


def period_lines(report) -> dict:
    return {s.requirement.pk: {line["label"]: line for line in s.lines} for s in report.sections}


def test_past_period_report_lists_the_units_of_then_and_adds_up(history):
    u, yearly = history["units"], history["yearly"]
    report = sel.period_report(scope=ADMIN_SCOPE, unit=u["old"], period="q1", year=2022,
                               requirements=Requirement.objects.order_by("pk"))
    assert not report.live and report.as_of == dt.date(2022, 3, 31)
    lines = period_lines(report)[yearly.pk]
    # Xã Hai under its name of then (renamed and merged since), no Xã Bốn (created in 2024).
    assert list(lines) == ["Xã Một", "Xã Hai"]
    for section in report.sections:
        for figure in ("audience", "done", "in_progress", "not_started", "overdue"):
            assert sum(line[figure] for line in section.lines) == section.total[figure]
    assert lines["Xã Hai"]["note"] == "Sáp nhập vào Xã Một từ ngày 01/07/2023."
    assert report.notes == ["Xã Hai: Sáp nhập vào Xã Một từ ngày 01/07/2023."]
    # Year 2024: Xã Hai is gone, its people counted in Xã Một; Xã Bốn and its newcomer appear.
    later = period_lines(sel.period_report(scope=ADMIN_SCOPE, unit=u["old"], period="year", year=2024,
                                           requirements=[yearly]))[yearly.pk]
    assert list(later) == ["Xã Một", "Xã Bốn"]
    assert later["Xã Một"]["audience"] == 4 and later["Xã Bốn"]["audience"] == 1


def test_the_same_past_report_before_and_after_a_later_merge(client, history, admin_user):
    u = history["units"]

    def produce():
        report = sel.period_report(scope=ADMIN_SCOPE, unit=u["province"], period="m9", year=2021,
                                   requirements=Requirement.objects.order_by("pk"))
        figures = [[(line["label"], line["audience"], line["done"], line["overdue"], line["expiring"])
                    for line in s.lines] + [(s.total["audience"], s.total["done"])] for s in report.sections]
        client.force_login(admin_user)
        xlsx = client.get("/bao-cao/dinh-ky/", {"don-vi": "75", "ky": "m9", "nam": 2021, "dinh-dang": "xlsx"})
        rows = [r for r in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)
                if r and isinstance(r[1], str) and isinstance(r[2], int)]
        return figures, rows, report.notes

    figures, rows, notes = produce()
    assert [line[0] for line in figures[0][:-1]] == ["Huyện Cũ", "Thành phố Mới"]
    assert notes == []
    # 2025: the district level goes; Huyện Cũ merges into Thành phố Mới.
    org_services.unit_merge(source=u["old"], target=u["new"], on=dt.date(2025, 7, 1))
    again, rows_again, notes_again = produce()
    assert again == figures
    assert rows_again == rows
    assert notes_again == ["Huyện Cũ: Sáp nhập vào Thành phố Mới từ ngày 01/07/2025."]
    assert unit_successors([u["old"].pk, u["two"].pk, u["one"].pk]) == {u["old"].pk: [u["new"]],
                                                                         u["two"].pk: [u["one"]]}


def test_past_page_shows_old_names_and_notes_successors(client, history, admin_user):
    u, yearly = history["units"], history["yearly"]
    client.force_login(admin_user)
    page = client.get("/bao-cao/", {"yc": yearly.pk, "don-vi": "740", "ngay": "30/09/2021"})
    assert page.status_code == 200 and not page.context["report"].live
    assert [line["label"] for line in page.context["lines"]] == ["Xã Một", "Xã Hai"]
    assert "Sáp nhập vào Xã Một từ ngày 01/07/2023." in page.content.decode()
    assert page.context["total"]["audience"] == 4
    # A unit that did not exist yet: said so, and today's figures instead of an error.
    early = client.get("/bao-cao/", {"yc": yearly.pk, "don-vi": "26004", "ngay": "30/09/2021"})
    assert early.status_code == 200 and early.context["report"].live
    assert any("30/09/2021" in str(m) for m in early.context["messages"])
    # The periodic report of a unit that did not exist at the period's end: a message, not a wrong report.
    r = client.get("/bao-cao/dinh-ky/", {"don-vi": "26004", "ky": "year", "nam": 2022, "dinh-dang": "xlsx"},
                   follow=True)
    assert r.status_code == 200
    assert any("31/12/2022" in str(m) for m in r.context["messages"])


def test_a_personnel_officer_sees_the_past_of_their_subtree(history):
    u, yearly = history["units"], history["yearly"]
    officer = OfficialFactory(unit=u["new"], on=dt.date(2020, 1, 1))
    org_services.role_grant(user=officer.user, role=roles.PERSONNEL, scope_unit=u["new"])
    from org.selectors import scope_for

    report = sel.coverage_report(scope=scope_for(officer.user), requirements=[yearly], on=dt.date(2021, 3, 31))
    assert set(report.table["code"]) == {"741", "26003"}
    assert report.row(requirement_id=yearly.pk, unit_id=u["new"].pk)["audience"] == 1  # Em, moved in on 01/01/2021


def test_a_snapshot_is_checked_against_the_history(history):
    today = timezone.localdate()
    snapshot_take(on=today)
    assert CoverageSnapshot.objects.filter(date=today).exists()
    assert snapshot_differences(on=today) == []
    row = CoverageSnapshot.objects.filter(date=today, completed__gt=0).first()
    row.completed -= 1
    row.save()
    [diff] = snapshot_differences(on=today)
    assert (diff["unit_id"], diff["requirement_id"]) == (row.unit_id, row.requirement_id)
    assert diff["history"]["completed"] == diff["snapshot"]["completed"] + 1


def test_live_report_is_unchanged(history):
    live = sel.coverage_report(scope=ADMIN_SCOPE, requirements=Requirement.objects.all())
    assert live.live
    computed = coverage.wide_counts(history_counts(on=timezone.localdate()))
    stored = coverage.wide_counts(sel.live_counts(scope=ADMIN_SCOPE))
    assert computed.sort_values(["unit_id", "requirement_id"]).reset_index(drop=True).equals(
        stored.sort_values(["unit_id", "requirement_id"]).reset_index(drop=True))


def test_the_snapshot_check_command(history):
    from django.core.management import CommandError, call_command

    today = timezone.localdate()
    snapshot_take(on=today)
    out = io.StringIO()
    call_command("coverage_snapshot_check", stdout=out)
    assert f"{today}: agrees" in out.getvalue()
    CoverageSnapshot.objects.filter(date=today).update(not_started=99)
    with pytest.raises(CommandError):
        call_command("coverage_snapshot_check", today.isoformat(), stdout=io.StringIO())


def test_a_past_day_without_requirements_still_knows_its_units(history):
    report = sel.coverage_report(scope=ADMIN_SCOPE, requirements=[], on=dt.date(2021, 3, 31))
    assert report.has_unit(history["units"]["two"].pk) and not report.has_unit(history["units"]["four"].pk)
