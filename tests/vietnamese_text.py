"""Is a visible text Vietnamese? Each word must be a Vietnamese syllable: (initial consonant) vowel nucleus (final
consonant), tone marks aside. English words almost never are ("minutes", "Order", "Fixed", "questions", "True",
"Wagtail"); acronyms, numbers, addresses and a few loanwords the translations use on purpose are let through.

The browser tests use it to walk the admin pages a trainer uses and fail on any string left untranslated, whichever
catalogue or template it comes from, without a list of the English strings to look for."""
import re
import unicodedata

_INITIAL = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)?"
_NUCLEUS = ("uyê|uya|uyu|uây|uôi|ươi|ươu|iêu|yêu|oai|oao|oay|oeo|"
            "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|oo|ôi|ôô|ơi|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|yê|"
            "a|ă|â|e|ê|i|o|ô|ơ|u|ư|y")
_FINAL = r"(?:ch|nh|ng|c|m|n|p|t)?"
_SYLLABLE = re.compile(f"{_INITIAL}(?:{_NUCLEUS}){_FINAL}")
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng (hats and horns stay)
_WORD = re.compile(r"[^\W\d_]+")

# Loanwords and glosses the Vietnamese catalogues use on purpose ("Đường dẫn (slug)", "Thẻ tiêu đề (title tag)",
# "Mô tả meta"), and words of everyday Vietnamese computing.
LOANWORDS = frozenset({"email", "menu", "web", "slug", "meta", "title", "tag", "online", "file", "video", "logo",
                       "byte", "pixel"})
_FILE_NAME = re.compile(r"\S+\.[A-Za-z0-9]{2,5}[,;:)]?")


def _without_tones(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))


def is_vietnamese_word(word: str) -> bool:
    return bool(_SYLLABLE.fullmatch(_without_tones(word)))


def foreign_words(text: str, allowed: frozenset[str] = LOANWORDS) -> list[str]:
    """The words of `text` that are not Vietnamese: neither a syllable, an acronym (CCHC, PDF), a single letter
    nor an allowed loanword. Tokens with digits, addresses, file names and text cut short with "…" are skipped."""
    found = []
    for token in unicodedata.normalize("NFC", text).split():  # "Tiếng" may come decomposed (NFD)
        if any(c.isdigit() for c in token) or "@" in token or "/" in token or token.endswith("…") or (
                _FILE_NAME.fullmatch(token) and not token.endswith(".")):
            continue
        for word in _WORD.findall(token):
            if len(word) == 1 or word.isupper() or word.lower() in allowed:
                continue
            if not is_vietnamese_word(word):
                found.append(word)
    return found
