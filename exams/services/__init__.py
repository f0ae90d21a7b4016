"""The exams app's writes, by concern: `bank` (questions, versions, topics, bank imports), `sittings` (start,
accommodations, submit, finalisation), `answers` (the autosave), `room` (the rules every request of a sitting obeys:
IP ranges, access code, which tab holds it, the event log), `errors` (why the room refuses) and `permissions`
(the trainers' group). Callers keep writing `from exams import services; services.attempt_start(...)`: the public
names are gathered here. A test that replaces something must patch it in the module that reads it: what only one
module reads (`exams.services.room.ROOM_RULES_TTL`, `exams.services.sittings.grade`) is not re-exported, so a patch
aimed here fails loudly; a patch of `services.attempt_submit` reaches callers that go through the package (exams.api)
but not the finaliser, which calls `exams.services.sittings.attempt_submit`."""
from .answers import ANSWER_MAX_BYTES, SLOT_MAX, answer_save, answer_save_own
from .bank import (CONTENT_FIELDS, BankFile, BankImportResult, bank_import, clean_html, files_store, parse_bank_file,
                   question_save, question_set_active, read_bank_file, sanitised, topic_get_or_create, version_data)
from .errors import AccessCodeNeeded, AnswerInvalid, AttemptClosed, ExamRefused, IpRefused, TakenOver, Throttled
from .permissions import exam_permissions_setup
from .room import (ACCESS_CODE_TRIES, ACCESS_CODE_WINDOW, EVENTS_PER_MINUTE, access_code_check, attempt_claim,
                   attempt_log, ip_allowed, room_rules_forget, sitting_guard)
from .sessions import (attempt_start_prepared, incident_record, room_shift_close, room_shift_open, seat_check_in, seat_move,
                       second_marking_decide, second_marking_mark, second_marking_request, session_candidates_add,
                       session_candidates_from_audience, session_candidates_from_codes, session_publish,
                       session_room_shifts_sync, session_seats_assign)
from .sittings import (FINALISE_BATCH, SAVE_GRACE, Terms, attempt_extend_open, attempt_start, attempt_submit,
                       attempts_finalise_overdue, exam_override_save, exam_terms)

__all__ = [
    "ACCESS_CODE_TRIES", "ACCESS_CODE_WINDOW", "ANSWER_MAX_BYTES", "CONTENT_FIELDS", "EVENTS_PER_MINUTE",
    "FINALISE_BATCH", "SAVE_GRACE", "SLOT_MAX",
    "AccessCodeNeeded", "AnswerInvalid", "AttemptClosed", "BankFile", "BankImportResult", "ExamRefused", "IpRefused", "TakenOver",
    "Terms", "Throttled",
    "access_code_check", "answer_save", "answer_save_own", "attempt_claim", "attempt_extend_open", "attempt_log",
    "attempt_start", "attempt_start_prepared", "attempt_submit", "attempts_finalise_overdue", "bank_import", "clean_html",
    "exam_override_save", "exam_permissions_setup", "exam_terms", "files_store", "ip_allowed", "parse_bank_file",
    "question_save", "read_bank_file", "incident_record", "room_shift_close", "room_shift_open", "seat_check_in",
    "seat_move", "second_marking_decide", "second_marking_mark", "second_marking_request", "session_candidates_add",
    "session_candidates_from_audience", "session_candidates_from_codes", "session_publish",
    "session_room_shifts_sync", "session_seats_assign",
    "question_set_active", "room_rules_forget", "sanitised", "sitting_guard", "topic_get_or_create", "version_data",
]
