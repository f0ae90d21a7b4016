"""Demo data: Đồng Nai's history since 2020, told on its real dates, and synthetic officials.

- 2020: Đồng Nai's unit tree (the province, its departments, 11 district-level units with their one-stop sections,
  170 communes) and Bình Phước's (province 70, from the list of 01/03/2025), both from 01/01/2020, with officials.
- 01/07/2021: Xã Long Giao becomes Thị trấn Long Giao (Nghị quyết 1261/NQ-UBTVQH14).
- 01/11/2024: the rearrangement of Đồng Nai's communes, 170 → 159 (Nghị quyết 1194/NQ-UBTVQH15).
- 01/07/2025: the district level is abolished and Bình Phước merges into Đồng Nai: 270 communes become 95.
Each change is a `Reorganisation` applied through `org.services.reorganisation`, as a personnel department would.

The unit codes and names are the General Statistics Office's (see org/data/README.md); the people are made up
with Faker's vi_VN provider, deterministically, so every machine gets the same demo.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from faker import Faker

from . import roles
from .models import (Category, Official, OfficialStatus, Reorganisation, RoleChange, ScopeGrant, Succession, Transfer,
                     Unit, UnitKind, UnitVersion, User)
from .reorganisation import kind_for, plan_from_file
from .services import role_grant, unit_create
from .services.base import roster_changed_on_commit
from .services.reorganisation import reorganisation_allocate, reorganisation_apply, reorganisation_create
from common.text import fold

DATA = Path(__file__).resolve().parent / "data"
PROVINCE_CODE = "75"
BINH_PHUOC_CODE = "70"
BIEN_HOA_CODE = "731"
DEMO_OFFICIAL_UNIT = "25993"  # Phường Trảng Dài: in Thành phố Biên Hòa until 30/06/2025, under the province since
DEFAULT_OFFICIALS = 3000
HEADCOUNT_2019 = 52_463
BINH_PHUOC_SHARE = 4  # Bình Phước gets a quarter as many synthetic officials as Đồng Nai
# One Bình Phước official keeps the employee code of Bình Phước's own numbering: codes are issued by each unit,
# so their formats differ, and none equals a Đồng Nai code.
BINH_PHUOC_OTHER_CODE = "BP-2019-0457"
SEED_DATE = dt.date(2020, 1, 1)
LONG_GIAO_DATE = dt.date(2021, 7, 1)
REARRANGEMENT_DATE = dt.date(2024, 11, 1)
REFORM_DATE = dt.date(2025, 7, 1)
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
                 "town": UnitKind.TOWN, "ward": UnitKind.WARD, "commune": UnitKind.COMMUNE,
                 "township": UnitKind.TOWNSHIP}
# Bình Phước's own departments (a few; the demo's codes, like Đồng Nai's). They move under Tỉnh Đồng Nai in 2025.
BINH_PHUOC_DEPARTMENTS = (
    ("VP", "Văn phòng Ủy ban nhân dân tỉnh Bình Phước"),
    ("SNV", "Sở Nội vụ tỉnh Bình Phước"),
    ("STP", "Sở Tư pháp tỉnh Bình Phước"),
    ("STC", "Sở Tài chính tỉnh Bình Phước"),
    ("SYT", "Sở Y tế tỉnh Bình Phước"),
)
WEIGHTS = {UnitKind.DEPARTMENT: 40, UnitKind.CITY: 60, UnitKind.DISTRICT: 55, UnitKind.TOWN: 55, UnitKind.SECTION: 4,
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


def unit_rows() -> list[dict]:
    """The province's 2020 units from the GSO list shipped in org/data."""
    with open(DATA / "dong_nai_units_2020.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def binh_phuoc_rows() -> list[dict]:
    """Bình Phước's units (the province, its district-level units and communes) from the GSO list of 01/03/2025."""
    with open(DATA / "dong-nai-binh-phuoc-units-2025-03.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    keep, out = {BINH_PHUOC_CODE}, []
    for row in rows:  # parents come before their children
        if row["code"] in keep or row["parent_code"] in keep:
            keep.add(row["code"])
            out.append(row)
    return out


def is_seeded() -> bool:
    return Unit.objects.filter(code=PROVINCE_CODE).exists() and User.objects.filter(username="official").exists()


def _create_tree(rows: list[dict], departments, province_code: str) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for row in rows:
        parent = units.get(row["parent_code"]) if row["parent_code"] else None
        units[row["code"]] = unit_create(code=row["code"], name=row["name"], kind=KIND_FROM_CSV[row["kind"]],
                                         parent=parent, active_from=SEED_DATE)
    province = units[province_code]
    for suffix, name in departments:
        code = f"{province_code}-{suffix}"
        units[code] = unit_create(code=code, name=name, kind=UnitKind.DEPARTMENT, parent=province, active_from=SEED_DATE)
    return units


@transaction.atomic
def seed_units() -> dict[str, Unit]:
    """Create Đồng Nai's 2020 tree: the province, departments, districts (each with its one-stop section) and
    communes."""
    units = _create_tree(unit_rows(), DEPARTMENTS, PROVINCE_CODE)
    for row in unit_rows():
        if row["kind"] in ("city", "district"):
            code = f"{row['code']}-MC"
            short = row["name"].replace("Thành phố", "TP").replace("Huyện", "huyện")
            units[code] = unit_create(code=code, name=f"Bộ phận Một cửa {short}", kind=UnitKind.SECTION,
                                      parent=units[row["code"]], active_from=SEED_DATE)
    return units


@transaction.atomic
def seed_binh_phuoc_units() -> dict[str, Unit]:
    """Create Bình Phước's tree (as listed on 01/03/2025, active from 01/01/2020) and a few of its departments."""
    return _create_tree(binh_phuoc_rows(), BINH_PHUOC_DEPARTMENTS, BINH_PHUOC_CODE)


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


def _save_officials(officials_data: list[dict], *, on: dt.date) -> list[int]:
    """Create officials with accounts that have no password yet, each posted to their unit from `on`."""
    users = []
    for d in officials_data:
        name = d["full_name"]
        user = User(username=d["employee_code"].lower(), email=d["email"], first_name=name.rsplit(" ", 1)[-1],
                    last_name=name.rsplit(" ", 1)[0])
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=2000)
    user_ids = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "id")) \
        if len(users) < 900 else dict(User.objects.values_list("username", "id"))
    Official.objects.bulk_create(
        [Official(user_id=user_ids[d["employee_code"].lower()], **d) for d in officials_data], batch_size=2000)
    codes = [d["employee_code"] for d in officials_data]
    ids = dict(Official.objects.filter(employee_code__in=codes).values_list("employee_code", "id")) \
        if len(codes) < 900 else dict(Official.objects.values_list("employee_code", "id"))
    Transfer.objects.bulk_create(
        [Transfer(official_id=ids[d["employee_code"]], to_unit=d["unit"], effective_date=on,
                  source=Transfer.Source.SEED) for d in officials_data], batch_size=2000)
    return [ids[c] for c in codes]


