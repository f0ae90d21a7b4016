"""JSON API for units, officials and imports. Every endpoint reads through the scoping selectors."""
import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from common.jobs import JobStatusOut

from . import selectors, services
from .models import ImportJob

router = Router(tags=["org"])


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None
    depth: int
    active_from: dt.date | None
    active_to: dt.date | None

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class OfficialOut(Schema):
    id: int
    employee_code: str
    full_name: str
    unit_code: str
    unit_name: str
    category: str
    rank: str
    position: str
    is_reform_officer: bool
    is_one_stop_receiver: bool
    is_leader: bool
    status: str
    email: str

    @staticmethod
    def resolve_unit_code(obj) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name


class TransferOut(Schema):
    from_unit: str | None
    to_unit: str
    effective_date: dt.date
    source: str

    @staticmethod
    def resolve_from_unit(obj) -> str | None:
        return obj.from_unit.code if obj.from_unit_id else None

    @staticmethod
    def resolve_to_unit(obj) -> str:
        return obj.to_unit.code


class OfficialDetailOut(OfficialOut):
    phone: str
    date_of_birth: dt.date | None
    transfers: list[TransferOut]

    @staticmethod
    def resolve_transfers(obj) -> list:
        return list(selectors.official_transfers(obj))


class MeOut(Schema):
    username: str
    roles: list[str]
    official: OfficialOut | None


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportJobOut(JobStatusOut):
    kind: str
    original_name: str
    summary: dict
    errors: list[ImportErrorOut]


@router.get("/me", response=MeOut, summary="The signed-in account and its roster record")
def me(request):
    from . import roles

    return {"username": request.user.username, "roles": roles.role_keys(request.user),
            "official": selectors.official_of(request.user)}


@router.get("/units", response=list[UnitOut], summary="Units visible to the caller")
@paginate(PageNumberPagination, page_size=200)
def list_units(request, q: str = "", kind: str = "", parent: str = "", include_inactive: bool = False):
    return selectors.unit_list(user=request.user, q=q, kind=kind, parent_code=parent,
                               include_inactive=include_inactive)


@router.get("/units/{code}", response=UnitOut, summary="One unit, if visible to the caller")
def get_unit(request, code: str):
    return get_object_or_404(selectors.units_visible_to(request.user).select_related("parent"), code=code)


@router.get("/officials", response=list[OfficialOut], summary="Officials visible to the caller")
@paginate(PageNumberPagination, page_size=100)
def list_officials(request, q: str = "", unit: str = "", role: str = "", category: str = "", status: str = ""):
    unit_obj = get_object_or_404(selectors.units_visible_to(request.user), code=unit) if unit else None
    return selectors.official_list(user=request.user, q=q, unit=unit_obj, role=role, category=category, status=status)


@router.get("/officials/{official_id}", response=OfficialDetailOut, summary="One official, if in the caller's scope")
def get_official(request, official_id: int):
    return get_object_or_404(selectors.officials_visible_to(request.user), pk=official_id)


@router.post("/imports", response={201: ImportJobOut}, summary="Upload a roster or unit file to import")
def create_import(request, kind: Form[str], file: File[UploadedFile], dry_run: Form[bool] = False,
                  encoding_checked: Form[bool] = False):
    """A file in an old font encoding (TCVN3, VNI) is converted and previewed (``summary.encoding_preview``,
    ``summary.legacy_samples``) without writing; send it again with ``encoding_checked`` to import it, or confirm
    the preview with ``POST /imports/{id}/confirm``."""
    if not selectors.scope_for(request.user).can_manage:
        raise HttpError(403, _("Only personnel officers can import data."))
    if kind not in ImportJob.Kind.values:
        raise HttpError(422, _("kind must be “roster” or “units”."))
    try:
        job = services.import_job_create(user=request.user, kind=kind, uploaded_file=file, dry_run=dry_run,
                                         encoding_checked=encoding_checked)
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages))
    job.refresh_from_db()
    return Status(201, job)


@router.post("/imports/{job_id}/confirm", response={201: ImportJobOut},
             summary="Import a previewed file whose converted names were checked")
def confirm_import(request, job_id: int):
    job = get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=job_id)
    try:
        new = services.import_job_confirm(job=job, user=request.user)
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages))
    new.refresh_from_db()
    return Status(201, new)


@router.get("/imports/{job_id}", response=ImportJobOut, summary="Status and progress of an import")
def get_import(request, job_id: int):
    return get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=job_id)
