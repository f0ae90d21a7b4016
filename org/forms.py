from django import forms
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Category, ImportJob, OfficialStatus, ROLE_FLAGS, Unit


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportJob.Kind.choices,
                             initial=ImportJob.Kind.ROSTER)
    file = forms.FileField(label=_("File (.xlsx or .csv)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))


class OfficialFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or employee code"), required=False)
    unit = forms.ModelChoiceField(label=_("Unit (with its sub-units)"), queryset=Unit.objects.none(), required=False,
                                  to_field_name="code")
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *ROLE_FLAGS])
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[("", _("All")), *Category.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *OfficialStatus.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.units_visible_to(user).filter(active_to__isnull=True)
        self.fields["unit"].label_from_instance = lambda u: ("— " * u.depth) + u.name
        self.fields["unit"].empty_label = _("All units")

    def filters(self) -> dict:
        d = self.cleaned_data
        return {"q": d.get("q") or "", "unit": d.get("unit"), "role": d.get("role") or "",
                "category": d.get("category") or "", "status": d.get("status") or ""}
