"""Vietnamese first: complete catalogues, Vietnamese pages by default, English on request, dd/mm/yyyy."""
import datetime as dt
from pathlib import Path

import polib
import pytest
from django.utils import formats, translation

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("catalogue", ["locale/vi/LC_MESSAGES/django.po", "locale_vendor/vi/LC_MESSAGES/django.po",
                                       "locale_vendor/vi/LC_MESSAGES/djangojs.po"])
def test_vietnamese_catalogue_is_complete(catalogue):
    po = polib.pofile(str(ROOT / catalogue))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_project_catalogue_covers_every_string_in_the_code(tmp_path):
    """A string added to the code without a translation makes this fail (run `make messages`)."""
    import shutil
    import subprocess

    if not shutil.which("xgettext"):
        pytest.skip("GNU gettext is not installed")
    po = polib.pofile(str(ROOT / "locale/vi/LC_MESSAGES/django.po"))
    known = {(e.msgctxt, e.msgid) for e in po}
    out = tmp_path / "django.pot"
    sources = [str(p) for d in ("config", "common", "org", "content", "exams", "lms", "scoring", "reports", "demo") for p in (ROOT / d).rglob("*.py")
               if "migrations" not in p.parts]
    subprocess.run(["xgettext", "-L", "Python", "--from-code=UTF-8", "-o", str(out), "-k_", "-kgettext",
                    "-kgettext_lazy", "-kpgettext_lazy:1c,2", "-kngettext:1,2", *sources], check=True)
    missing = [e.msgid for e in polib.pofile(str(out)) if e.msgid and (e.msgctxt, e.msgid) not in known]
    assert missing == []


def test_pages_are_vietnamese_by_default_and_english_on_request(client, db):
    assert "Đăng nhập" in client.get("/accounts/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Sign In" in client.get("/accounts/login/").content.decode()


def test_a_browser_set_to_english_still_gets_vietnamese_until_the_person_chooses_english(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Đăng nhập" in page.content.decode()
    client.get("/ngon-ngu/en/")
    assert "Sign In" in client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()


def test_dates_and_decimals_follow_vietnamese_conventions():
    with translation.override("vi"):
        assert formats.date_format(dt.date(2020, 12, 27), "SHORT_DATE_FORMAT") == "27/12/2020"
        assert formats.number_format(1234.5, 1, use_l10n=True, force_grouping=True) == "1.234,5"
