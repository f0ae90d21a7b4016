"""Diacritic-insensitive search over published guidance, courses, lessons and news.

Folding is character-aligned (see `fold_aligned`): the folded text has the same length as the original, so
snippets are cut and highlighted in the original Vietnamese at the positions found in the folded text.
Ranking: the whole phrase in the title, then in the text, then each word's hits (title weighs more).
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Q
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from common.text import fold

SNIPPET_CHARS = 220
KINDS = {"guidancepage": "guidance", "coursepage": "course", "lessonpage": "lesson", "newspage": "news"}


def _fold_char(ch: str) -> str:
    folded = fold(ch) if not ch.isspace() else " "
    return folded[:1] if folded else " "


def fold_aligned(text: str) -> str:
    """Fold each character to exactly one character: len(fold_aligned(t)) == len(t)."""
    return "".join(_fold_char(ch) for ch in text)


def _plain(value) -> list[str]:
    """All human-readable strings inside a StreamField value or any nested structure."""
    out: list[str] = []
    if value is None or isinstance(value, bool):
        return out
    if isinstance(value, str):
        out.append(html.unescape(strip_tags(value)))
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in ("type", "id", "kind", "correct", "first_row_is_table_header", "first_col_is_header",
                         "cell", "mergedCells", "table_header_choice"):
                out.extend(_plain(v))
    elif isinstance(value, (list, tuple)):
        for v in value:
            out.extend(_plain(v))
    return out


def page_text(page) -> str:
    """The searchable text of a page: summary-like fields and its StreamField bodies, whitespace collapsed."""
    parts: list[str] = []
    for field in ("document_number", "issuing_body", "summary", "intro", "objectives"):
        parts.extend(_plain(getattr(page, field, None)))
    for field in ("body", "items"):
        stream = getattr(page, field, None)
        if stream is not None and hasattr(stream, "raw_data"):
            parts.extend(_plain(list(stream.raw_data)))
    return unicodedata.normalize("NFC", " ".join(" ".join(parts).split()))


def index_page(page) -> None:
    """Add or refresh one page in the search index if it is of a searchable kind and live."""
    from .models import SearchEntry

    specific = page.specific
    kind = KINDS.get(specific._meta.model_name)
    if kind is None:
        return
    if not specific.live:
        SearchEntry.objects.filter(page_id=page.pk).delete()
        return
    text = page_text(specific)
    SearchEntry.objects.update_or_create(page_id=page.pk, defaults={
        "kind": kind, "title": specific.title, "title_folded": fold_aligned(unicodedata.normalize("NFC", specific.title)),
        "text": text, "text_folded": fold_aligned(text)})


def on_published(sender, instance, **kwargs):
    index_page(instance)


def on_unpublished(sender, instance, **kwargs):
    from .models import SearchEntry

    SearchEntry.objects.filter(page_id=instance.pk).delete()


def on_deleted(sender, instance, **kwargs):
    from .models import SearchEntry

    SearchEntry.objects.filter(page_id=instance.pk).delete()


@dataclass
class Hit:
    page_id: int
    kind: str
    title: SafeString
    snippet: SafeString
    score: float
    url: str = ""


def _word(term: str) -> re.Pattern:
    # Vietnamese words are syllables: "ho" must find "hồ", not the start of "hoạch".
    return re.compile(r"(?<![\w])" + re.escape(term) + r"(?![\w])")


def _highlight(original: str, folded: str, terms: list[str]) -> SafeString:
    """Mark the terms in `original`, found in its aligned `folded`. terms[0] is the whole phrase: where it occurs,
    only it is marked, so "mot cua" lights up "một cửa" and not every "của"."""
    if len(terms) > 1 and " " in terms[0] and _word(terms[0]).search(folded):
        terms = terms[:1]
    spans = []
    for term in terms:
        for m in _word(term).finditer(folded):
            spans.append((m.start(), m.end()))
    spans.sort(key=lambda span: (span[0], -span[1]))  # the longest match at a position wins
    out, pos = [], 0
    for start, end in spans:
        if start < pos:
            continue
        out.append(html.escape(original[pos:start]))
        out.append(f"<mark>{html.escape(original[start:end])}</mark>")
        pos = end
    out.append(html.escape(original[pos:]))
    return mark_safe("".join(out))


def _snippet(text: str, folded: str, phrase: str, terms: list[str]) -> SafeString:
    found = _word(phrase).search(folded)
    if found:
        at = found.start()
    else:
        starts = [m.start() for m in (_word(t).search(folded) for t in terms) if m]
        at = min(starts) if starts else 0
    start = max(0, at - SNIPPET_CHARS // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > at else end
    body = _highlight(text[start:end], folded[start:end], [phrase, *terms])
    return mark_safe(("… " if start else "") + body + (" …" if end < len(text) else ""))


def search(query: str, *, limit: int = 100) -> list[Hit]:
    """Ranked hits for a query, ignoring diacritics and case. Every word must appear in the title or text."""
    from .models import SearchEntry

    phrase = fold(query)
    terms = sorted(set(phrase.split()), key=len, reverse=True)
    if not terms:
        return []
    qs = SearchEntry.objects.all()
    for term in terms:
        qs = qs.filter(Q(title_folded__contains=term) | Q(text_folded__contains=term))
    patterns = {t: _word(t) for t in terms}
    typed = " ".join(unicodedata.normalize("NFC", query).lower().split())
    exact = typed if typed != phrase else ""
    phrase_pattern = _word(phrase)
    hits = []
    for entry in qs.only("page_id", "kind", "title", "title_folded", "text", "text_folded"):
        title_counts = {t: len(p.findall(entry.title_folded)) for t, p in patterns.items()}
        text_counts = {t: len(p.findall(entry.text_folded)) for t, p in patterns.items()}
        if not all(title_counts[t] or text_counts[t] for t in terms):
            continue  # the database matched part of a longer word only
        # The whole phrase counts most, then each word once in the title, then word hits in the text.
        score = 20.0 * min(len(phrase_pattern.findall(entry.title_folded)), 2)
        if len(terms) > 1:
            score += 4 * min(len(phrase_pattern.findall(entry.text_folded)), 5)
        score += sum(5 * bool(title_counts[t]) + min(text_counts[t], 10) for t in terms)
        if exact and (exact in entry.title.lower() or exact in entry.text.lower()):
            score += 15  # typed with diacritics and found as typed: "một cửa" before "của"
        score += {"guidance": 1.0, "course": 1.5, "lesson": 1.0, "news": 0.5}.get(entry.kind, 0)
        hits.append(Hit(page_id=entry.page_id, kind=entry.kind,
                        title=_highlight(entry.title, entry.title_folded, [phrase, *terms]),
                        snippet=_snippet(entry.text, entry.text_folded, phrase, terms), score=score))
    hits.sort(key=lambda h: (-h.score, h.page_id))
    return hits[:limit]


def reindex_all() -> int:
    """Rebuild the index from every live searchable page."""
    from wagtail.models import Page

    from .models import SearchEntry

    SearchEntry.objects.all().delete()
    n = 0
    for page in Page.objects.live().specific():
        if KINDS.get(page._meta.model_name):
            index_page(page)
            n += 1
    return n

