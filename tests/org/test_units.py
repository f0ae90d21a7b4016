"""Reorganisation keeps history: past trees and past postings can be read back as they were."""
import datetime as dt

import pandas as pd
import pytest
from django.core.exceptions import ValidationError

from org import parsing, services
from org.models import Unit, UnitKind
from org.selectors import Scope, official_unit_on, unit_tree_on
from org.services import official_transfer, unit_close, unit_merge, unit_update

from ..factories import OfficialFactory, UnitFactory
from .conftest import EVERYTHING

pytestmark = pytest.mark.django_db


def names_on(day):
    return {row["code"]: row["name"] for row in unit_tree_on(day)}


def test_rename_keeps_the_old_name_for_past_dates(tree):
    unit_update(unit=tree["trang_dai"], name="Phường Trảng Dài Mới", on=dt.date(2021, 1, 1))
    assert names_on(dt.date(2020, 6, 1))["25993"] == "Phường Trảng Dài"
    assert names_on(dt.date(2021, 6, 1))["25993"] == "Phường Trảng Dài Mới"


def test_moving_a_unit_moves_its_subtree(tree):
    section = UnitFactory(code="25993-MC", name="Bộ phận Một cửa", kind=UnitKind.SECTION, parent=tree["trang_dai"])
    unit_update(unit=tree["trang_dai"], parent=tree["long_khanh"], on=dt.date(2021, 1, 1))
    section.refresh_from_db()
    assert section.path.startswith(tree["long_khanh"].path) and section.depth == 3
    past = {r["code"]: r["parent_code"] for r in unit_tree_on(dt.date(2020, 6, 1))}
    assert past["25993"] == "731"
    with pytest.raises(ValidationError):
        unit_update(unit=tree["long_khanh"], parent=section)


def test_merge_moves_officials_with_their_history_and_closes_the_unit(tree):
    person = OfficialFactory(unit=tree["tan_phong"])
    moved = unit_merge(source=tree["tan_phong"], target=tree["trang_dai"], on=dt.date(2021, 1, 1))
    assert moved == 1
    person.refresh_from_db()
    assert person.unit == tree["trang_dai"]
    assert official_unit_on(person, dt.date(2020, 12, 31)) == tree["tan_phong"]
    assert official_unit_on(person, dt.date(2021, 1, 1)) == tree["trang_dai"]
    tan_phong = Unit.objects.get(code="25996")
    assert tan_phong.active_to == dt.date(2021, 1, 1) and tan_phong.merged_into == tree["trang_dai"]
    assert "25996" in names_on(dt.date(2020, 12, 31)) and "25996" not in names_on(dt.date(2021, 1, 2))


def test_a_unit_with_people_cannot_be_closed(tree):
    OfficialFactory(unit=tree["tan_phong"])
    with pytest.raises(ValidationError):
        unit_close(unit=tree["tan_phong"])


def test_transfer_keeps_the_same_person_and_account(tree):
    person = OfficialFactory(unit=tree["trang_dai"])
    user_id = person.user_id
    official_transfer(official=person, to_unit=tree["xuan_trung"], on=dt.date(2022, 3, 1))
    person.refresh_from_db()
    assert person.user_id == user_id
    assert [t.to_unit.code for t in person.transfers.order_by("effective_date")] == ["25993", "26071"]


