"""The access-code rule per browser session, as Moodle's quiz password rule: a sitting opened in a new session (another
device, or after signing in again) needs the exam's access code again, so a sitting started in the exam room cannot
simply be continued elsewhere."""
SESSION_KEY = "exam_access_codes"


def code_given(request, exam) -> bool:
    """Whether this browser session has given the exam's access code (always true for an exam without one)."""
    return not exam.access_code or exam.pk in request.session.get(SESSION_KEY, [])


def code_remember(request, exam) -> None:
    """This session has given the exam's access code."""
    if exam.access_code and exam.pk not in request.session.get(SESSION_KEY, []):
        request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []), exam.pk]
