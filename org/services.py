"""Writes for the unit tree and the roster. Every change that matters later (names, parents, postings) is kept
as history rows so a past report can be reproduced."""
from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import roles
from .models import ImportJob, Official, OfficialStatus, Transfer, Unit, UnitVersion, User
from common.text import fold

logger = logging.getLogger(__name__)


def _today() -> dt.date:
    return timezone.localdate()


def _roster_changed(official_ids) -> None:
    """Tell listeners (the LMS re-assigns requirements) which officials changed, once the change is committed."""
    from .signals import roster_changed

    ids = sorted(set(official_ids))
    if ids:
        transaction.on_commit(lambda: roster_changed.send(sender=Official, official_ids=ids))


def _path_for(unit: Unit, parent: Unit | None) -> tuple[str, int]:
    if parent is None:
        return f"/{unit.pk}/", 0
    return f"{parent.path}{unit.pk}/", parent.depth + 1


@transaction.atomic
def unit_create(*, code: str, name: str, kind: str, parent: Unit | None = None, active_from: dt.date | None = None,
                by: User | None = None) -> Unit:
    """Create a unit under a parent and open its first version."""
    if parent is not None and not parent.is_active:
        raise ValidationError(_("The parent unit %(name)s is no longer active.") % {"name": parent.name})
    unit = Unit.objects.create(code=code, name=name, kind=kind, parent=parent, path="", active_from=active_from,
                               name_folded=fold(name))
    unit.path, unit.depth = _path_for(unit, parent)
    unit.save(update_fields=["path", "depth"])
    UnitVersion.objects.create(unit=unit, name=name, kind=kind, parent=parent, valid_from=active_from or _today(),
                               reason=UnitVersion.Reason.CREATED, changed_by=by)
    return unit


def _open_version(unit: Unit, *, on: dt.date, reason: str, by: User | None, note: str = "") -> None:
    current = unit.versions.filter(valid_to__isnull=True).first()
    if current is not None:
        if current.valid_from >= on:
            # A second change on the same day replaces that day's version instead of making an empty span.
            current.delete()
        else:
            current.valid_to = on
            current.save(update_fields=["valid_to"])
    UnitVersion.objects.create(unit=unit, name=unit.name, kind=unit.kind, parent=unit.parent, valid_from=on,
                               reason=reason, note=note, changed_by=by)


@transaction.atomic
def unit_update(*, unit: Unit, name: str | None = None, kind: str | None = None, parent: Unit | None | bool = False,
                on: dt.date | None = None, by: User | None = None, note: str = "") -> bool:
    """Rename, re-kind or move a unit from a date, keeping the earlier state as history. Returns whether
    anything changed. `parent=False` means leave the parent alone; `None` makes it a root."""
    on = on or _today()
    changed_name = name is not None and name != unit.name
    changed_kind = kind is not None and kind != unit.kind
    moving = parent is not False and (parent.pk if parent else None) != unit.parent_id
    if not (changed_name or changed_kind or moving):
        return False
    if moving and parent is not None and parent.path.startswith(unit.path):
        raise ValidationError(_("A unit cannot be moved under itself or one of its own sub-units."))
    if changed_name:
        unit.name, unit.name_folded = name, fold(name)
    if changed_kind:
        unit.kind = kind
    if moving:
        old_path, old_depth = unit.path, unit.depth
        unit.parent = parent
        unit.path, unit.depth = _path_for(unit, parent)
        _rewrite_subtree_paths(old_path=old_path, new_path=unit.path, depth_delta=unit.depth - old_depth)
    unit.save()
    if moving:  # audiences chosen by unit subtree change for everyone below
        _roster_changed(Official.objects.filter(unit__path__startswith=unit.path).values_list("pk", flat=True))
    reason = (UnitVersion.Reason.MOVED if moving and not changed_name else
              UnitVersion.Reason.RENAMED if changed_name and not moving and not changed_kind else
              UnitVersion.Reason.CHANGED)
    _open_version(unit, on=on, reason=reason, by=by, note=note)
    return True


def _rewrite_subtree_paths(*, old_path: str, new_path: str, depth_delta: int) -> None:
    descendants = list(Unit.objects.filter(path__startswith=old_path).exclude(path=old_path))
    for d in descendants:
        d.path = new_path + d.path[len(old_path):]
        d.depth = d.depth + depth_delta
    Unit.objects.bulk_update(descendants, ["path", "depth"])