@transaction.atomic
def seed_officials(total: int, *, province_code: str = PROVINCE_CODE, seed: int = 2020,
                   domain: str = "dongnai.example") -> int:
    """Synthetic officials spread over every unit of a province, posted there from 01/01/2020."""
    people = _People(seed)
    province = Unit.objects.get(code=province_code)
    units = [u for u in Unit.objects.filter(path__startswith=province.path).order_by("path")
             if u.kind != UnitKind.PROVINCE]
    alloc = _allocation(units, total)
    officials_data = []
    for unit in units:
        for idx in range(alloc[unit.id]):
            code = f"{unit.code}-{idx + 1:04d}"
            name, _female = people.name()
            profile = _profile(unit, idx, people)
            email = f"{fold(name).replace(' ', '.')}.{code.lower()}@{domain}"
            officials_data.append(dict(employee_code=code, full_name=name, name_folded=fold(name), unit=unit,
                                       email=email, phone=people.phone(), date_of_birth=people.birthday(), **profile))
    return len(_save_officials(officials_data, on=SEED_DATE))


@transaction.atomic
def seed_binh_phuoc_officials(total: int) -> int:
    """Bình Phước's synthetic officials, one of whom has an employee code of a format of its own."""
    n = seed_officials(total, province_code=BINH_PHUOC_CODE, seed=2070, domain="binhphuoc.example")
    province = Unit.objects.get(code=BINH_PHUOC_CODE)
    first = (Official.objects.filter(unit__path__startswith=province.path, unit__kind=UnitKind.DEPARTMENT)
             .order_by("unit__code", "employee_code").first())
    if first is not None:
        User.objects.filter(pk=first.user_id).update(username=BINH_PHUOC_OTHER_CODE.lower())
        Official.objects.filter(pk=first.pk).update(employee_code=BINH_PHUOC_OTHER_CODE)
    return n


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


