"""Fixtures of the report tests: a small province with a dated history (see `history`)."""
import datetime as dt

import pytest
from django.utils import timezone

from lms import services as lms_services
from lms.models import Assignment, TrainingSession
from org import services as org_services
from org.models import OfficialStatus, UnitKind

from ..factories import OfficialFactory, RequirementFactory, UnitFactory


def aware(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def session(requirement, day: dt.date) -> TrainingSession:
    return TrainingSession.objects.create(title=f"Tập huấn {day}", requirement=requirement, starts_at=aware(day),
                                          ends_at=aware(day, 12), location="Hội trường UBND tỉnh")


def attend(s: TrainingSession, officials, *, requirement) -> None:
    """Mark officials present at a past session and let the LMS record their completion, dated that day."""
    for o in officials:
        lms_services.attendance_record(session=s, official=o)
    lms_services.completion_evaluate(requirement=requirement, official_ids=[o.pk for o in officials],
                                     now=s.ends_at + dt.timedelta(days=1))


@pytest.fixture
def history(db):
    """Huyện Cũ (Xã Một, Xã Hai) and Thành phố Mới (Phường Ba) in 2020. Xã Hai is renamed Phường Hai on 01/06/2022
    and merged into Xã Một on 01/07/2023; Xã Bốn is created on 01/01/2024. One official moves on 01/01/2021, one
    retires on 01/03/2021, one starts in 02/2021 and never finishes, one joins in 2024. Training is a session:
    completions in 10/2020 and 09/2021, valid 12 months (a second requirement's never expire)."""
    start = dt.date(2020, 1, 1)
    province = UnitFactory(code="75", name="Tỉnh Đồng Nai", kind=UnitKind.PROVINCE)
    old = UnitFactory(code="740", name="Huyện Cũ", kind=UnitKind.DISTRICT, parent=province)
    new = UnitFactory(code="741", name="Thành phố Mới", kind=UnitKind.CITY, parent=province)
    one = UnitFactory(code="26001", name="Xã Một", kind=UnitKind.COMMUNE, parent=old)
    two = UnitFactory(code="26002", name="Xã Hai", kind=UnitKind.COMMUNE, parent=old)
    three = UnitFactory(code="26003", name="Phường Ba", kind=UnitKind.WARD, parent=new)
    people = {
        "an": OfficialFactory(full_name="Nguyễn Văn An", unit=one, on=start),
        "binh": OfficialFactory(full_name="Trần Thị Bình", unit=one, on=start),
        "cuong": OfficialFactory(full_name="Lê Văn Cường", unit=two, on=start),
        "dung": OfficialFactory(full_name="Phạm Thị Dung", unit=two, on=start),
        "em": OfficialFactory(full_name="Hoàng Văn Em", unit=one, on=start),
        "gam": OfficialFactory(full_name="Vũ Thị Gấm", unit=three, on=start),
    }
    yearly = RequirementFactory(title="Bồi dưỡng CCHC hằng năm", plan_clause="mục II.4.c", requires_attendance=True,
                                due_date=dt.date(2021, 6, 30), validity_months=12, renewal_window_days=30,
                                audience_units=[province])
    once = RequirementFactory(title="Kỹ năng một cửa", requires_attendance=True, due_date=dt.date(2021, 6, 30),
                              validity_months=None, target_percent=80, audience_units=[province])
    for req in (yearly, once):
        lms_services.requirement_assign(requirement=req, now=aware(dt.date(2020, 6, 1)))
    # 2020–2021: training, a move, a retirement.
    s1 = session(yearly, dt.date(2020, 10, 1))
    attend(s1, [people["an"], people["binh"], people["em"]], requirement=yearly)
    attend(session(once, dt.date(2020, 10, 2)), [people["an"], people["gam"]], requirement=once)
    org_services.official_transfer(official=people["em"], to_unit=three, on=dt.date(2021, 1, 1))
    people["gam"].status = OfficialStatus.RETIRED
    people["gam"].save()
    for req in (yearly, once):
        lms_services.requirement_assign(requirement=req, official_ids=[people["gam"].pk],
                                        now=aware(dt.date(2021, 3, 1)))
    # Dung starts the yearly training's reading in 02/2021 and never finishes it.
    Assignment.objects.filter(official=people["dung"], requirement=yearly).update(
        started_at=aware(dt.date(2021, 2, 1)))
    attend(session(yearly, dt.date(2021, 9, 15)), [people["binh"], people["cuong"]], requirement=yearly)
    # 2022–2024: the tree changes; a newcomer.
    org_services.unit_update(unit=two, name="Phường Hai", kind=UnitKind.WARD, on=dt.date(2022, 6, 1))
    org_services.unit_merge(source=two, target=one, on=dt.date(2023, 7, 1))
    four = UnitFactory(code="26004", name="Xã Bốn", parent=old, active_from=dt.date(2024, 1, 1))
    people["hai"] = OfficialFactory(full_name="Đỗ Văn Hải", unit=four, on=dt.date(2024, 1, 1))
    for req in (yearly, once):
        lms_services.requirement_assign(requirement=req, official_ids=[people["hai"].pk],
                                        now=aware(dt.date(2024, 1, 2)))
    today = timezone.localdate()
    for req in (yearly, once):
        lms_services.assignment_status_refresh(requirement=req, today=today)
    units = {"province": province, "old": old, "new": new, "one": one, "two": two, "three": three, "four": four}
    return {"units": units, "people": people, "yearly": yearly, "once": once}
