"""Why the exam room refuses a request: one exception per reason, each carrying a message the candidate can read.
The room's API (exams.api) turns each into its own status and code."""


class ExamRefused(Exception):
    """The candidate may not start or continue; the message says why, in words they understand."""


class AttemptClosed(ExamRefused):
    """The sitting is submitted or its time is up: nothing more is recorded."""


class TakenOver(ExamRefused):
    """Another tab or device holds the sitting now."""


class IpRefused(ExamRefused):
    """The request comes from outside the exam's allowed IP ranges."""


class AccessCodeNeeded(ExamRefused):
    """Opening the sitting in a new session needs the exam's access code again (as Moodle's password rule)."""


class Throttled(ExamRefused):
    """Too many tries: wait `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class AnswerInvalid(ExamRefused):
    """An answer the database cannot or must not store (too large, or characters that are not text)."""

