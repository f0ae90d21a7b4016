"""`{{ version|question_html:"text" }}`: a field of a question version in its own text format, sanitised, its files
at their address; as the exam room and the review show it."""
from django import template
from django.utils.safestring import mark_safe

from ..formats.richtext import to_html
from ..selectors import file_urls

register = template.Library()


@register.filter
def question_html(version, field: str = "text"):
    data = version.data or {}
    urls = file_urls(version.pk, data) if data.get("files") else None
    return mark_safe(to_html(getattr(version, field, "") or "", data.get("format", "html"), urls))
