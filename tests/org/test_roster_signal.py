"""Roster changes reach the LMS once they are committed; a reorganisation tells it once, not once per unit."""
import pytest
from django.db import transaction

from org.services.base import roster_changed_on_commit, roster_changes_batched
from org.signals import roster_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    calls = []

    def listener(sender, official_ids=None, **kwargs):
        calls.append(official_ids)

    roster_changed.connect(listener, dispatch_uid="test-roster-signal")
    yield calls
    roster_changed.disconnect(dispatch_uid="test-roster-signal")


def test_changes_gathered_in_a_block_are_told_once_after_the_commit(received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic(), roster_changes_batched():
            roster_changed_on_commit([3, 1])
            with roster_changes_batched():  # nested: still the one block
                roster_changed_on_commit([2, 3])
            assert received == []  # nothing before the commit
    assert received == [[1, 2, 3]]
    with django_capture_on_commit_callbacks(execute=True):
        roster_changed_on_commit([5])
        roster_changed_on_commit([4])
    assert received == [[1, 2, 3], [5], [4]]  # outside a block, each change is told on its own


def test_a_block_that_fails_tells_nothing(received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValueError), transaction.atomic(), roster_changes_batched():
            roster_changed_on_commit([7])
            raise ValueError
        roster_changed_on_commit([8])
    assert received == [[8]]
