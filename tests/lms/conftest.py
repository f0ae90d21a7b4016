"""Fixtures the LMS tests share: the one-stop module (through the demo loader) and the one-stop exam."""
import pytest

from ..factories import module_build, one_stop_exam


@pytest.fixture
def module(db, tmp_path):
    return module_build(tmp_path)


@pytest.fixture
def exam(db):
    return one_stop_exam()
