"""Vietnamese text typed in the old font encodings, TCVN3 (ABC: fonts .VnTime, .VnArial…) and VNI (VNI-Times…),
recognised and converted to Unicode; and a test of whether a word is a Vietnamese syllable at all.

A cell typed with a .VnTime font holds, as Unicode, the Windows (cp1252/Latin-1) characters of the font's bytes:
"Nguyễn Văn Hùng" is stored as "NguyÔn V¨n Hïng" in TCVN3 and as "Nguyeãn Vaên Huøng" in VNI. Such words are not
Vietnamese syllables (a stray symbol, an upper-case letter inside a word, two vowel marks), while real Unicode
Vietnamese always is; so a cell is converted only when its text is not Vietnamese as it stands and becomes
Vietnamese, every word of it, through one of the tables. Nothing is done to Unicode or plain ASCII text.

The tables. TCVN3 (TCVN 5712:1993, VN3 "ABC"): byte → letter, the lower-case letters and the seven capitals of
the standard; the same in GNU libc's iconv TCVN5712-1 (the VN1 superset, whose extra capitals VN3 leaves out), in
UniKey's converter (vnconv, `data.cpp`, table "TCVN3") and in duydev/vietnamese-conversion (`charsets.ts`); the
three agree on every entry below. VNI Windows: a base letter followed by a mark byte (ù sắc, ø huyền, û hỏi,
õ ngã, ï nặng; â ^ and á à å ã ä ^ with a tone; ê ˘ and é è ú ü ë ˘ with a tone) and single bytes for đ, ơ, ư
and some i/y letters; as in UniKey's table "VNI-WIN" (word = mark << 8 | base) and in duydev's `charsets.ts`.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

TCVN3 = "TCVN3"
VNI = "VNI"

# --- TCVN3 (ABC) -------------------------------------------------------------------------------------------------

_TCVN3_BYTES = bytes.fromhex(
    "A1A2A3A4A5A6A7A8A9AAABACADAE" "B5B6B7B8B9BBBCBDBEC6C7C8C9CACB" "CCCECFD0D1D2D3D4D5D6"
    "D7D8DCDDDEDFE1E2E3E4E5E6E7E8E9EAEBECEDEEEFF1F2F3F4F5F6F7F8F9FAFBFCFDFE")
_TCVN3_LETTERS = ("ĂÂÊÔƠƯĐăâêôơưđ" "àảãáạằẳẵắặầẩẫấậ" "èẻẽéẹềểễếệ"
                  "ìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")
TCVN3_MAP = dict(zip(_TCVN3_BYTES.decode("latin-1"), _TCVN3_LETTERS))

# --- VNI Windows -------------------------------------------------------------------------------------------------

_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_TONE_MARKS = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
_CIRCUMFLEX_MARKS = {"â": "", "á": _ACUTE, "à": _GRAVE, "å": _HOOK, "ã": _TILDE, "ä": _DOT}
_BREVE_MARKS = {"ê": "", "é": _ACUTE, "è": _GRAVE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}
VNI_SINGLE = {"Ñ": "Đ", "ñ": "đ", "Ô": "Ơ", "ô": "ơ", "Ö": "Ư", "ö": "ư", "Æ": "Ỉ", "æ": "ỉ", "Ó": "Ĩ", "ó": "ĩ",
              "Ò": "Ị", "ò": "ị", "Î": "Ỵ", "î": "ỵ"}


def _vni_pairs() -> dict[str, str]:
    pairs: dict[str, str] = {}

    def add(base: str, marks: dict[str, str], vowel_mark: str = "") -> None:
        for mark, tone in marks.items():
            for b in (base.lower(), base.upper()):
                for m in (mark, mark.upper()):  # capitals take the capital mark bytes, but either is read
                    pairs[b + m] = unicodedata.normalize("NFC", b + vowel_mark + tone)

    for base in "aeouy":
        add(base, {k: v for k, v in _TONE_MARKS.items() if not (base == "y" and k == "ï")})  # ỵ is a byte of its own
    for base in "aeo":
        add(base, _CIRCUMFLEX_MARKS, "\u0302")
    add("a", _BREVE_MARKS, "\u0306")
    for vni, letter in (("ô", "o"), ("ö", "u")):  # ơ and ư with a tone: the horn letter, then the tone byte
        for mark, tone in _TONE_MARKS.items():
            for b, target in ((vni, letter), (vni.upper(), letter.upper())):
                for m in (mark, mark.upper()):
                    pairs[b + m] = unicodedata.normalize("NFC", target + "\u031b" + tone)
    return pairs


VNI_PAIRS = _vni_pairs()

# --- Is it Vietnamese? -------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z\u00a1-\u1fff\u2070-\uffff]+")
_SYLLABLE = re.compile(r"^([bcdđfghjklmnpqrstvwxz]*)([aăâeêioôơuưy]+)(ch|nh|ng|[cmnptk])?$")
_TONES = {_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT}
_GLIDE_ENDED = {"ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "iu", "oi", "ôi", "ơi", "ui", "ưi", "ưu", "oai", "oao",
                "oay", "oeo", "uây", "uôi", "uyu", "ươi", "ươu", "iêu", "yêu", "ia", "ua", "ưa", "uya", "uơ"}
_NEEDS_CODA = {"ă", "â", "uô", "ươ", "yê", "uyê", "oă", "uâ", "oo"}  # iê open in minority names: Niê
_CLUSTERS = {"a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "oe", "uê", "uy", "uyê", "iê",
             "yê", "uô", "ươ", "oă", "uâ", "oo"} | _GLIDE_ENDED
_CP1252_EXTRA = set(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore"))
# Latin-1 characters that are no Vietnamese letter: a word holding one is not Unicode Vietnamese.
_NOT_VIETNAMESE = set("¡¢£¤¥¦§¨©ª«¬\xad®¯°±²³´µ¶·¸¹º»¼½¾¿ÄÅÆÇËÎÏÐÑÖ×ØÛÜÞßäåæçëîïñö÷øûüþÿ")


def _rhyme_ok(cluster: str, coda: str, tone_at: int) -> bool:
    if cluster not in _CLUSTERS:
        return False
    if coda and cluster in _GLIDE_ENDED:
        return False
    if cluster in _GLIDE_ENDED and cluster != "uơ" and len(cluster) > 1 and tone_at == len(cluster) - 1:
        return False  # the tone is never on a final glide: xã, not "xaõ"; mía, not "miá"
    return bool(coda) or cluster not in _NEEDS_CODA


@functools.lru_cache(maxsize=65536)  # a roster repeats its words: family names, ranks, units
def is_vietnamese_word(word: str) -> bool:
    """Whether a word (letters only, no spaces) can be written in Vietnamese as it is: Vietnamese letters, lower
    case, capitalised or all capitals, one tone at most, and an onset, vowels and final that make a syllable.
    Consonant clusters of minority languages (Mnông, Stiêng, Đăk) are allowed."""
    word = unicodedata.normalize("NFC", word)
    if not (word == word.lower() or word == word.upper() or (word[0].isupper() and word[1:] == word[1:].lower())):
        return False
    lower = word.lower()
    tones, tone_at, bare = [], -1, []
    for index, ch in enumerate(lower):
        parts = unicodedata.normalize("NFD", ch)
        found = [p for p in parts if p in _TONES]
        if found:
            tones += found
            tone_at = index
        bare.append(unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES)))
    if len(tones) > 1:
        return False
    bare = "".join(bare)
    match = _SYLLABLE.match(bare)
    if not match:
        return False
    onset, cluster, coda = match.group(1), match.group(2), match.group(3) or ""
    if coda in ("c", "ch", "p", "t", "k") and tones and tones[0] not in (_ACUTE, _DOT):
        return False
    tone_at -= len(onset)
    if _rhyme_ok(cluster, coda, tone_at):
        return True
    # "gi" and "qu" are onsets: giường = gi + ương, quang = qu + ang, giá = gi + á
    return (len(cluster) > 1 and ((onset.endswith("g") and cluster[:2] != "ii" and cluster[0] == "i")
                                  or (onset.endswith("q") and cluster[:2] != "uu" and cluster[0] == "u"))
            and _rhyme_ok(cluster[1:], coda, tone_at - 1))


def words(text: str) -> list[str]:
    """The words of a text that are not plain ASCII (those say nothing about the encoding)."""
    return [w for w in _TOKEN.findall(text) if not w.isascii()]


def is_vietnamese_text(text: str) -> bool:
    """Every non-ASCII word of the text is Vietnamese as it stands."""
    return all(is_vietnamese_word(w) for w in words(text))


# --- Converting --------------------------------------------------------------------------------------------------

def from_tcvn3(text: str) -> str:
    """TCVN3 text (as a .VnTime cell holds it) in Unicode. TCVN3 has no toned capitals: a word typed with a
    capitals font (.VnTimeH), whose plain letters are all capitals, is put in capitals; a word starting with a
    toned small letter is capitalised when it starts the cell or stands among capitalised words (a name:
    "Thu ¸nh" is "Thu Ánh")."""
    parts = []
    for match in _TOKEN.finditer(text):
        raw = match.group(0)
        out = "".join(TCVN3_MAP.get(ch, ch) for ch in raw)
        ascii_letters = [ch for ch in raw if ch.isascii()]
        if out != raw and len(ascii_letters) >= 2 and all(ch.isupper() for ch in ascii_letters):
            out = out.upper()
        parts.append((match, out, raw[0] in TCVN3_MAP and out[0].islower()))
    others_capitalised = [out[0].isupper() for _m, out, small in parts if not small]
    name_like = bool(others_capitalised) and all(others_capitalised)
    result, last = [], 0
    for index, (match, out, small) in enumerate(parts):
        starts_cell = index == 0 and not text[:match.start()].strip()
        if small and (starts_cell or name_like):
            out = out[0].upper() + out[1:]
        result.append(text[last:match.start()] + out)
        last = match.end()
    return "".join(result) + text[last:]


def from_vni(text: str) -> str:
    """VNI Windows text (as a VNI-Times cell holds it) in Unicode."""
    out, i = [], 0
    while i < len(text):
        pair = VNI_PAIRS.get(text[i:i + 2])
        if pair is not None:
            out.append(pair)
            i += 2
            continue
        out.append(VNI_SINGLE.get(text[i], text[i]))
        i += 1
    return "".join(out)


CONVERTERS = {TCVN3: from_tcvn3, VNI: from_vni}


def _legacy_looking(text: str) -> bool:
    """Text a legacy font could have produced, with a character no Vietnamese word has."""
    return _in_domain(text) and any(ch in _NOT_VIETNAMESE for ch in text)


@dataclass
class Verdict:
    """What :func:`detect` found: the encoding (None: the text is Unicode), the converted cells by key, the
    keys of legacy-looking cells no table converts, and whether both tables fit equally (ambiguous)."""

    encoding: str | None = None
    converted: dict = field(default_factory=dict)
    unconverted: list = field(default_factory=list)
    ambiguous: bool = False

    @property
    def refused(self) -> bool:
        return self.ambiguous or bool(self.encoding and self.unconverted)


def _in_domain(text: str) -> bool:
    """Text a Windows program could show for a legacy font's bytes (no character beyond cp1252)."""
    return all(ord(ch) < 0x100 or ch in _CP1252_EXTRA for ch in text)


