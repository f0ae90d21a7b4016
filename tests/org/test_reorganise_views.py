"""Personnel officers reorganise units and transfer officials inside their subtree, and nowhere else."""
import pytest

from org.models import Official, Unit, UnitVersion

from ..factories import OfficialFactory

pytestmark = pytest.mark.django_db


def test_officer_renames_a_ward_and_the_history_shows_both_names(client, bien_hoa_officer, tree):
    client.force_login(bien_hoa_officer.user)
    response = client.post("/don-vi/25996/to-chuc-lai/", {"action": "rename", "new_name": "Phường Tân Phong Mới",
                                                          "effective_date": "01/07/2021"})
    assert response.status_code == 302
    page = client.get("/don-vi/25996/").content.decode()
    assert "Phường Tân Phong Mới" in page and "Phường Tân Phong" in page and "01/07/2021" in page
    assert UnitVersion.objects.filter(unit__code="25996", changed_by=bien_hoa_officer.user).exists()


def test_officer_merges_a_ward_after_a_preview_and_its_people_and_audiences_follow(client, bien_hoa_officer, tree,
                                                                                    long_khanh_official):
    from ..factories import RequirementFactory

    person = OfficialFactory(unit=tree["tan_phong"], full_name="Trần Văn Phong")
    requirement = RequirementFactory(title="Bồi dưỡng Tân Phong", audience_units=[tree["tan_phong"]])
    client.force_login(bien_hoa_officer.user)
    response = client.post("/don-vi/25996/to-chuc-lai/", {"action": "merge", "target": "25993",
                                                          "effective_date": "01/01/2025"})
    preview = response["Location"]
    assert preview.startswith("/don-vi/sap-xep/")
    page = client.get(preview).content.decode()
    assert "Bồi dưỡng Tân Phong" in page and "Phường Tân Phong" in page
    assert Unit.objects.get(code="25996").active_to is None  # nothing happens before it is applied
    assert client.post(preview + "ap-dung/").status_code == 302
    person.refresh_from_db()
    assert person.unit.code == "25993" and Unit.objects.get(code="25996").active_to is not None
    assert list(requirement.audience_units.values_list("code", flat=True)) == ["25993"]
    # Another district's officer may not open it.
    client.force_login(long_khanh_official.user)
    assert client.get(preview).status_code == 403


def test_officer_cannot_move_a_ward_out_of_their_district(client, bien_hoa_officer, tree):
    client.force_login(bien_hoa_officer.user)
    response = client.post("/don-vi/25996/to-chuc-lai/", {"action": "move", "target": "732",
                                                          "effective_date": "01/01/2025"})
    assert response.status_code == 400
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert Unit.objects.get(code="25996").parent.code == "731"


def test_officer_cannot_reorganise_other_districts_or_their_own_root(client, bien_hoa_officer, tree):
    client.force_login(bien_hoa_officer.user)
    data = {"action": "rename", "new_name": "X", "effective_date": "01/01/2025"}
    assert client.post("/don-vi/26071/to-chuc-lai/", data).status_code == 404
    assert client.post("/don-vi/731/to-chuc-lai/", data).status_code == 403
    assert Unit.objects.get(code="731").name == "Thành phố Biên Hòa"


def test_a_bad_date_is_refused_in_vietnamese_and_changes_nothing(client, bien_hoa_officer, tree):
    client.force_login(bien_hoa_officer.user)
    response = client.post("/don-vi/25996/to-chuc-lai/", {"action": "rename", "new_name": "X",
                                                          "effective_date": "2021-13-40"})
    assert response.status_code == 400 and "Nhập một ngày hợp lệ" in response.content.decode()
    assert Unit.objects.get(code="25996").name == "Phường Tân Phong"


def test_officer_adds_a_one_stop_section(client, bien_hoa_officer, tree):
    client.force_login(bien_hoa_officer.user)
    response = client.post("/don-vi/25993/them-don-vi/", {"code": "25993-MC", "name": "Bộ phận Một cửa",
                                                          "kind": "section", "active_from": "01/01/2024"})
    assert response["Location"] == "/don-vi/25993-MC/"
    assert Unit.objects.get(code="25993-MC").parent.code == "25993"
    again = client.post("/don-vi/25993/them-don-vi/", {"code": "25993-MC", "name": "Y", "kind": "section",
                                                       "active_from": "01/01/2024"})
    assert again.status_code == 400 and "Đã có đơn vị mang mã này" in again.content.decode()


def test_officer_transfers_an_official_within_the_district_and_not_outside(client, bien_hoa_officer,
                                                                          trang_dai_official):
    client.force_login(bien_hoa_officer.user)
    url = f"/can-bo/{trang_dai_official.pk}/chuyen-don-vi/"
    refused = client.post(url, {"to_unit": "26071", "effective_date": "01/03/2024"})
    assert refused.status_code == 400
    ok = client.post(url, {"to_unit": "25996", "effective_date": "01/03/2024", "note": "QĐ 12/QĐ-UBND"})
    assert ok.status_code == 302
    trang_dai_official.refresh_from_db()
    assert trang_dai_official.unit.code == "25996"
    last = trang_dai_official.transfers.order_by("-id").first()
    assert last.recorded_by == bien_hoa_officer.user and last.note == "QĐ 12/QĐ-UBND"


def test_an_official_cannot_transfer_themselves(client, trang_dai_official, tree):
    client.force_login(trang_dai_official.user)
    response = client.post(f"/can-bo/{trang_dai_official.pk}/chuyen-don-vi/", {"to_unit": "25996",
                                                                             "effective_date": "01/03/2024"})
    assert response.status_code == 403
    assert Official.objects.get(pk=trang_dai_official.pk).unit.code == "25993"
