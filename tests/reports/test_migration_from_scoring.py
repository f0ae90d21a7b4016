"""Issue 13 moved the report models from the `scoring` app to `reports`. A database migrated before the move holds
their rows in scoring_exportjob and scoring_coveragesnapshot, with content types under `scoring`; migrating it
forward must keep every row and every permission. (A new database gets the tables from the same migrations: the
test database itself is made that way.)"""
import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lms.models import Requirement
from reports.models import CoverageSnapshot, ExportJob

from ..factories import UnitFactory, UserFactory


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def _tables():
    return set(connection.introspection.table_names())


@pytest.mark.django_db(transaction=True)
def test_a_database_made_before_the_move_keeps_every_row_and_permission():
    user = UserFactory()
    unit = UnitFactory()
    requirement = Requirement.objects.create(title="Tiếp nhận hồ sơ một cửa", due_date=dt.date(2026, 12, 31))
    job = ExportJob.objects.create(kind="period", fmt="xlsx", title="Báo cáo quý IV", created_by=user)
    CoverageSnapshot.objects.create(date=dt.date(2026, 9, 30), requirement=requirement, unit=unit,
                                    unit_path=unit.path, completed=3, not_started=1)
    group = Group.objects.create(name="Phòng Nội vụ")
    group.permissions.add(Permission.objects.get(codename="view_exportjob"))

    # Back to the shape of a database made before the move: the tables and content types are scoring's again
    # (0001 only recorded the models, so unapplying it leaves the tables where they were).
    _migrate([("reports", None)])
    assert {"scoring_exportjob", "scoring_coveragesnapshot"} <= _tables()
    assert not {"reports_exportjob", "reports_coveragesnapshot"} & _tables()
    assert ContentType.objects.filter(app_label="scoring", model="exportjob").exists()

    _migrate([("reports", "0002_tables_renamed")])

    assert {"reports_exportjob", "reports_coveragesnapshot"} <= _tables()
    assert not {"scoring_exportjob", "scoring_coveragesnapshot"} & _tables()
    assert ExportJob.objects.get().title == "Báo cáo quý IV" and ExportJob.objects.get().pk == job.pk
    snapshot = CoverageSnapshot.objects.get()
    assert (snapshot.unit_id, snapshot.completed, snapshot.audience) == (unit.pk, 3, 4)
    # The group keeps its right, now on the reports app's model.
    assert group.permissions.get().content_type.app_label == "reports"
    assert user.__class__.objects.get(pk=user.pk).has_perm("reports.view_exportjob") is False  # not in the group
    user.groups.add(group)
    assert user.__class__.objects.get(pk=user.pk).has_perm("reports.view_exportjob")

