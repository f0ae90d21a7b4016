"""SQL for the few hottest statements: prepared once per database connection on PostgreSQL, so that the planner's
work is not repeated on every request (bench/README.md: a shift's start). Django's own cursors merge parameters into
the text on the client and cannot prepare; elsewhere (SQLite) the statement simply runs."""
from __future__ import annotations

import datetime as dt
import time

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def execute_prepared(sql: str, params: dict, *, fetch: bool = True) -> tuple[list[tuple], int]:
    """Run one statement with named parameters (`%(name)s`): its rows (when `fetch`) and its row count. Inside the
    caller's transaction. Logged like any query when Django logs queries (tests, DEBUG)."""
    started = time.monotonic()
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:  # server-side binding: psycopg prepares it
            cursor.execute(sql, params, prepare=True)
            rows, count = (cursor.fetchall() if fetch else []), cursor.rowcount
    else:
        adapt = connection.ops.adapt_datetimefield_value
        params = {k: adapt(v) if isinstance(v, dt.datetime) else v for k, v in params.items()}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return (cursor.fetchall() if fetch else []), cursor.rowcount
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql.strip(), "time": f"{time.monotonic() - started:.3f}",
                                       "params": params})
    return rows, count


def aware(value):
    """A datetime column read by `execute_prepared`, as the ORM would give it: aware (SQLite's cursors return UTC
    without a zone, or text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.timezone.utc)
    return value
