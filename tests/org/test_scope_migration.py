"""Migration org 0002: a database from before several units per personnel officer keeps each officer's unit, now
as their first scope grant (and their primary unit), recorded in the role history."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from org import roles
from org.models import RoleChange, ScopeGrant, User
from org.selectors import scope_for

from ..factories import UnitFactory, UserFactory


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.fixture(autouse=True)
def _latest_schema_after():
    """The test walks org's migrations back and forth; later tests need the schema of today's models."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_each_scope_unit_becomes_a_grant():
    from django.contrib.auth.models import Group

    unit = UnitFactory(code="731", name="Thành phố Biên Hòa")
    officer, other = UserFactory(username="tochuc"), UserFactory(username="canbo")
    officer.groups.add(Group.objects.get_or_create(name=roles.PERSONNEL)[0])

    _migrate([("org", "0001_initial")])
    User.objects.filter(pk=officer.pk).update(scope_unit=unit)
    _migrate([("org", "0002_scope_grants_and_role_changes")])

    officer = User.objects.get(pk=officer.pk)
    assert list(ScopeGrant.objects.values_list("user__username", "unit__code")) == [("tochuc", "731")]
    assert officer.scope_unit == unit and scope_for(officer).unit_paths == (unit.path,)
    change = RoleChange.objects.get()
    assert (change.user, change.action, list(change.units.all())) == (officer, "grant", [unit])
    assert not ScopeGrant.objects.filter(user=other).exists()
