"""Input of the report pages: the "as of" date and the periodic export's period. Bad input is reported, not raised."""
import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import exports
from .models import ExportJob

DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


def parse_day(value: str) -> dt.date | None:
    """A date typed as dd/mm/yyyy or sent by a date picker (yyyy-mm-dd); None when empty or not a date."""
    value = (value or "").strip()
    for fmt in DATE_INPUTS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


class PeriodExportForm(forms.Form):
    """Which periodic report to build: period, year and file format."""

    ky = forms.ChoiceField(label=_("Period"), choices=())
    nam = forms.IntegerField(label=_("Year"), min_value=2000)
    dinh_dang = forms.ChoiceField(label=_("Format"), choices=[(ExportJob.Format.XLSX, "Excel"),
                                                              (ExportJob.Format.PDF, "PDF")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ky"].choices = exports.period_choices()
        # The last year that can be reported on is this one: built per request, not at import time.
        self.fields["nam"] = forms.IntegerField(label=_("Year"), min_value=2000, max_value=timezone.localdate().year)

    @classmethod
    def from_query(cls, data):
        # The form's fields use underscores; the query string uses the page's Vietnamese slugs with hyphens.
        return cls({"ky": data.get("ky", ""), "nam": data.get("nam", ""), "dinh_dang": data.get("dinh-dang", "")})
