"""Text helpers shared by every app: folding Vietnamese for search and matching, numbers written back as text."""
import math
import unicodedata

# NFD splits tone and vowel marks off, but đ/Đ is a letter of its own and must be mapped by hand.
_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics and collapse spaces: "Đồng  Nai" -> "dong nai"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text).translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def format_number(value: float) -> str:
    """The shortest text that reads back as the same float: 5 rather than 5.0."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
