"""Writes for the roster: accounts for officials, postings and transfers (kept as history so learning records
follow the person), and the roster import's writing half (`roster_apply`). Staff roles are `scopes`'."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.text import fold

from ..models import Category, Official, OfficialStatus, Transfer, Unit, User
from ..parsing import OFFICIAL_FIELDS
from .base import ImportResult, roster_changed_on_commit, today

PROGRESS_EVERY = 1000


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
    Transfer.objects.create(official=official, from_unit=None, to_unit=unit, effective_date=on or today(),
                            source=source, recorded_by=by)
    roster_changed_on_commit([official.pk])
    return official


@transaction.atomic
def official_transfer(*, official: Official, to_unit: Unit, on: dt.date | None = None, by: User | None = None,
                      source: str = Transfer.Source.MANUAL, note: str = "", reorganisation=None) -> Transfer | None:
    """Move an official to another unit from a date. Their learning records stay theirs. None if no change.

    A back-dated transfer takes its place among the official's postings: it starts from the unit they were in on
    that date, and their current unit is that of their latest posting (a later transfer is not undone)."""
    on = on or today()
    official = Official.objects.select_for_update().get(pk=official.pk)
    postings = list(official.transfers.order_by("effective_date", "id"))
    before = [t for t in postings if t.effective_date <= on]
    from_unit_id = before[-1].to_unit_id if before else official.unit_id
    if from_unit_id == to_unit.pk:
        return None
    if not to_unit.is_active:
        raise ValidationError(_("The unit %(name)s is no longer active.") % {"name": to_unit.name})
    transfer = Transfer.objects.create(official=official, from_unit_id=from_unit_id, to_unit=to_unit,
                                       effective_date=on, source=source, note=note, recorded_by=by,
                                       reorganisation=reorganisation)
    later = [t for t in postings if t.effective_date > on]
    if later:
        # The next posting now starts from the unit this one gave.
        later[0].from_unit = to_unit
        later[0].save(update_fields=["from_unit"])
    else:
        official.unit = to_unit
        official.save(update_fields=["unit", "updated_at"])
        roster_changed_on_commit([official.pk])
    return transfer


def _shown(field: str, value) -> str:
    """A field's value as the change list shows it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if field == "category":
        return str(Category(value).label)
    if field == "status":
        return str(OfficialStatus(value).label)
    return str(value)


@transaction.atomic
def roster_apply(rows: list[tuple[int, dict]], *, by: User | None, progress: Callable[[int], None] = lambda n: None
                 ) -> ImportResult:
    """Write validated roster rows: create new officials with accounts, update changed ones, record transfers, and
    tell the LMS (after the commit) which officials the file names, whichever channel brought it.

    An existing official's fields change only as far as the row says: `row["fields"]` (from `roster_validate`)
    holds the fields of the columns present in the file whose cell was not empty; a row without it sets every
    field. Each change is listed in `result.changes` (row, code, field, old, new)."""
    on = today()
    result = ImportResult(rows=len(rows))
    existing = {o.employee_code.lower(): o for o in Official.objects.select_related("user")}
    new_rows, changed, users_changed, transfers = [], [], [], []
    for i, (row_no, row) in enumerate(rows):
        official = existing.get(row["employee_code"].lower())
        values = row["fields"] if "fields" in row else {k: row[k] for k in OFFICIAL_FIELDS}
        if official is None:
            new_rows.append(row)
            continue
        diff = {k: v for k, v in values.items() if getattr(official, k) != v}
        for k, v in diff.items():
            result.changes.append({"row": row_no, "code": official.employee_code, "field": k,
                                   "old": _shown(k, getattr(official, k)), "new": _shown(k, v)})
        moved = official.unit_id != row["unit"].pk
        if moved:
            result.changes.append({"row": row_no, "code": official.employee_code, "field": "unit",
                                   "old": official.unit.code if official.unit_id else "—", "new": row["unit"].code})
            transfers.append(Transfer(official=official, from_unit_id=official.unit_id, to_unit=row["unit"],
                                      effective_date=row["effective_date"] or on, source=Transfer.Source.IMPORT,
                                      recorded_by=by))
            official.unit = row["unit"]
            result.transferred += 1
        if diff:
            for k, v in diff.items():
                setattr(official, k, v)
            if "full_name" in diff:
                official.name_folded = fold(official.full_name)
            if "email" in diff and official.user.email != official.email:
                official.user.email = official.email
                users_changed.append(official.user)
            result.updated += 1
        if diff or moved:
            official.updated_at = timezone.now()
            changed.append(official)
        else:
            result.unchanged += 1
        if i % PROGRESS_EVERY == 0:
            progress(i)

    update_fields = [*OFFICIAL_FIELDS, "unit", "name_folded", "updated_at"]
    Official.objects.bulk_update(changed, update_fields, batch_size=1000)
    User.objects.bulk_update(users_changed, ["email"], batch_size=1000)
    Transfer.objects.bulk_create(transfers, batch_size=1000)

    if new_rows:
        users = [user_for_official(employee_code=r["employee_code"], email=r["email"], full_name=r["full_name"])
                 for r in new_rows]
        User.objects.bulk_create(users, batch_size=1000)
        user_ids = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "id")) \
            if len(users) < 900 else dict(User.objects.values_list("username", "id"))
        officials = [
            Official(user_id=user_ids[r["employee_code"].lower()], employee_code=r["employee_code"],
                     name_folded=fold(r["full_name"]), unit=r["unit"], **{k: r[k] for k in OFFICIAL_FIELDS})
            for r in new_rows
        ]
        Official.objects.bulk_create(officials, batch_size=1000)
        ids = dict(Official.objects.values_list("employee_code", "id"))
        Transfer.objects.bulk_create(
            [Transfer(official_id=ids[r["employee_code"]], from_unit=None, to_unit=r["unit"],
                      effective_date=r["effective_date"] or on, source=Transfer.Source.IMPORT, recorded_by=by)
             for r in new_rows],
            batch_size=1000,
        )
        result.created = len(new_rows)
    # One message for the whole file, sent after the commit: the LMS re-assigns the requirements of every official
    # the file names (bulk writes send no signal of their own).
    codes = {r["employee_code"].lower() for _n, r in rows}
    roster_changed_on_commit(pk for code, pk in Official.objects.values_list("employee_code", "pk")
                             if code.lower() in codes)
    progress(len(rows))
    return result
