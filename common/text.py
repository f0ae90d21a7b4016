"""Text helpers shared by every app: folding Vietnamese for search and matching."""
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
