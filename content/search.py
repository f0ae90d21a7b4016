"""Diacritic-insensitive search over published guidance, courses, lessons and news.

Folding is character-aligned (see `fold_aligned`): the folded text has the same length as the original, so
snippets are cut and highlighted in the original Vietnamese at the positions found in the folded text.
Ranking: the whole phrase in the title, then the query's word pairs and words in the title, then the phrase and
word pairs in the text; hits in the text count little (see `_score`).
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


_TOKEN = re.compile(r"\w+")


def _bigrams(words: list[str]) -> set[tuple[str, str]]:
    return set(zip(words, words[1:]))


def _phrase_spans(folded: str, words: list[str]) -> tuple[list[tuple[int, int]], set[str]]:
    """Runs of the query's words standing together in the text as they do in the query ("số hóa hồ sơ" for
    "so hoa ho so tiep nhan"): each run's span and the words the runs cover. Words must be separated by spaces
    only (a comma ends a phrase)."""
    pairs = _bigrams(words)
    tokens = list(_TOKEN.finditer(folded))
    spans, covered = [], set()
    i = 0
    while i < len(tokens):
        j = i
        while (j + 1 < len(tokens) and (tokens[j].group(), tokens[j + 1].group()) in pairs
               and folded[tokens[j].end():tokens[j + 1].start()].isspace()):
            j += 1
        if j > i:
            spans.append((tokens[i].start(), tokens[j].end()))
            covered.update(t.group() for t in tokens[i:j + 1])
        i = j + 1
    return spans, covered


def _highlight(original: str, folded: str, words: list[str]) -> SafeString:
    """Mark the query in `original`, found in its aligned `folded`, whole words only. Where the query's words
    stand together as in the query, the run is marked as one phrase and those words are not marked elsewhere,
    so "so hoa ho so" lights up "số hóa hồ sơ" and not every "số"; a word found only on its own is marked alone."""
    spans, covered = _phrase_spans(folded, words)
    for term in set(words) - covered:
        spans.extend(m.span() for m in _word(term).finditer(folded))
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


def _snippet(text: str, folded: str, phrase: str, words: list[str]) -> SafeString:
    found = _word(phrase).search(folded)
    if found:
        at = found.start()
    else:
        spans, _ = _phrase_spans(folded, words)
        longest = max(spans, key=lambda s: (s[1] - s[0], -s[0]), default=None)
        starts = [m.start() for m in (_word(t).search(folded) for t in words) if m]
        at = longest[0] if longest else (min(starts) if starts else 0)
    start = max(0, at - SNIPPET_CHARS // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > at else end
    body = _highlight(text[start:end], folded[start:end], words)
    return mark_safe(("… " if start else "") + body + (" …" if end < len(text) else ""))


def _pairs_found(folded: str, pairs: set[tuple[str, str]]) -> int:
    return sum(bool(_word(f"{a} {b}").search(folded)) for a, b in pairs)


def _score(entry, *, phrase: str, words: list[str], terms: list[str], exact: str) -> float | None:
    """How well an entry answers the query, or None if some word is only part of a longer word. The title
    counts most: the whole phrase in it, then the share of the query's word pairs and of its words it holds;
    then the phrase and word pairs in the text; the number of hits in the text counts little and saturates,
    so a long page that repeats "hồ sơ" does not beat a lesson titled with the query."""
    title_hits = {t: len(_word(t).findall(entry.title_folded)) for t in terms}
    text_hits = {t: len(_word(t).findall(entry.text_folded)) for t in terms}
    if not all(title_hits[t] or text_hits[t] for t in terms):
        return None
    phrase_pattern = _word(phrase)
    pairs = _bigrams(words)
    score = 0.0
    if phrase_pattern.search(entry.title_folded):
        score += 60
    score += 30 * sum(bool(title_hits[t]) for t in terms) / len(terms)
    if pairs:
        score += 50 * _pairs_found(entry.title_folded, pairs) / len(pairs)
        score += 10 * min(len(phrase_pattern.findall(entry.text_folded)), 3)
        score += 12 * _pairs_found(entry.text_folded, pairs) / len(pairs)
    score += sum(3 * n / (n + 2) for n in text_hits.values())
    if exact and (exact in entry.title.lower() or exact in entry.text.lower()):
        score += 15  # typed with diacritics and found as typed: "một cửa" before "của"
    score += {"guidance": 1.0, "course": 1.5, "lesson": 1.0, "news": 0.5}.get(entry.kind, 0)
    return score


def search(query: str, *, limit: int = 100) -> list[Hit]:
    """Ranked hits for a query, ignoring diacritics and case. Every word must appear in the title or text."""
    from .models import SearchEntry

    words = fold(query).split()
    phrase = " ".join(words)
    terms = sorted(set(words), key=len, reverse=True)
    if not terms:
        return []
    qs = SearchEntry.objects.all()
    for term in terms:
        qs = qs.filter(Q(title_folded__contains=term) | Q(text_folded__contains=term))
    typed = " ".join(unicodedata.normalize("NFC", query).lower().split())
    exact = typed if typed != phrase else ""
    hits = []
    for entry in qs.only("page_id", "kind", "title", "title_folded", "text", "text_folded"):
        score = _score(entry, phrase=phrase, words=words, terms=terms, exact=exact)
        if score is None:
            continue  # the database matched part of a longer word only
        hits.append(Hit(page_id=entry.page_id, kind=entry.kind,
                        title=_highlight(entry.title, entry.title_folded, words),
                        snippet=_snippet(entry.text, entry.text_folded, phrase, words), score=score))
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

