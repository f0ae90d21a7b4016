"""Forms for requirements, training sessions, enrolment and attendance. Every choice of unit or official is
limited to the user's scope, and a personnel officer cannot set a rule wider than their subtree."""
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _, gettext_lazy

from org.audience import AudienceFormMixin, UnitTreeChoiceField
from org.models import Category, Unit
from org.selectors import Scope

from .models import Requirement, TrainingSession

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class _RuleForm(AudienceFormMixin):
    def clean_description(self):
        # Browsers send line breaks as CR LF: stored as LF, a text saved untouched stays the same.
        return self.cleaned_data["description"].replace("\r\n", "\n")


class RequirementForm(_RuleForm):
    class Meta:
        model = Requirement
        fields = ["title", "plan_clause", "description", "modules", "exam", "requires_attendance", "due_date",
                  "newcomer_days", "validity_months", "renewal_window_days", "target_percent", "is_active",
                  "certificate_template", "audience_units", "audience_include_subunits", "audience_reform_officers",
                  "audience_one_stop_receivers", "audience_leaders", "audience_categories", "audience_ranks"]
        widgets = {"due_date": DATE_WIDGET, "description": forms.Textarea(attrs={"rows": 3}),
                   "modules": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from content.models import CoursePage
        from exams.models import Exam

        # A module unpublished since stays chosen (and listed) rather than silently dropped on the next save.
        chosen = self.instance.modules.values("pk") if self.instance.pk else []
        self.fields["modules"].queryset = CoursePage.objects.filter(Q(live=True) | Q(pk__in=chosen)).order_by("path")
        self.fields["exam"].queryset = Exam.objects.order_by("title")

    def clean(self):
        data = super().clean()
        if not data.get("modules") and not data.get("exam") and not data.get("requires_attendance"):
            raise ValidationError(_("Choose what satisfies the requirement: modules, an exam or attending a session."))
        return data


class SessionForm(_RuleForm):
    class Meta:
        model = TrainingSession
        fields = ["title", "requirement", "starts_at", "ends_at", "location", "trainer", "description",
                  "audience_units", "audience_include_subunits", "audience_reform_officers",
                  "audience_one_stop_receivers", "audience_leaders", "audience_categories", "audience_ranks"]
        widgets = {"starts_at": DATETIME_WIDGET, "ends_at": DATETIME_WIDGET,
                   "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, requirements=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]
        if requirements is not None:
            self.fields["requirement"].queryset = requirements.filter(
                Q(requires_attendance=True) | Q(pk=self.instance.requirement_id))

    def _kept_time(self, name):
        # The form shows minutes; a time stored with seconds (demo, API) that comes back as shown is kept as is.
        value, stored = self.cleaned_data[name], getattr(self.instance, name)
        if value and stored and value == stored.replace(second=0, microsecond=0):
            return stored
        return value

    def clean_starts_at(self):
        return self._kept_time("starts_at")

    def clean_ends_at(self):
        return self._kept_time("ends_at")

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The session must end after it starts."))
        return data


class EnrolForm(forms.Form):
    """Enrol by hand: a unit (with its sub-units) and, optionally, only some roles or categories."""

    unit = UnitTreeChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.none())
    include_subunits = forms.BooleanField(label=gettext_lazy("include their sub-units"), required=False, initial=True)
    role = forms.ChoiceField(label=gettext_lazy("Only"), required=False, choices=[
        ("", gettext_lazy("everyone")),
        ("is_reform_officer", gettext_lazy("officials in charge of administrative reform")),
        ("is_one_stop_receiver", gettext_lazy("one-stop dossier receivers")),
        ("is_leader", gettext_lazy("leaders"))])
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False,
                                 choices=[("", gettext_lazy("every category")), *Category.choices])

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["unit"].queryset = scope.units().filter(active_to__isnull=True)

    def officials(self):
        d = self.cleaned_data
        unit = d["unit"]
        qs = self.scope.officials().filter(status="active")
        qs = qs.filter(unit__path__startswith=unit.path) if d["include_subunits"] else qs.filter(unit=unit)
        if d["role"]:
            qs = qs.filter(**{d["role"]: True})
        if d["category"]:
            qs = qs.filter(category=d["category"])
        return qs


class AttendanceForm(forms.Form):
    employee_code = forms.CharField(label=gettext_lazy("Employee code"), max_length=32)
    present = forms.BooleanField(label=gettext_lazy("present"), required=False, initial=True)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope

    def clean_employee_code(self):
        code = self.cleaned_data["employee_code"].strip()
        official = self.scope.officials().filter(employee_code__iexact=code).first()
        if official is None:
            raise ValidationError(_("There is no official with code “%(code)s” in the units you manage.")
                                  % {"code": code})
        self.official = official
        return code


class AttendanceImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Sign-in sheet (.xlsx or .csv)"))
