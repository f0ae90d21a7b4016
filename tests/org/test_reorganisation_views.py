"""The reorganisation screens: an administrator uploads a successor list, previews it, allots a split unit's
officials, applies and reverses; nobody else may."""
import datetime as dt

import pytest

from org import roles
from org.models import Official, Reorganisation, Unit
from org.services import role_grant

from ..factories import OfficialFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

FILE = ("new_code,new_name,old_code,old_name,kind\n"
        "25993,Phường Trảng Dài,25993,Phường Trảng Dài,full\n"
        "25993,Phường Trảng Dài,25996,Phường Tân Phong,full\n"
        "26359,Xã Xuân Đông,26449,Xã Xuân Tâm,partial\n"
        "26446,Xã Xuân Hòa,26449,Xã Xuân Tâm,partial\n").encode()


@pytest.fixture
def admin_client(client, tree):
    user = UserFactory(username="quantri")
    role_grant(user=user, role=roles.ADMINISTRATOR)
    client.force_login(user)
    return client


def upload(client, data=FILE, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/don-vi/sap-xep/", {
        "title": "Sắp xếp 2025", "effective_date": "01/07/2025", "legal_basis": "NQ 1662/NQ-UBTVQH15",
        "file": SimpleUploadedFile("reform.csv", data), "parent": "75", "dissolve_district_level": "on", **extra})


def test_upload_preview_allot_apply_and_reverse(admin_client, tree):
    xa = UnitFactory(code="26449", name="Xã Xuân Tâm", parent=tree["long_khanh"])
    person = OfficialFactory(unit=xa, employee_code="XT-1", full_name="Đỗ Văn Tâm")
    moved = OfficialFactory(unit=tree["tan_phong"], full_name="Trần Văn Phong")
    response = upload(admin_client)
    assert response.status_code == 302
    r = Reorganisation.objects.get()
    page = admin_client.get(f"/don-vi/sap-xep/{r.pk}/").content.decode()
    assert "Phường Tân Phong" in page and "Thành phố Biên Hòa" in page and "Đỗ Văn Tâm" in page
    assert Unit.objects.get(code="25996").active_to is None  # a preview changes nothing
    refused = admin_client.post(f"/don-vi/sap-xep/{r.pk}/ap-dung/")
    assert refused.status_code == 400 and "Xã Xuân Tâm" in refused.content.decode()
    admin_client.post(f"/don-vi/sap-xep/{r.pk}/phan-bo/", {"to:XT-1": "26446"})
    assert admin_client.post(f"/don-vi/sap-xep/{r.pk}/ap-dung/").status_code == 302
    assert Official.objects.get(pk=person.pk).unit.code == "26446"
    assert Official.objects.get(pk=moved.pk).unit.code == "25993"
    applied = admin_client.get(f"/don-vi/sap-xep/{r.pk}/").content.decode()
    assert "Phường Tân Phong (25996)" in applied and f"/don-vi/sap-xep/{r.pk}/hoan-tac/" in applied
    assert admin_client.post(f"/don-vi/sap-xep/{r.pk}/hoan-tac/").status_code == 302
    assert Official.objects.get(pk=moved.pk).unit.code == "25996"
    assert not Unit.objects.filter(code="26446").exists()


def test_a_bad_file_is_refused_with_its_line_and_records_nothing(admin_client):
    response = upload(admin_client, data="new_code,new_name,old_code,old_name,kind\n1,Xã A,25993,X,một nửa\n".encode())
    assert response.status_code == 400
    assert "2" in response.content.decode() and "một nửa" in response.content.decode()
    assert not Reorganisation.objects.exists()


def test_only_administrators_reorganise(client, tree, bien_hoa_officer):
    client.force_login(bien_hoa_officer.user)
    assert client.get("/don-vi/sap-xep/").status_code == 403
    r = Reorganisation.objects.create(title="x", effective_date=dt.date(2025, 7, 1), plan={})
    assert client.post(f"/don-vi/sap-xep/{r.pk}/ap-dung/").status_code == 403


def test_a_split_unit_s_officials_can_be_allotted_from_a_roster_file(admin_client, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    xa = UnitFactory(code="26449", name="Xã Xuân Tâm", parent=tree["long_khanh"])
    a = OfficialFactory(unit=xa, employee_code="XT-1")
    b = OfficialFactory(unit=xa, employee_code="XT-2")
    upload(admin_client)
    r = Reorganisation.objects.get()
    roster = "Mã cán bộ,Họ và tên,Mã đơn vị\nXT-1,Người Một,26359\nxt-2,Người Hai,26446\n".encode("utf-8-sig")
    response = admin_client.post(f"/don-vi/sap-xep/{r.pk}/phan-bo/", {"file": SimpleUploadedFile("ds.csv", roster)})
    assert response.status_code == 302
    assert admin_client.post(f"/don-vi/sap-xep/{r.pk}/ap-dung/").status_code == 302
    assert (Official.objects.get(pk=a.pk).unit.code, Official.objects.get(pk=b.pk).unit.code) == ("26359", "26446")
    bad = "Mã cán bộ,Mã đơn vị\nXT-1,\n".encode()
    r2 = Reorganisation.objects.create(title="x", effective_date=dt.date(2025, 7, 1), plan={"targets": []})
    refused = admin_client.post(f"/don-vi/sap-xep/{r2.pk}/phan-bo/", {"file": SimpleUploadedFile("ds.csv", bad)})
    assert refused.status_code == 400 and "2" in refused.content.decode()


def test_a_plan_built_on_screen_line_by_line(admin_client, tree):
    person = OfficialFactory(unit=tree["tan_phong"])
    response = admin_client.post("/don-vi/sap-xep/", {"title": "Sáp nhập Tân Phong", "effective_date": "01/01/2026"})
    assert response.status_code == 302
    r = Reorganisation.objects.get()
    line = {"new_code": "25993", "new_name": "Phường Trảng Dài", "share": "full", "parent": ""}
    for old in ("25993", "25996"):
        assert admin_client.post(f"/don-vi/sap-xep/{r.pk}/them-dong/", dict(line, old_code=old)).status_code == 302
    assert "Phường Tân Phong (25996)" in admin_client.get(f"/don-vi/sap-xep/{r.pk}/").content.decode()
    assert admin_client.post(f"/don-vi/sap-xep/{r.pk}/ap-dung/").status_code == 302
    assert Official.objects.get(pk=person.pk).unit.code == "25993"
    late = admin_client.post(f"/don-vi/sap-xep/{r.pk}/them-dong/", dict(line, old_code="26071"))
    assert late.status_code == 400 and "đã được áp dụng" in late.content.decode()
    assert len(Reorganisation.objects.get(pk=r.pk).plan["targets"][0]["sources"]) == 2
