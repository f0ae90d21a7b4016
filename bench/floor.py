"""The benchmark's floor: a bare Django view doing the autosave endpoint's database write and nothing else.

Mounted only when settings.BENCH_FLOOR is on (env BENCH_FLOOR=true; never in production): it skips the checks the
real endpoint makes (CSRF, ownership of the sitting, deadline, takeover, slot range) and keeps the session check,
so comparing the two measures what those checks, django-ninja and the service layer cost over the same write.
"""
import json

from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from exams.models import Answer


@csrf_exempt
def save(request, attempt_id: int, slot: int):
    if request.method != "PUT":
        return JsonResponse({"detail": "PUT only"}, status=405)
    if not request.user.is_authenticated:  # what ninja's django_auth checks, through the same session middleware
        return JsonResponse({"detail": "Unauthorized"}, status=401)
    try:
        body = json.loads(request.body)
        response, seq = json.dumps(body["response"]), int(body["seq"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"detail": "bad body"}, status=400)
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    table = Answer._meta.db_table
    # One statement: insert the row, or overwrite it only when this sequence number is newer.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (attempt_id, slot, response, seq, saved_at) "
            f"VALUES (%s, %s, {cast}, %s, CURRENT_TIMESTAMP) "
            f"ON CONFLICT (attempt_id, slot) DO UPDATE SET response = excluded.response, seq = excluded.seq, "
            f"saved_at = excluded.saved_at WHERE {table}.seq < excluded.seq",
            [attempt_id, slot, response, seq])
    return JsonResponse({"slot": slot, "seq": seq})


urlpatterns = [path("bench/floor/attempts/<int:attempt_id>/answers/<int:slot>", save, name="bench_floor_save")]
