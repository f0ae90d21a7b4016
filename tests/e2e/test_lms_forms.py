"""The unit picker in Chromium: Biên Hòa's personnel officer sees Biên Hòa's units as a tree of checkboxes (and no
other district's), ticks a ward to create a requirement, and opening it and saving it untouched changes nothing."""
from lms.models import Requirement
from org.models import Unit
from org.selectors import officials_in_audience

from .conftest import sign_in


def test_personnel_officer_picks_a_ward_and_saving_untouched_changes_nothing(page, live_server, demo):
    base = live_server.url
    bien_hoa = Unit.objects.get(code="731")
    ward = Unit.objects.get(code="25993")  # Phường Trảng Dài
    subtree = Unit.objects.filter(path__startswith=bien_hoa.path, active_to__isnull=True)
    sign_in(page, base, "personnel", demo)
    page.goto(f"{base}/hoc-tap/quan-ly/yeu-cau/moi/")

    boxes = page.locator(".unit-tree input[type=checkbox][name=audience_units]")
    assert boxes.count() == subtree.count() > 20
    assert sorted(boxes.evaluate_all("els => els.map(e => +e.value)")) == sorted(subtree.values_list("pk", flat=True))
    assert page.locator(".unit-tree label").first.inner_text().strip() == bien_hoa.name  # the root first
    ward_label = page.locator(".unit-tree label", has_text=ward.name)
    ward_label.scroll_into_view_if_needed()  # inside the scrolling box
    # A ward sits further right than its city: the tree is visible, not just ordered.
    assert ward_label.bounding_box()["x"] < ward_label.locator("input").bounding_box()["x"] - 10

    page.fill("input[name=title]", "Bồi dưỡng một cửa phường Trảng Dài")
    page.check("input[name=requires_attendance]")
    page.check("input[name=audience_one_stop_receivers]")
    ward_label.locator("input").check()
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(f"{base}/hoc-tap/quan-ly/yeu-cau/*/")
    requirement = Requirement.objects.get(title="Bồi dưỡng một cửa phường Trảng Dài")
    assert list(requirement.audience_units.all()) == [ward]
    reached = set(officials_in_audience(requirement).values_list("pk", flat=True))
    assert reached and all(o.unit_id == ward.pk for o in officials_in_audience(requirement))

    # Open it and save it as it is.
    page.goto(f"{base}/hoc-tap/quan-ly/yeu-cau/{requirement.pk}/sua/")
    assert page.locator(f".unit-tree input[value='{ward.pk}']").is_checked()
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(f"{base}/hoc-tap/quan-ly/yeu-cau/{requirement.pk}/")
    assert list(requirement.audience_units.all()) == [ward]
    assert set(officials_in_audience(requirement).values_list("pk", flat=True)) == reached
