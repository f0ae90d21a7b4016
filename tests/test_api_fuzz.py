"""Schemathesis against our own OpenAPI schema (`/api/openapi.json`): generated requests for every operation, signed in
as a candidate with an open sitting and as an administrator, and not one may get a server error (5xx) or an answer
that is not JSON. CI runs it on PostgreSQL, where a value out of a column's range or a character jsonb cannot store
used to become a 500."""
import json
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exams.models import Attempt

from .factories import ExamFactory

pytestmark = pytest.mark.django_db

# Examples per operation: enough to try boundaries, odd characters and wrong types in every parameter.
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "30"))


def _signed_in(user) -> dict:
    browser = Client()
    browser.force_login(user)
    browser.get("/thi/")  # sets the CSRF cookie as a page would
    session, csrf = browser.cookies["sessionid"].value, browser.cookies["csrftoken"].value
    return {"cookies": {"sessionid": session, "csrftoken": csrf}, "headers": {"X-CSRFToken": csrf}}


def _fuzz(auth: dict, real_ids: dict[str, int]) -> list[str]:
    schema_reader = Client()
    schema_reader.cookies.load({k: v for k, v in auth["cookies"].items()})  # the schema is for signed-in users
    raw = schema_reader.get("/api/openapi.json").json()
    schema = schemathesis.openapi.from_dict(raw)
    app = WSGIHandler()
    failures: list[str] = []
    # As Django's test client does: the test's database connection must survive the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _fuzz_all(schema, app, auth, real_ids, failures)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return failures


def _fuzz_all(schema, app, auth: dict, real_ids: dict[str, int], failures: list[str]) -> None:
    for result in schema.get_all_operations():
        operation = result.ok()

        # Half the cases use the ids that exist (the candidate's sitting, a real unit), so the requests reach the
        # code behind the look-up and not only the 404.
        @given(case=operation.as_strategy(), real=st.booleans())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case, real):
            if real and case.path_parameters:
                for name, value in real_ids.items():
                    if name in case.path_parameters:
                        case.path_parameters[name] = value
            response = case.call(app=app, **auth)
            text = response.content.decode(errors="replace") if response.content else ""
            if response.status_code >= 500:
                failures.append(f"{operation.method.upper()} {operation.path} {case.path_parameters} "
                                f"{case.query} {str(case.body)[:200]} -> {response.status_code} {text[:300]}")
            elif response.status_code != 204 and text:
                try:
                    json.loads(text)
                except ValueError:
                    failures.append(f"{operation.method.upper()} {operation.path} -> {response.status_code} "
                                    f"not JSON: {text[:200]}")

        run()


@pytest.fixture
def exam(db):
    """A published exam drawing 10 of 30 single-choice questions."""
    return ExamFactory(published=True, time_limit_minutes=30, attempts_allowed=2, bank=30, bank__draw_count=10)


def test_no_operation_of_the_api_answers_a_server_error_to_a_candidate(exam, trang_dai_official):
    from exams.services import attempt_start

    attempt = attempt_start(exam=exam, official=trang_dai_official)
    failures = _fuzz(_signed_in(trang_dai_official.user),
                     {"attempt_id": attempt.pk, "exam_id": exam.pk, "slot": 1})
    assert failures == []
    assert Attempt.objects.filter(pk=attempt.pk).exists()


def test_no_operation_of_the_api_answers_a_server_error_to_an_administrator(admin_user, tree, trang_dai_official):
    failures = _fuzz(_signed_in(admin_user),
                     {"code": tree["bien_hoa"].code, "official_id": trang_dai_official.pk})
    assert failures == []
