"""The exam room's autosave: one answer per request, idempotent by the client's sequence number, durable before the
reply, and ordered with any submit so that a 2xx means the answer is in the grade (ARCHITECTURE.md, the exam
engine's contract). The hottest request of an exam: see bench/README.md before adding a query here."""
from __future__ import annotations

import datetime as dt
import functools
import json

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Answer, Attempt
from .errors import AnswerInvalid, AttemptClosed, ExamRefused, TakenOver
from .room import exams_refusing, room_rules_forget, sitting_guard
from .sittings import SAVE_GRACE

ANSWER_MAX_BYTES = 64 * 1024
SLOT_MAX = 32767  # the column's range


def _answer_checked(response: dict) -> None:
    """Refuse an answer that is too large, or holds U+0000 or a lone surrogate (PostgreSQL's jsonb stores neither,
    and such an answer would be retried for ever)."""
    def bad(value) -> bool:
        if isinstance(value, str):
            return "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value)
        if isinstance(value, dict):
            return any(bad(k) or bad(v) for k, v in value.items())
        if isinstance(value, list):
            return any(bad(v) for v in value)
        return False

    if bad(response):
        raise AnswerInvalid(_("This answer contains characters that are not text (for example a null character). "
                              "Remove them and answer again."))
    if len(json.dumps(response, ensure_ascii=False).encode()) > ANSWER_MAX_BYTES:
        raise AnswerInvalid(_("This answer is too long: at most %(kb)s KB can be saved for one question.")
                            % {"kb": ANSWER_MAX_BYTES // 1024})


@functools.lru_cache(maxsize=4)
def _answer_write_sql(vendor: str, owner_checked: bool) -> str:
    """The autosave's one statement for this database, built once per process (the text never varies, so it stays
    prepared). In the SQL, `a` is the sitting and `o` its official."""
    quote = connection.ops.quote_name
    attempt_meta = Attempt._meta
    official_meta = Attempt._meta.get_field("official").related_model._meta
    table = quote(Answer._meta.db_table)
    cols = ", ".join(quote(c) for c in ("attempt_id", "slot", "response", "seq", "saved_at"))
    owner = (f"INNER JOIN {quote(official_meta.db_table)} o ON o.{quote('id')} = a.{quote('official_id')} "
             if owner_checked else "")
    return (f"INSERT INTO {table} ({cols}) "
            f"SELECT a.{quote('id')}, %s, %s, %s, %s FROM {quote(attempt_meta.db_table)} a {owner}"
            f"WHERE a.{quote('id')} = %s {'AND o.' + quote('user_id') + ' = %s ' if owner_checked else ''}"
            f"AND a.{quote('status')} = %s AND a.{quote('deadline')} >= %s "
            f"AND (%s = '' OR a.{quote('active_client')} = '' OR a.{quote('active_client')} = %s) "
            f"AND %s BETWEEN 1 AND a.{quote('slot_count')} "
            # The exams whose IP ranges refuse this address (usually none), as one parameter: the text stays the same
            # and the statement prepared.
            f"AND a.{quote('exam_id')} "
            f"{'<> ALL(%s::bigint[]) ' if vendor == 'postgresql' else 'NOT IN (SELECT value FROM json_each(%s)) '}"
            # SQLite has no row locks: its writers are serialised by the database lock a submit holds till commit.
            f"{'FOR KEY SHARE OF a ' if vendor == 'postgresql' else ''}"
            f"ON CONFLICT ({quote('attempt_id')}, {quote('slot')}) DO UPDATE SET "
            f"{quote('response')} = excluded.{quote('response')}, {quote('seq')} = excluded.{quote('seq')}, "
            f"{quote('saved_at')} = excluded.{quote('saved_at')} "
            f"WHERE {table}.{quote('seq')} < excluded.{quote('seq')} "
            f"RETURNING {quote('seq')}")


def _answer_write(*, attempt_id: int, user_id: int | None, slot: int, response: dict, seq: int, now: dt.datetime,
                  client: str, refused_exams: list[int] = ()) -> int | None:
    """Store an answer in one statement, autocommitted (durable when it returns): insert it, or overwrite the stored
    one only if this sequence number is newer (the ORM cannot say "only if newer"). The same statement checks the
    sitting (owner when `user_id` is given, status, deadline, tab, slot, the exams refusing this address) and, on
    PostgreSQL, holds a KEY SHARE lock on the sitting's row while it writes. A submit or finalisation locks that row
    FOR UPDATE before it reads the answers, so the two are ordered: a save that comes first is in the grade; a save
    that comes during or after waits for the submit to commit, then finds the sitting finished and writes nothing
    (the caller answers 410). KEY SHARE is the weakest lock that conflicts with FOR UPDATE: saves do not wait for
    each other, nor for a claim or a deadline change. Returns the stored seq, or None when nothing was written."""
    sql = _answer_write_sql(connection.vendor, user_id is not None)
    params = [slot, _column_value(Answer, "response", response), seq, _column_value(Answer, "saved_at", now),
              attempt_id, *([user_id] if user_id is not None else []), Attempt.Status.IN_PROGRESS,
              _column_value(Attempt, "deadline", now - SAVE_GRACE), client, client, slot,
              list(refused_exams) if connection.vendor == "postgresql" else json.dumps(list(refused_exams))]
    if connection.vendor == "postgresql":
        # A prepared statement, once per connection (psycopg keeps it by the query's text): PostgreSQL then skips
        # parsing and planning on every later autosave (bench/README.md). Django's own cursors send parameters
        # inline and cannot prepare.
        import psycopg

        connection.ensure_connection()
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            written = cursor.execute(sql, params, prepare=True).fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            written = cursor.fetchone()
    return written[0] if written is not None else None


def _column_value(model, field: str, value):
    """`value` as the model's column stores it (JSON text, a datetime in the database's form): the raw statement
    bypasses the ORM, which would otherwise convert it."""
    return model._meta.get_field(field).get_db_prep_save(value, connection)


def _why_not_saved(*, attempt: Attempt, slot: int, now: dt.datetime, client: str) -> int | None:
    """Nothing was written: say why (raise), or return the newer sequence number already stored, or None when the
    sitting now admits the save after all (its deadline was just extended, say)."""
    if attempt.status == Attempt.Status.SUBMITTED:
        raise AttemptClosed(_("This exam has already been submitted. This answer was not recorded."))
    if attempt.status != Attempt.Status.IN_PROGRESS or now > attempt.deadline + SAVE_GRACE:
        raise AttemptClosed(_("Time is up for this exam. This answer was not recorded."))
    if client and attempt.active_client and client != attempt.active_client:
        raise TakenOver(_("This exam was opened on another device or tab. Continue there; answers from this "
                          "window are no longer recorded."))
    if not 1 <= slot <= min(attempt.slot_count, SLOT_MAX):
        raise ExamRefused(_("There is no question %(n)s on this paper.") % {"n": slot})
    # An answer with this or a newer sequence number is already stored: reply with it (idempotent).
    return Answer.objects.filter(attempt=attempt, slot=slot).values_list("seq", flat=True).first()


def _save(write, load, *, slot: int, now: dt.datetime, client: str) -> int:
    """Write; when nothing was written, load the sitting to say why. A second try covers a sitting that admitted the
    save by the time it was loaded (its deadline was just extended)."""
    for _try in range(2):
        written = write() if 1 <= slot <= SLOT_MAX else None
        if written is not None:
            return written
        stored = _why_not_saved(attempt=load(), slot=slot, now=now, client=client)
        if stored is not None:
            return stored
    raise AttemptClosed(_("This exam has already been submitted. This answer was not recorded."))


def answer_save(*, attempt: Attempt, slot: int, response: dict, seq: int, now: dt.datetime | None = None,
                client: str = "") -> int:
    """Store one answer if its sequence number is newer than the stored one, while the sitting is open (refused
    once a submit or finalisation has begun). Returns the sequence number now stored, so a retried request gets the
    same reply (idempotent). Raises AttemptClosed, TakenOver, AnswerInvalid or ExamRefused."""
    now = now or timezone.now()
    _answer_checked(response)

    def load():
        attempt.refresh_from_db(fields=["status", "deadline", "active_client", "slot_count"])
        return attempt

    return _save(lambda: _answer_write(attempt_id=attempt.pk, user_id=None, slot=slot, response=response, seq=seq,
                                       now=now, client=client), load, slot=slot, now=now, client=client)


def answer_save_own(*, user, attempt_id: int, slot: int, response: dict, seq: int, client: str = "",
                    ip: str | None = None, now: dt.datetime | None = None) -> int:
    """The exam room's autosave, for the signed-in official's own sitting: the hottest request of an exam
    (bench/README.md). When the save is accepted, which is nearly always, ownership, status, deadline, tab and
    slot, and the exam's IP ranges (from this process's memory), are checked by the very statement that writes
    (`_answer_write`: one round trip, ordered with any submit). When it writes nothing, the sitting is loaded and says
    why: Attempt.DoesNotExist (not theirs, or no such sitting), AttemptClosed, TakenOver, IpRefused, AnswerInvalid,
    ExamRefused, or the newer sequence number already stored."""
    from ..selectors import attempts_of

    now = now or timezone.now()
    if not user.is_authenticated:
        raise Attempt.DoesNotExist
    _answer_checked(response)

    def load():
        attempt = attempts_of(user).get(pk=attempt_id)  # someone else's sitting is a 404, not a refusal
        sitting_guard(attempt=attempt, ip=ip)
        if attempt.exam_id in exams_refusing(ip):  # the ranges changed since this process read them
            room_rules_forget()
        return attempt

    return _save(lambda: _answer_write(attempt_id=attempt_id, user_id=user.pk, slot=slot, response=response, seq=seq,
                                       now=now, client=client, refused_exams=exams_refusing(ip)), load, slot=slot,
                 now=now, client=client)