# --- History: each change a reorganisation, applied on its date ------------------------------------------------

LONG_GIAO_FILE = ("new_code,new_name,old_code,old_name,kind,new_kind\n"
                  "26341,Thị trấn Long Giao,26341,Xã Long Giao,full,township\n")
LONG_GIAO = "Thành lập thị trấn Long Giao, huyện Cẩm Mỹ"
REARRANGEMENT = "Sắp xếp đơn vị hành chính cấp xã tỉnh Đồng Nai giai đoạn 2023–2025"
REFORM = "Sắp xếp đơn vị hành chính 2025: bỏ cấp huyện, hợp nhất tỉnh Bình Phước và tỉnh Đồng Nai"


def _admin() -> User | None:
    return User.objects.filter(username="admin").first()


def _fill_kinds(plan: dict) -> dict:
    """A target without a kind of its own takes the one its name says (“Xã Cẩm Mỹ” is a commune, whatever the
    unit whose code it keeps was)."""
    kinds = dict(Unit.objects.filter(code__in=[t["code"] for t in plan["targets"]]).values_list("code", "kind"))
    for t in plan["targets"]:
        t["kind"] = t.get("kind") or kind_for(t["name"], kinds.get(t["code"], UnitKind.OTHER))
    return plan


def _heirs_of_parents(plan: dict) -> dict[str, list[str]]:
    """Parent code → the targets its sources went into (what a dissolved district became)."""
    sources = {s["code"] for t in plan["targets"] for s in t["sources"]}
    parents = dict(Unit.objects.filter(code__in=sources).values_list("code", "parent__code"))
    heirs: dict[str, set[str]] = defaultdict(set)
    for t in plan["targets"]:
        for s in t["sources"]:
            if parents.get(s["code"]):
                heirs[parents[s["code"]]].add(t["code"])
    return {code: sorted(targets) for code, targets in heirs.items()}


def _allotments(plan: dict) -> dict[str, str]:
    """Where each official of a split or dissolved unit goes: in turn to each of its successors, by employee code
    (deterministic, as a personnel department's allotment file would be)."""
    split: dict[str, set[str]] = defaultdict(set)
    for t in plan["targets"]:
        for s in t["sources"]:
            if s["share"] == "partial":
                split[s["code"]].add(t["code"])
    heirs = _heirs_of_parents(plan)
    for code in plan.get("dissolve", []):
        if heirs.get(code):
            split[code] |= set(heirs[code])
    out: dict[str, str] = {}
    for code, targets in split.items():
        targets = sorted(targets)
        people = (Official.objects.filter(unit__code=code, status=OfficialStatus.ACTIVE).order_by("employee_code")
                  .values_list("employee_code", flat=True))
        out.update({employee: targets[i % len(targets)] for i, employee in enumerate(people)})
    return out


def _reorganise(*, title: str, on: dt.date, plan: dict, legal_basis: str, source_name: str,
                apply: bool = True) -> Reorganisation:
    """Record a plan as a draft, allot the officials of split and dissolved units, and apply it (or leave the
    draft for someone to preview and apply on screen)."""
    r = Reorganisation.objects.filter(title=title, effective_date=on).first()
    if r is None:
        r = reorganisation_create(title=title, effective_date=on, plan=plan, by=_admin(), legal_basis=legal_basis,
                                  source_name=source_name)
        allocations = _allotments(plan)
        if allocations:
            r = reorganisation_allocate(reorganisation=r, allocations=allocations)
    if apply and r.status == Reorganisation.Status.DRAFT:
        r = reorganisation_apply(reorganisation=r, by=_admin())
    return r


