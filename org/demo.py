"""Demo data: Đồng Nai's real 2020 unit tree, its provincial departments and synthetic officials.

The unit codes and names are the General Statistics Office's (see org/data/README.md); the people are made up
with Faker's vi_VN provider, deterministically, so every machine gets the same demo.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from faker import Faker

from . import roles
from .models import Category, Official, RoleChange, ScopeGrant, Transfer, Unit, UnitKind, UnitVersion, User
from .services import role_grant, unit_create
from common.text import fold

DATA = Path(__file__).resolve().parent / "data"
PROVINCE_CODE = "75"
BIEN_HOA_CODE = "731"
DEMO_OFFICIAL_UNIT = "25993"  # Phường Trảng Dài, Thành phố Biên Hòa
DEFAULT_OFFICIALS = 3000
HEADCOUNT_2019 = 52_463
SEED_DATE = dt.date(2020, 1, 1)
MIN_PER_UNIT = 5

# Provincial departments and agencies every province has (code suffix, name).
DEPARTMENTS = (
    ("VP", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("SNV", "Sở Nội vụ"),
    ("STP", "Sở Tư pháp"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư"),
    ("STC", "Sở Tài chính"),
    ("SCT", "Sở Công Thương"),
    ("SNN", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("SGTVT", "Sở Giao thông vận tải"),
    ("SXD", "Sở Xây dựng"),
    ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("STTTT", "Sở Thông tin và Truyền thông"),
    ("SLDTBXH", "Sở Lao động – Thương binh và Xã hội"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("SKHCN", "Sở Khoa học và Công nghệ"),
    ("SGDDT", "Sở Giáo dục và Đào tạo"),
    ("SYT", "Sở Y tế"),
    ("SNGV", "Sở Ngoại vụ"),
    ("TTR", "Thanh tra tỉnh"),
    ("BDT", "Ban Dân tộc"),
    ("BQLKCN", "Ban Quản lý các Khu công nghiệp"),
)
KIND_FROM_CSV = {"province": UnitKind.PROVINCE, "city": UnitKind.CITY, "district": UnitKind.DISTRICT,
                 "ward": UnitKind.WARD, "commune": UnitKind.COMMUNE, "township": UnitKind.TOWNSHIP}
WEIGHTS = {UnitKind.DEPARTMENT: 40, UnitKind.CITY: 60, UnitKind.DISTRICT: 55, UnitKind.SECTION: 4,
           UnitKind.WARD: 8, UnitKind.COMMUNE: 8, UnitKind.TOWNSHIP: 8}

MIDDLE_MALE = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Hoàng", "Ngọc")
MIDDLE_FEMALE = ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bích", "Hồng", "Minh", "Phương")
COMMUNE_POSITIONS = ("Văn phòng – Thống kê", "Tư pháp – Hộ tịch", "Địa chính – Xây dựng – Môi trường",
                     "Tài chính – Kế toán", "Văn hóa – Xã hội", "Chỉ huy trưởng Quân sự")
DISTRICT_POSITIONS = ("Chuyên viên Phòng Nội vụ", "Chuyên viên Phòng Tư pháp", "Chuyên viên Văn phòng HĐND và UBND",
                      "Chuyên viên Phòng Tài chính – Kế hoạch", "Chuyên viên Phòng Tài nguyên và Môi trường",
                      "Chuyên viên Phòng Quản lý đô thị", "Chuyên viên Phòng Lao động – TB&XH")
DEPARTMENT_POSITIONS = ("Chuyên viên", "Chuyên viên Văn phòng Sở", "Chuyên viên Phòng Tổ chức – Hành chính",
                        "Chuyên viên Thanh tra Sở", "Kế toán")
RANKS_CONG_CHUC = ("Chuyên viên", "Chuyên viên", "Chuyên viên", "Chuyên viên chính", "Cán sự", "Nhân viên")
RANKS_VIEN_CHUC = ("Viên chức hạng III", "Viên chức hạng IV", "Viên chức hạng II")


@dataclass
class DemoAccount:
    username: str
    role: str
    note: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", "Quản trị viên", "toàn tỉnh"),
    DemoAccount("trainer", "Giảng viên", "Sở Nội vụ; soạn văn bản hướng dẫn và bài học"),
    DemoAccount("reviewer", "Người duyệt nội dung", "Sở Nội vụ; duyệt và xuất bản"),
    DemoAccount("personnel", "Cán bộ tổ chức", "Thành phố Biên Hòa và các phường, xã trực thuộc"),
    DemoAccount("official", "Công chức tiếp nhận hồ sơ một cửa", "Phường Trảng Dài, TP Biên Hòa"),
)


def unit_rows() -> list[dict]:
    """The province's 2020 units from the GSO list shipped in org/data."""
    with open(DATA / "dong_nai_units_2020.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def is_seeded() -> bool:
    return Unit.objects.filter(code=PROVINCE_CODE).exists() and User.objects.filter(username="official").exists()


@transaction.atomic
def seed_units() -> dict[str, Unit]:
    """Create the province, departments, districts (each with its one-stop section) and communes."""
    units: dict[str, Unit] = {}
    for row in unit_rows():
        parent = units.get(row["parent_code"]) if row["parent_code"] else None
        units[row["code"]] = unit_create(code=row["code"], name=row["name"], kind=KIND_FROM_CSV[row["kind"]],
                                         parent=parent, active_from=SEED_DATE)
    province = units[PROVINCE_CODE]
    for suffix, name in DEPARTMENTS:
        code = f"{PROVINCE_CODE}-{suffix}"
        units[code] = unit_create(code=code, name=name, kind=UnitKind.DEPARTMENT, parent=province, active_from=SEED_DATE)
    for row in unit_rows():
        if row["kind"] in ("city", "district"):
            code = f"{row['code']}-MC"
            short = row["name"].replace("Thành phố", "TP").replace("Huyện", "huyện")
            units[code] = unit_create(code=code, name=f"Bộ phận Một cửa {short}", kind=UnitKind.SECTION,
                                      parent=units[row["code"]], active_from=SEED_DATE)
    return units


class _People:
    def __init__(self, seed: int = 2020):
        self.fake = Faker("vi_VN")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)

    def name(self) -> tuple[str, bool]:
        female = self.rng.random() < 0.5
        first = self.fake.first_name_female() if female else self.fake.first_name_male()
        middle = self.rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
        return f"{self.fake.last_name()} {middle} {first}", female

    def birthday(self) -> dt.date:
        return dt.date(self.rng.randint(1963, 1998), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def phone(self) -> str:
        return "0" + self.rng.choice("389") + "".join(str(self.rng.randint(0, 9)) for _ in range(8))


def _profile(unit: Unit, idx: int, people: _People) -> dict:
    """Category, rank, position and role flags for the idx-th official of a unit, so that every commune and
    district has a reform officer, one-stop receivers and a leader."""
    rng = people.rng
    kind = unit.kind
    p = {"is_reform_officer": False, "is_one_stop_receiver": False, "is_leader": False}
    if kind in (UnitKind.WARD, UnitKind.COMMUNE, UnitKind.TOWNSHIP):
        if idx == 0:
            p.update(category=Category.CAN_BO, rank="", position="Chủ tịch UBND", is_leader=True)
        elif idx == 1:
            p.update(category=Category.CAN_BO, rank="", position="Phó Chủ tịch UBND", is_leader=True)
        else:
            category = Category.CAN_BO if rng.random() < 0.25 else Category.CONG_CHUC
            p.update(category=category, rank="" if category == Category.CAN_BO else rng.choice(("Chuyên viên", "Cán sự")),
                     position=rng.choice(COMMUNE_POSITIONS) if category == Category.CONG_CHUC else "Cán bộ chuyên trách")
            p["is_one_stop_receiver"] = idx in (2, 3)
            p["is_reform_officer"] = idx == 4
            if idx == 2:
                p["position"] = "Văn phòng – Thống kê"
    elif kind == UnitKind.SECTION:
        p.update(category=Category.CONG_CHUC, rank=rng.choice(RANKS_CONG_CHUC), position="Công chức tiếp nhận và trả kết quả",
                 is_one_stop_receiver=True, is_leader=idx == 0)
    else:
        vien_chuc = rng.random() < (0.3 if kind == UnitKind.DEPARTMENT else 0.15)
        category = Category.VIEN_CHUC if vien_chuc and idx > 3 else Category.CONG_CHUC
        positions = DEPARTMENT_POSITIONS if kind == UnitKind.DEPARTMENT else DISTRICT_POSITIONS
        p.update(category=category, rank=rng.choice(RANKS_VIEN_CHUC if category == Category.VIEN_CHUC else RANKS_CONG_CHUC),
                 position=rng.choice(positions))
        if idx == 0:
            p.update(position="Giám đốc" if kind == UnitKind.DEPARTMENT else "Chủ tịch UBND", is_leader=True,
                     category=Category.CONG_CHUC if kind == UnitKind.DEPARTMENT else Category.CAN_BO)
        elif idx in (1, 2):
            p.update(position="Phó Giám đốc" if kind == UnitKind.DEPARTMENT else "Trưởng phòng", is_leader=True)
        p["is_reform_officer"] = idx in (3, 4)
        p["is_one_stop_receiver"] = kind == UnitKind.DEPARTMENT and idx in (5, 6)
    return p


def _allocation(units: list[Unit], total: int) -> dict[int, int]:
    """How many officials each unit gets: proportional to its kind's weight, at least MIN_PER_UNIT (enough
    for a leader, one-stop receivers and a reform officer) when the total allows, summing to `total`."""
    weights = {u.id: WEIGHTS.get(u.kind, 0) for u in units}
    weighted = [uid for uid, w in weights.items() if w]
    floor = MIN_PER_UNIT if total >= MIN_PER_UNIT * len(weighted) else 0
    scale = total / max(sum(weights.values()), 1)
    alloc = {uid: max(int(w * scale), floor if w else 0) for uid, w in weights.items()}
    # Hand out (or take back) the rounding difference, largest units first, never below the floor.
    diff = total - sum(alloc.values())
    order = sorted(weighted, key=lambda uid: -weights[uid])
    while diff and order:
        moved = False
        for uid in order:
            if diff == 0:
                break
            step = 1 if diff > 0 else -1
            if alloc[uid] + step >= floor:
                alloc[uid] += step
                diff -= step
                moved = True
        if not moved:
            break
    return alloc


@transaction.atomic
def seed_officials(total: int) -> int:
    """Synthetic officials spread over every unit, with accounts that have no password yet."""
    people = _People()
    units = [u for u in Unit.objects.order_by("path") if u.kind != UnitKind.PROVINCE]
    alloc = _allocation(units, total)
    users, officials_data = [], []
    for unit in units:
        for idx in range(alloc[unit.id]):
            code = f"{unit.code}-{idx + 1:04d}"
            name, _female = people.name()
            profile = _profile(unit, idx, people)
            email = f"{fold(name).replace(' ', '.')}.{code.lower()}@dongnai.example"
            user = User(username=code.lower(), email=email, first_name=name.rsplit(" ", 1)[-1],
                        last_name=name.rsplit(" ", 1)[0])
            user.set_unusable_password()
            users.append(user)
            officials_data.append(dict(employee_code=code, full_name=name, name_folded=fold(name), unit=unit,
                                       email=email, phone=people.phone(), date_of_birth=people.birthday(), **profile))
    User.objects.bulk_create(users, batch_size=2000)
    user_ids = dict(User.objects.values_list("username", "id"))
    Official.objects.bulk_create(
        [Official(user_id=user_ids[d["employee_code"].lower()], **d) for d in officials_data], batch_size=2000)
    ids = dict(Official.objects.values_list("employee_code", "id"))
    Transfer.objects.bulk_create(
        [Transfer(official_id=ids[d["employee_code"]], to_unit=d["unit"], effective_date=SEED_DATE,
                  source=Transfer.Source.SEED) for d in officials_data], batch_size=2000)
    return len(officials_data)


def _account(username: str, *, first: str, last: str, email: str, superuser: bool = False) -> User:
    user, _created = User.objects.get_or_create(username=username, defaults={"email": email})
    user.first_name, user.last_name, user.email = first, last, email
    user.is_superuser = user.is_staff = superuser
    user.set_password(settings.DEMO_PASSWORD)
    user.save()
    return user


@transaction.atomic
def seed_accounts() -> None:
    """The four demo accounts, all with the demo password."""
    from django.contrib.auth.models import Group, Permission

    for name in roles.STAFF_GROUPS:
        group, _created = Group.objects.get_or_create(name=name)
        if name in (roles.TRAINER, roles.ADMINISTRATOR, roles.REVIEWER):
            perm = Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin").first()
            if perm:
                group.permissions.add(perm)

    admin = _account("admin", first="Quản trị", last="Hệ thống", email="admin@dongnai.example", superuser=True)
    role_grant(user=admin, role=roles.ADMINISTRATOR)

    trainer = _account("trainer", first="Hà", last="Trần Thị Thu", email="trainer@dongnai.example")
    role_grant(user=trainer, role=roles.TRAINER)
    _bind_official(trainer, unit_code=f"{PROVINCE_CODE}-SNV", code="75-SNV-GV01", name="Trần Thị Thu Hà",
                   category=Category.CONG_CHUC, rank="Chuyên viên chính", position="Chuyên viên Phòng Cải cách hành chính",
                   is_reform_officer=True)

    reviewer = _account("reviewer", first="Phương", last="Võ Thị Mai", email="reviewer@dongnai.example")
    role_grant(user=reviewer, role=roles.REVIEWER)
    _bind_official(reviewer, unit_code=f"{PROVINCE_CODE}-SNV", code="75-SNV-DN01", name="Võ Thị Mai Phương",
                   category=Category.CONG_CHUC, rank="Chuyên viên chính", position="Phó Trưởng phòng Cải cách hành chính",
                   is_leader=True)

    personnel = _account("personnel", first="Dũng", last="Lê Văn", email="personnel@dongnai.example")
    _bind_official(personnel, unit_code=BIEN_HOA_CODE, code="731-TCCB01", name="Lê Văn Dũng",
                   category=Category.CONG_CHUC, rank="Chuyên viên", position="Chuyên viên Phòng Nội vụ")
    role_grant(user=personnel, role=roles.PERSONNEL, scope_unit=Unit.objects.get(code=BIEN_HOA_CODE))

    official = _account("official", first="Thư", last="Nguyễn Thị Minh", email="official@dongnai.example")
    _bind_official(official, unit_code=DEMO_OFFICIAL_UNIT, code="25993-MC01", name="Nguyễn Thị Minh Thư",
                   category=Category.CONG_CHUC, rank="Chuyên viên", position="Văn phòng – Thống kê",
                   is_one_stop_receiver=True)


def _bind_official(user: User, *, unit_code: str, code: str, name: str, **fields) -> Official:
    unit = Unit.objects.get(code=unit_code)
    official, created = Official.objects.update_or_create(
        employee_code=code,
        defaults=dict(user=user, full_name=name, name_folded=fold(name), unit=unit, email=user.email, **fields))
    if created:
        Transfer.objects.create(official=official, to_unit=unit, effective_date=SEED_DATE, source=Transfer.Source.SEED)
    return official


def reset() -> None:
    """Remove the roster and the unit tree (demo only)."""
    Transfer.objects.all().delete()
    Official.objects.all().delete()
    ScopeGrant.objects.all().delete()
    RoleChange.objects.all().delete()
    User.objects.filter(is_superuser=False).delete()
    User.objects.update(scope_unit=None)
    UnitVersion.objects.all().delete()
    Unit.objects.update(parent=None, merged_into=None)
    Unit.objects.all().delete()