def test_unit_file_import_creates_renames_and_moves(tree, admin_user):
    frame = pd.DataFrame([
        {"Mã đơn vị": "25999", "Tên đơn vị": "Phường Tân Biên", "Loại đơn vị": "Phường", "Mã đơn vị cấp trên": "731"},
        {"Mã đơn vị": "25999-MC", "Tên đơn vị": "Bộ phận Một cửa Tân Biên", "Loại đơn vị": "Bộ phận",
         "Mã đơn vị cấp trên": "25999"},
        {"Mã đơn vị": "25996", "Tên đơn vị": "Phường Tân Phong (mới)", "Loại đơn vị": "Phường",
         "Mã đơn vị cấp trên": "731"},
    ]).astype(str)
    frame.index = range(2, 5)
    rows, errors = parsing.units_validate(frame, scope=EVERYTHING)
    assert errors == []
    result = services.units_apply(rows, by=admin_user)
    assert (result.created, result.updated) == (2, 1)
    assert Unit.objects.get(code="25999-MC").parent.code == "25999"
    again = services.units_apply(parsing.units_validate(frame, scope=EVERYTHING)[0], by=admin_user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_unit_file_with_a_loop_is_refused(tree):
    frame = pd.DataFrame([
        {"Mã đơn vị": "A1", "Tên đơn vị": "A", "Loại đơn vị": "Khác", "Mã đơn vị cấp trên": "B1"},
        {"Mã đơn vị": "B1", "Tên đơn vị": "B", "Loại đơn vị": "Khác", "Mã đơn vị cấp trên": "A1"},
    ])
    frame.index = range(2, 4)
    _rows, errors = parsing.units_validate(frame, scope=EVERYTHING)
    assert {(e.row, e.column) for e in errors} == {(2, "Mã đơn vị cấp trên"), (3, "Mã đơn vị cấp trên")}
    assert not Unit.objects.filter(code__in=["A1", "B1"]).exists()


def test_a_subtree_is_not_confused_with_units_whose_ids_share_its_prefix(tree):
    # Biên Hòa's path is "/<id>/"-based; units numbered 20–29 must not fall into a scope ending in "/2/".
    for _ in range(30):
        UnitFactory(parent=tree["province"], kind=UnitKind.DEPARTMENT)
    bien_hoa = tree["bien_hoa"]
    codes = set(Scope(unit_paths=(bien_hoa.path,)).units().values_list("code", flat=True))
    assert codes == {"731", "25993", "25996"}


def test_a_back_dated_rename_takes_its_place_and_keeps_a_later_move(tree):
    """Entered after a move dated later, a rename dated earlier neither erases the move nor doubles the unit."""
    trang_dai = tree["trang_dai"]
    unit_update(unit=trang_dai, parent=tree["long_khanh"], on=dt.date(2026, 12, 5))
    unit_update(unit=Unit.objects.get(pk=trang_dai.pk), name="Phường Trảng Dài (mới)", on=dt.date(2025, 7, 1))
    for day in (dt.date(2025, 6, 30), dt.date(2025, 7, 1), dt.date(2026, 12, 4), dt.date(2026, 12, 5),
                dt.date(2027, 1, 1)):
        rows = [r for r in unit_tree_on(day) if r["code"] == "25993"]
        assert len(rows) == 1, day
    on = {d: next(r for r in unit_tree_on(d) if r["code"] == "25993")
          for d in (dt.date(2025, 6, 30), dt.date(2025, 7, 1), dt.date(2026, 12, 5))}
    assert (on[dt.date(2025, 6, 30)]["name"], on[dt.date(2025, 6, 30)]["parent_code"]) == ("Phường Trảng Dài", "731")
    assert (on[dt.date(2025, 7, 1)]["name"], on[dt.date(2025, 7, 1)]["parent_code"]) == ("Phường Trảng Dài (mới)", "731")
    assert (on[dt.date(2026, 12, 5)]["name"], on[dt.date(2026, 12, 5)]["parent_code"]) == ("Phường Trảng Dài (mới)", "732")
    now = Unit.objects.get(pk=trang_dai.pk)
    assert now.name == "Phường Trảng Dài (mới)" and now.parent == tree["long_khanh"]


def test_a_back_dated_move_does_not_override_a_later_one_in_today_s_tree(tree):
    trang_dai = tree["trang_dai"]
    unit_update(unit=trang_dai, parent=tree["long_khanh"], on=dt.date(2026, 1, 1))
    unit_update(unit=Unit.objects.get(pk=trang_dai.pk), parent=tree["province"], on=dt.date(2024, 1, 1))
    assert Unit.objects.get(pk=trang_dai.pk).parent == tree["long_khanh"]
    parents = {d: next(r for r in unit_tree_on(d) if r["code"] == "25993")["parent_code"]
               for d in (dt.date(2023, 12, 31), dt.date(2024, 6, 1), dt.date(2026, 6, 1))}
    assert parents == {dt.date(2023, 12, 31): "731", dt.date(2024, 6, 1): "75", dt.date(2026, 6, 1): "732"}


def test_a_change_dated_before_the_unit_existed_is_refused(tree):
    with pytest.raises(ValidationError, match="did not exist yet|chưa"):
        unit_update(unit=tree["trang_dai"], name="X", on=dt.date(1990, 1, 1))


def test_a_back_dated_transfer_keeps_the_later_posting(tree):
    person = OfficialFactory(unit=tree["trang_dai"])
    official_transfer(official=person, to_unit=tree["long_khanh"], on=dt.date(2026, 1, 1))
    official_transfer(official=person, to_unit=tree["tan_phong"], on=dt.date(2024, 1, 1))
    person.refresh_from_db()
    assert person.unit == tree["long_khanh"]
    assert official_unit_on(person, dt.date(2024, 6, 1)) == tree["tan_phong"]
    assert official_unit_on(person, dt.date(2023, 6, 1)) == tree["trang_dai"]
    last = person.transfers.order_by("-effective_date").first()
    assert last.from_unit == tree["tan_phong"]
