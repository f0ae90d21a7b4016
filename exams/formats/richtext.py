"""A question's rich fields as HTML, the way Moodle shows each text format, always sanitised.

* ``html``: the markup, sanitised.
* ``moodle`` (Moodle's auto-format, GIFT's default): HTML allowed, and a line break is a line break.
* ``plain``: the text exactly as typed (``<`` and ``&`` shown as such), line breaks kept.
* ``markdown``: rendered (CommonMark), then sanitised.

Files a question carries are referred to as ``@@PLUGINFILE@@/name`` in its texts (as Moodle writes them);
``file_urls`` maps those names to where the platform serves them.
"""
from __future__ import annotations

import html
import re
from urllib.parse import quote

import nh3

from .model import PLUGINFILE

_TAGS = nh3.ALLOWED_TAGS | {"img", "figure", "figcaption", "audio", "video", "source", "span", "sub", "sup", "u"}
_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
for _tag, _extra in {"img": {"src", "alt", "title", "width", "height"}, "audio": {"src", "controls"},
                     "video": {"src", "controls", "width", "height"}, "source": {"src", "type"},
                     "span": {"lang"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}.items():
    _ATTRIBUTES[_tag] = _ATTRIBUTES.get(_tag, set()) | _extra
_BREAK_RE = re.compile(r"\r\n|\r|\n")
_MARKUP_RE = re.compile(r"[<>&]")
_TAG_RE = re.compile(r"<[^>]*>")


def sanitise(markup: str) -> str:
    """Markup reduced to what is safe in the exam room: no script, no event handlers, no foreign frames."""
    if not markup or not _MARKUP_RE.search(markup):  # no tag and no entity: nothing to clean (most options)
        return markup
    return nh3.clean(markup, tags=_TAGS, attributes=_ATTRIBUTES, link_rel="noopener noreferrer",
                     url_schemes={"http", "https", "mailto"})


def _markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True, "breaks": True}).render(text)


def with_files(text: str, file_urls: dict[str, str] | None) -> str:
    """``@@PLUGINFILE@@/name`` replaced by the file's address, for each file the question carries."""
    if not file_urls or PLUGINFILE not in text:
        return text
    for name, url in file_urls.items():
        # Moodle writes the name URL-encoded in the text ("bien%20hieu.png"); older files write it as it is.
        text = text.replace(PLUGINFILE + quote(name), url).replace(PLUGINFILE + name, url)
    return text


def to_html(text: str, fmt: str = "html", file_urls: dict[str, str] | None = None) -> str:
    """A field in its format as safe HTML."""
    if not text:
        return ""
    if fmt == "plain":
        return _BREAK_RE.sub("<br>", html.escape(text, quote=False))
    text = with_files(text, file_urls)
    if fmt == "markdown":
        return sanitise(_markdown(text).strip())
    if fmt == "moodle":
        text = _BREAK_RE.sub("<br>", text.strip())
    return sanitise(text)


def to_plain(text: str, fmt: str = "html") -> str:
    """A field as plain text (for a format that holds only text, such as Aiken, or a spreadsheet cell)."""
    if not text or fmt == "plain":
        return text
    if fmt == "markdown":
        text = _markdown(text)
    markup = re.sub(r"<br\s*/?>|</p>\s*<p[^>]*>", "\n", text, flags=re.I)
    return html.unescape(_TAG_RE.sub("", markup)).strip()


def convert(text: str, source: str, target: str) -> str:
    """A field written in `source` rewritten in `target` (used when one question's fields came in several
    formats: they are brought to HTML, which can show them all)."""
    if source == target or not text:
        return text
    if target == "plain":
        return to_plain(text, source)
    if source == "plain":
        return _BREAK_RE.sub("<br>", html.escape(text, quote=False))
    if source == "markdown":
        return _markdown(text).strip()
    if source == "moodle":
        return _BREAK_RE.sub("<br>", text.strip())
    return text