@transaction.atomic
def unit_merge(*, source: Unit, target: Unit, on: dt.date | None = None, by: User | None = None) -> int:
    """Merge `source` into `target` from a date: its sub-units and officials move to the target (each official
    gets a transfer, so their records follow them) and the source is closed. Returns officials moved."""
    on = on or _today()
    if source.pk == target.pk or target.path.startswith(source.path):
        raise ValidationError(_("A unit cannot be merged into itself or one of its own sub-units."))
    for child in list(source.children.filter(active_to__isnull=True)):
        unit_update(unit=child, parent=target, on=on, by=by, note=_("Merged with %(name)s") % {"name": source.name})
    moved = 0
    for official in list(source.officials.all()):
        official_transfer(official=official, to_unit=target, on=on, by=by, source=Transfer.Source.REORGANISATION)
        moved += 1
    unit_close(unit=source, on=on, by=by, merged_into=target)
    return moved


@transaction.atomic
def unit_close(*, unit: Unit, on: dt.date | None = None, by: User | None = None, merged_into: Unit | None = None) -> None:
    """Close a unit from a date. It must have no active officials or sub-units left."""
    on = on or _today()
    if unit.officials.filter(status=OfficialStatus.ACTIVE).exists() or unit.children.filter(active_to__isnull=True).exists():
        raise ValidationError(_("Move the officials and sub-units of %(name)s before closing it.") % {"name": unit.name})
    unit.active_to = on
    unit.merged_into = merged_into
    unit.save(update_fields=["active_to", "merged_into"])
    current = unit.versions.filter(valid_to__isnull=True).first()
    if current:
        current.valid_to = on
        current.save(update_fields=["valid_to"])
    UnitVersion.objects.create(unit=unit, name=unit.name, kind=unit.kind, parent=unit.parent, valid_from=on,
                               valid_to=on, reason=UnitVersion.Reason.MERGED if merged_into else UnitVersion.Reason.CLOSED,
                               note=merged_into.name if merged_into else "", changed_by=by)