def seed_long_giao() -> Reorganisation:
    """01/07/2021: Xã Long Giao becomes Thị trấn Long Giao, a township (a one-line plan)."""
    plan = plan_from_file(LONG_GIAO_FILE.encode(), "long-giao-2021.csv")
    return _reorganise(title=LONG_GIAO, on=LONG_GIAO_DATE, plan=plan, legal_basis="Nghị quyết 1261/NQ-UBTVQH14",
                       source_name="long-giao-2021.csv")


def seed_rearrangement_2024() -> Reorganisation:
    """01/11/2024: Đồng Nai's communes rearranged, 170 → 159 (org/data/dong-nai-rearrangement-2024.csv). Each
    target stays under its district; Núi Tượng's officials are allotted between Nam Cát Tiên and Phú Lập."""
    name = "dong-nai-rearrangement-2024.csv"
    plan = plan_from_file((DATA / name).read_bytes(), name, parent_code="")
    parents = dict(Unit.objects.filter(code__in=[t["sources"][0]["code"] for t in plan["targets"]])
                   .values_list("code", "parent__code"))
    for t in plan["targets"]:
        t["parent_code"] = parents.get(t["sources"][0]["code"]) or ""
    return _reorganise(title=REARRANGEMENT, on=REARRANGEMENT_DATE, plan=_fill_kinds(plan),
                       legal_basis="Nghị quyết 1194/NQ-UBTVQH15", source_name=name)


def reform_plan() -> dict:
    """The 2025 reform from the statistics office's successor list, in one plan: communes merged (Xuân Tâm split),
    the district level dissolved, Bình Phước merged into Đồng Nai. The districts' one-stop sections close too: their
    staff go to the communes that took the district's place, as the district's own staff do."""
    name = "dong-nai-reform-2025-07-01.csv"
    plan = plan_from_file((DATA / name).read_bytes(), name, parent_code=PROVINCE_CODE,
                          dissolve_kinds=(UnitKind.CITY, UnitKind.DISTRICT, UnitKind.TOWN),
                          merge_into_parent=[BINH_PHUOC_CODE])
    heirs = _heirs_of_parents(plan)
    targets = {t["code"]: t for t in plan["targets"]}
    sections = (Unit.objects.filter(parent__code__in=plan["dissolve"], kind=UnitKind.SECTION, active_to__isnull=True)
                .order_by("code").values_list("code", "parent__code"))
    for code, district in sections:
        for target in heirs.get(district, []):
            targets[target]["sources"].append({"code": code, "share": "partial", "line": 0})
    return _fill_kinds(plan)


def seed_reform_2025(*, apply: bool = True) -> Reorganisation:
    """01/07/2025: the 2025 reform, applied (or left as a draft to apply on screen)."""
    existing = Reorganisation.objects.filter(title=REFORM, effective_date=REFORM_DATE).first()
    return _reorganise(title=REFORM, on=REFORM_DATE, plan=existing.plan if existing else reform_plan(),
                       legal_basis="Nghị quyết 202/2025/QH15; Nghị quyết 1662/NQ-UBTVQH15",
                       source_name="dong-nai-reform-2025-07-01.csv", apply=apply)


