"""The questions a section may fix (every candidate gets them): the bank's live questions, as the admin's section
screen and the exam builder's picker both offer them, their label, and the builder's search by text or number."""
from __future__ import annotations

import re

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from common.text import fold

from .grading import points_text
from .models import Question

SEARCH_LIMIT = 20


def pickable_questions() -> QuerySet[Question]:
    """Questions a trainer may fix in a section: active, with a current version, not a description."""
    return (Question.objects.filter(is_active=True, current_version__isnull=False).exclude(kind="description")
            .select_related("current_version", "topic").order_by("topic__path", "id"))


def question_label(question: Question) -> str:
    return _("%(topic)s — %(name)s (default mark %(mark)s)") % {
        "topic": question.topic.name, "name": question.current_version.name,
        "mark": points_text(question.current_version.default_mark)}


def picker_label(question: Question) -> str:
    """The label with the question's number, which the picker's search also finds it by."""
    return f"#{question.pk} · {question_label(question)}"


def search_questions(text: str, *, limit: int = SEARCH_LIMIT) -> list[Question]:
    """Pickable questions whose number is `text` (“42” or “#42”), then those whose name or text holds every word
    typed, compared without diacritics (“tiep nhan” finds “Tiếp nhận”), in bank order, at most `limit`."""
    text = (text or "").strip()
    words = fold(text).split()
    if not words:
        return []
    found: list[Question] = []
    number = re.fullmatch(r"#?(\d+)", text)
    if number:
        found += list(pickable_questions().filter(pk=int(number.group(1))))
    ids = [pk for pk, name, body in pickable_questions().values_list("pk", "current_version__name",
                                                                     "current_version__text").iterator()
           if all(w in fold(f"{name} {body}") for w in words) and not (number and pk == int(number.group(1)))]
    by_id = pickable_questions().in_bulk(ids[:limit - len(found)])
    return found + [by_id[pk] for pk in ids[:limit - len(found)]]
