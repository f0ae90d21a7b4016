import os

import pytest
from django.core.cache import cache
from django.utils import translation

from config.celery import app as celery_app
from org import roles, services
from org.models import UnitKind

from .factories import OfficialFactory, UnitFactory, UserFactory

PASSWORD = "Test@12345"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.REQUIRE_STAFF_MFA = False
    # Unit tests run tasks in-process; tests marked "worker" go through Redis and a real worker instead.
    celery_app.conf.task_always_eager = True
    cache.clear()
    # Per-process memory of which exam a sitting belongs to: ids are reused after a rolled-back test on SQLite.
    from exams.services import room_rules_forget

    room_rules_forget()
    # A request handled by an earlier test may leave another language active in this thread.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    cache.clear()


@pytest.fixture
def tree(db):
    """A small piece of Đồng Nai: the province, Biên Hòa with two wards, Long Khánh with one."""
    province = UnitFactory(code="75", name="Tỉnh Đồng Nai", kind=UnitKind.PROVINCE)
    bien_hoa = UnitFactory(code="731", name="Thành phố Biên Hòa", kind=UnitKind.CITY, parent=province)
    long_khanh = UnitFactory(code="732", name="Thành phố Long Khánh", kind=UnitKind.CITY, parent=province)
    return {
        "province": province,
        "bien_hoa": bien_hoa,
        "long_khanh": long_khanh,
        "trang_dai": UnitFactory(code="25993", name="Phường Trảng Dài", kind=UnitKind.WARD, parent=bien_hoa),
        "tan_phong": UnitFactory(code="25996", name="Phường Tân Phong", kind=UnitKind.WARD, parent=bien_hoa),
        "xuan_trung": UnitFactory(code="26071", name="Phường Xuân Trung", kind=UnitKind.WARD, parent=long_khanh),
        "snv": UnitFactory(code="75-SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province),
    }


@pytest.fixture
def bien_hoa_officer(tree):
    official = OfficialFactory(employee_code="731-TC01", full_name="Lê Văn Dũng", unit=tree["bien_hoa"])
    services.role_grant(user=official.user, role=roles.PERSONNEL, scope_unit=tree["bien_hoa"])
    return official


@pytest.fixture
def long_khanh_official(tree):
    return OfficialFactory(employee_code="26071-0001", full_name="Phạm Thị Lan", unit=tree["xuan_trung"],
                           is_one_stop_receiver=True)


@pytest.fixture
def trang_dai_official(tree):
    return OfficialFactory(employee_code="25993-0001", full_name="Nguyễn Thị Minh Thư", unit=tree["trang_dai"],
                           is_one_stop_receiver=True)


@pytest.fixture
def admin_user(db):
    user = UserFactory(username="quantri", is_superuser=True, is_staff=True)
    services.role_grant(user=user, role=roles.ADMINISTRATOR)
    return user


@pytest.fixture
def trainer_user(db):
    user = UserFactory(username="giangvien")
    services.role_grant(user=user, role=roles.TRAINER)
    return user


def pytest_collection_modifyitems(config, items):
    skip_worker = pytest.mark.skip(reason="needs REDIS_URL (run by .ci/run against the local Redis)")
    for item in items:
        if item.get_closest_marker("worker") and not os.environ.get("REDIS_URL"):
            item.add_marker(skip_worker)