@transaction.atomic
def seed_newcomers(total: int, *, seed: int = 2026) -> list[int]:
    """Officials recruited in the last weeks into today's communes (one-stop receivers, reform officers, a few
    leaders), so the newest requirements have people who have not started yet. Once."""
    if Official.objects.filter(employee_code__contains="-N").exists():
        return []
    people = _People(seed)
    communes = list(Unit.objects.filter(kind__in=[UnitKind.WARD, UnitKind.COMMUNE, UnitKind.TOWNSHIP],
                                        active_to__isnull=True).order_by("code"))
    if not communes:
        return []
    today = timezone.localdate()
    by_unit: dict[str, int] = defaultdict(int)
    officials_data = []
    for i in range(total):
        unit = communes[people.rng.randrange(len(communes))]
        by_unit[unit.code] += 1
        code = f"{unit.code}-N{by_unit[unit.code]:03d}"
        name, _female = people.name()
        role = i % 5
        officials_data.append(dict(
            employee_code=code, full_name=name, name_folded=fold(name), unit=unit,
            email=f"{fold(name).replace(' ', '.')}.{code.lower()}@dongnai.example", phone=people.phone(),
            date_of_birth=dt.date(people.rng.randint(1994, 2003), people.rng.randint(1, 12), people.rng.randint(1, 28)),
            category=Category.CONG_CHUC, rank="Chuyên viên", position="Văn phòng – Thống kê",
            is_one_stop_receiver=role in (0, 1, 2), is_reform_officer=role == 3, is_leader=role == 4))
    hired = today - dt.timedelta(days=people.rng.randint(5, 40))
    ids = _save_officials(officials_data, on=hired)
    roster_changed_on_commit(ids)
    return ids


# --- The demo logins ------------------------------------------------------------------------------------------

@dataclass
class DemoAccount:
    username: str
    role: str
    note: str


def _was_under(unit: Unit, on: dt.date) -> str:
    v = (UnitVersion.objects.filter(unit=unit, valid_from__lte=on, valid_to__gt=on).select_related("parent").first()
         or UnitVersion.objects.filter(unit=unit, valid_from__lte=on, valid_to__isnull=True).select_related("parent")
         .first())
    return v.parent.name if v and v.parent_id else ""


def _scope_units(user: User) -> list[Unit]:
    grants = getattr(user, "scope_grants", None)
    if grants is not None and grants.exists():
        return list(Unit.objects.filter(pk__in=grants.values_list("unit_id", flat=True)).order_by("path"))
    return [user.scope_unit] if user.scope_unit_id else []


def demo_accounts() -> list[DemoAccount]:
    """The demo logins with what each one sees, described from the data as it now is."""
    reformed = Reorganisation.objects.filter(title=REFORM, status=Reorganisation.Status.APPLIED).exists()
    out = [DemoAccount("admin", "Quản trị viên", "toàn hệ thống"),
           DemoAccount("trainer", "Giảng viên", "Sở Nội vụ; soạn văn bản hướng dẫn và bài học"),
           DemoAccount("reviewer", "Người duyệt nội dung", "Sở Nội vụ; duyệt và xuất bản")]
    personnel = User.objects.filter(username="personnel").first()
    if personnel is not None:
        units = _scope_units(personnel)
        names = ", ".join(u.name for u in units[:3]) + (f" và {len(units) - 3} đơn vị khác" if len(units) > 3 else "")
        note = f"phạm vi: {names or 'chưa có'}"
        if reformed:
            note += " (kế thừa phạm vi Thành phố Biên Hòa từ 01/07/2025, theo phương án sắp xếp)"
        else:
            note += " và các phường, xã trực thuộc"
        out.append(DemoAccount("personnel", "Cán bộ tổ chức", note))
    official = Official.objects.filter(user__username="official").select_related("unit", "unit__parent").first()
    if official is not None:
        unit = official.unit
        note = unit.name + (f", {unit.parent.name}" if unit.parent_id else "")
        before = _was_under(unit, REFORM_DATE - dt.timedelta(days=1)) if reformed else ""
        if before and unit.parent_id and before != unit.parent.name:
            note += f" (thuộc {before} đến 30/06/2025)"
        out.append(DemoAccount("official", "Công chức tiếp nhận hồ sơ một cửa", note))
    return out


@transaction.atomic
def reset() -> None:
    """Remove the roster, the reorganisations and the unit tree (demo only). Postings and unit versions point at
    reorganisations and successions at units (all PROTECT), so they go first."""
    Transfer.objects.all().delete()
    Official.objects.all().delete()
    ScopeGrant.objects.all().delete()
    RoleChange.objects.all().delete()
    User.objects.filter(is_superuser=False).delete()
    User.objects.update(scope_unit=None)
    Succession.objects.all().delete()
    UnitVersion.objects.all().delete()
    Reorganisation.objects.all().delete()
    Unit.objects.update(parent=None, merged_into=None)
    Unit.objects.all().delete()