def user_for_official(*, employee_code: str, email: str = "", full_name: str = "") -> User:
    """A new account for an official: the username is the employee code; no password until they set one
    through "forgot password" or a personnel officer resets it."""
    last, _sep, first = full_name.rpartition(" ")
    user = User(username=employee_code.lower(), email=email, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    return user


@transaction.atomic
def official_create(*, employee_code: str, full_name: str, unit: Unit, category: str, on: dt.date | None = None,
                    by: User | None = None, user: User | None = None, source: str = Transfer.Source.MANUAL,
                    **fields) -> Official:
    """Put a person on the roster with an account and their first posting."""
    if user is None:
        user = user_for_official(employee_code=employee_code, email=fields.get("email", ""), full_name=full_name)
        user.save()
    official = Official.objects.create(user=user, employee_code=employee_code, full_name=full_name,
                                       name_folded=fold(full_name), unit=unit, category=category, **fields)
    Transfer.objects.create(official=official, from_unit=None, to_unit=unit, effective_date=on or _today(),
                            source=source, recorded_by=by)
    _roster_changed([official.pk])
    return official


@transaction.atomic
def official_transfer(*, official: Official, to_unit: Unit, on: dt.date | None = None, by: User | None = None,
                      source: str = Transfer.Source.MANUAL, note: str = "") -> Transfer | None:
    """Move an official to another unit from a date. Their learning records stay theirs. None if no change."""
    if official.unit_id == to_unit.pk:
        return None
    if not to_unit.is_active:
        raise ValidationError(_("The unit %(name)s is no longer active.") % {"name": to_unit.name})
    transfer = Transfer.objects.create(official=official, from_unit_id=official.unit_id, to_unit=to_unit,
                                       effective_date=on or _today(), source=source, note=note, recorded_by=by)
    official.unit = to_unit
    official.save(update_fields=["unit", "updated_at"])
    _roster_changed([official.pk])
    return transfer


def role_grant(*, user: User, role: str, scope_unit: Unit | None = None) -> None:
    """Give a user a staff role (a group name from `org.roles`); personnel officers need a scope unit."""
    if role == roles.PERSONNEL:
        if scope_unit is None:
            raise ValidationError(_("A personnel officer must be bound to a unit."))
        user.scope_unit = scope_unit
        user.save(update_fields=["scope_unit"])
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    user.__dict__.pop("_group_names", None)


# --- Imports ------------------------------------------------------------------------------------------------

def _progress_key(job_id: int) -> str:
    return f"org:import:{job_id}:progress"


def import_progress(job_id: int) -> dict:
    """Progress of a running import, kept in the cache because the import's own transaction hides it."""
    from django.core.cache import cache

    return cache.get(_progress_key(job_id)) or {}


@transaction.atomic
def import_job_create(*, user: User, kind: str, uploaded_file) -> ImportJob:
    """Store an uploaded roster or unit file and queue its import (run after the commit)."""
    from django.conf import settings

    from .tasks import import_job_run_task

    name = uploaded_file.name.rsplit("/", 1)[-1]
    if not name.lower().endswith((".xlsx", ".csv", ".txt")):
        raise ValidationError(_("Only .xlsx and .csv files can be imported."))
    if uploaded_file.size > settings.IMPORT_MAX_FILE_SIZE:
        raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": settings.IMPORT_MAX_FILE_SIZE // 2**20})
    job = ImportJob.objects.create(kind=kind, file=uploaded_file, original_name=name, created_by=user,
                                   scope_unit_id=user.scope_unit_id)
    transaction.on_commit(lambda: import_job_run_task.delay(job_id=job.pk))
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Validate the whole file, then write it in one transaction, or refuse it with every error found.
    Safe to run twice: a finished job is left as it is."""
    from django.core.cache import cache
    from django.utils import translation

    from . import imports
    from .selectors import scope_for

    updated = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(status=ImportJob.Status.RUNNING)
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not updated:
        return job
    key = _progress_key(job_id)

    def progress(phase: str, total: int):
        def report(done: int) -> None:
            cache.set(key, {"phase": phase, "done": done, "total": total}, timeout=3600)
        return report

    with translation.override("vi"):
        try:
            with job.file.open("rb") as fh:
                data = fh.read()
            frame = imports.read_table(data, job.original_name)
            job.total_rows = len(frame)
            job.save(update_fields=["total_rows"])
            scope = scope_for(job.created_by) if job.created_by else imports.Scope()
            validate, apply = ((imports.roster_validate, imports.roster_apply) if job.kind == ImportJob.Kind.ROSTER
                               else (imports.units_validate, imports.units_apply))
            rows, errors = validate(frame, scope=scope, progress=progress("validating", len(frame)))
            if errors:
                raise imports.ImportRefused(errors)
            result = apply(rows, by=job.created_by, progress=progress("writing", len(rows)))
        except imports.ImportRefused as refused:
            job.status = ImportJob.Status.FAILED
            job.errors = [e.as_dict() for e in refused.errors[: imports.MAX_ERRORS_KEPT]]
            job.summary = {"error_count": len(refused.errors)}
        except Exception:
            logger.exception("import job %s crashed", job_id)
            job.status = ImportJob.Status.FAILED
            job.errors = [imports.RowError(0, "", _(
                "The import stopped because of a system error; nothing was changed. Please try again or contact "
                "the administrator.")).as_dict()]
        else:
            job.status = ImportJob.Status.DONE
            job.summary = result.as_dict()
            if job.kind == ImportJob.Kind.ROSTER:  # one signal for the whole file
                codes = {r["employee_code"].lower() for _n, r in rows}
                _roster_changed(pk for code, pk in Official.objects.values_list("employee_code", "pk")
                                if code.lower() in codes)
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "errors", "summary", "finished_at"])
        cache.delete(key)
    return job


def import_jobs_fail_stale(*, older_than: dt.timedelta = dt.timedelta(hours=2)) -> int:
    """Mark imports left running by a worker that died as failed. Their transaction rolled back, so nothing
    was written; the person is told to upload again. Returns how many were marked."""
    cutoff = timezone.now() - older_than
    return ImportJob.objects.filter(status=ImportJob.Status.RUNNING, created_at__lt=cutoff).update(
        status=ImportJob.Status.FAILED, finished_at=timezone.now(),
        errors=[{"row": 0, "column": "", "message": str(_(
            "The import was interrupted (the server restarted); nothing was changed. Please upload the file again."))}],
    )
