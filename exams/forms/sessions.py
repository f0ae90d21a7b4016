"""Forms of an exam session's pages: candidates from a file, supervisors of a room, and what a supervisor records in
the room (incidents, a moved seat)."""
from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.tabular import Column, TableRefused, read_frame

from ..models import Incident, RoomShift, Seat

CODE_COLUMN = Column("code", "Mã cán bộ", aliases=("ma can bo", "employee code", "ma cong chuc"))


class CandidateFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("List of candidates (.xlsx or .csv with a “Mã cán bộ” column)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            frame = read_frame(upload.read(), upload.name, columns=[CODE_COLUMN])
        except TableRefused as refused:
            raise forms.ValidationError([str(e) for e in refused.errors])
        column = next((c for c in frame.columns if CODE_COLUMN.matches(str(c))), None)
        if column is None:
            raise forms.ValidationError(_("The file has no “Mã cán bộ” column."))
        codes = [(int(row), str(code).strip()) for row, code in frame[column].items() if str(code).strip()]
        if not codes:
            raise forms.ValidationError(_("The file lists no employee codes."))
        return codes


class SupervisorsForm(forms.Form):
    room_shift = forms.IntegerField(widget=forms.HiddenInput)
    supervisors = forms.ModelMultipleChoiceField(label=gettext_lazy("Supervisors"), required=False,
                                                 queryset=get_user_model().objects.none())

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisors"].queryset = get_user_model().objects.filter(
            council_seats__session=session).distinct().order_by("last_name", "first_name", "username")
        self.fields["supervisors"].label_from_instance = lambda u: u.get_full_name() or u.username


class IncidentForm(forms.Form):
    seat = forms.ModelChoiceField(label=gettext_lazy("Candidate"), required=False, queryset=Seat.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("What happened"), choices=Incident.Kind.choices,
                             initial=Incident.Kind.TIME_ADDED)
    minutes = forms.IntegerField(label=gettext_lazy("Minutes added"), required=False, min_value=0, max_value=240)
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, room_shift: RoomShift, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].queryset = room_shift.seats.select_related("candidate__official").order_by("seat")
        self.fields["seat"].label_from_instance = lambda s: f"{s.seat}. {s.candidate.number} — {s.candidate.official}"


class MoveForm(forms.Form):
    seat = forms.ModelChoiceField(label=gettext_lazy("Candidate"), queryset=Seat.objects.none())
    number = forms.IntegerField(label=gettext_lazy("New seat"), min_value=1)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=255)

    def __init__(self, *args, room_shift: RoomShift, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].queryset = room_shift.seats.select_related("candidate__official").order_by("seat")
        self.fields["seat"].label_from_instance = lambda s: f"{s.seat}. {s.candidate.number} — {s.candidate.official}"