def detect(cells) -> Verdict:
    """Judge the text cells of one file, given as (key, text) pairs. A cell that is not Vietnamese as it stands is
    tried through each table; the table that makes more such cells Vietnamese is the file's encoding. When the
    file is mostly legacy text (more cells converted than cells with letters only Unicode has, such as ễ or ơ),
    cells that happen to read as Vietnamese both ways ("Thôm", VNI for Thơm) are converted too."""
    cells = [(key, text) for key, text in cells if not text.isascii()]
    bad: dict = {}
    seen: dict[str, bool] = {}
    for key, text in cells:
        ok = seen.get(text)
        if ok is None:
            ok = seen[text] = is_vietnamese_text(text)
        if not ok:
            bad[key] = text
    if not bad:
        return Verdict()
    fixed: dict[str, dict] = {TCVN3: {}, VNI: {}}
    for name, convert in CONVERTERS.items():
        cache: dict[str, str | None] = {}
        for key, text in bad.items():
            if text not in cache:
                out = convert(text) if _in_domain(text) else text
                cache[text] = out if out != text and is_vietnamese_text(out) else None
            if cache[text] is not None:
                fixed[name][key] = cache[text]
    if not fixed[TCVN3] and not fixed[VNI]:
        return Verdict()
    if len(fixed[TCVN3]) == len(fixed[VNI]):
        return Verdict(ambiguous=True, unconverted=list(bad))
    encoding = TCVN3 if len(fixed[TCVN3]) > len(fixed[VNI]) else VNI
    converted = fixed[encoding]
    unicode_only = sum(1 for _key, text in cells if not _in_domain(text))
    if len(converted) > unicode_only:
        convert = CONVERTERS[encoding]
        for key, text in cells:
            if key not in bad and _in_domain(text):
                out = convert(text)
                if out != text and is_vietnamese_text(out):
                    converted[key] = out
    unconverted = [key for key, text in bad.items() if key not in converted and _legacy_looking(text)]
    return Verdict(encoding=encoding, converted=converted, unconverted=unconverted)


def decode_legacy_csv(data: bytes) -> str | None:
    """A CSV that is not UTF-8: Windows-1258 (Excel's "CSV" on a Vietnamese Windows), its separate tone marks
    composed, when that reads as Vietnamese; else None (the caller reads it as cp1252, the bytes of a TCVN3 or VNI
    file, and judges the cells)."""
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return None
    found = words(text)
    good = sum(1 for w in found if is_vietnamese_word(w))
    return text if found and (len(found) - good) * 20 <= good else None


def _cp1252_high() -> dict[int, str]:
    table = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            pass  # undefined in cp1252: kept as the Latin-1 control character
    return table


_CP1252_HIGH = _cp1252_high()


def decode_windows_bytes(data: bytes) -> str:
    """Bytes as a Windows (cp1252) program shows them: how a TCVN3 or VNI file's bytes reach a cell."""
    return data.decode("latin-1").translate(_CP1252_HIGH)
