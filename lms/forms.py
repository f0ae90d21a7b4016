"""Forms for requirements, training sessions, enrolment and attendance. Every choice of unit or official is
limited to the user's scope, and a personnel officer cannot set a rule wider than their subtree."""
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.translation import gettext as _, gettext_lazy

from org.models import Category, Official, Unit, UnitKind
from org.selectors import Scope

from .models import Requirement, TrainingSession

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


_KIND_ORDER = {kind: n for n, kind in enumerate(UnitKind.values)}
_OUT_OF_SCOPE = gettext_lazy("The unit chosen does not exist or is not among the units you manage.")


def _tree_order(units: list[Unit]) -> list[tuple[Unit, int]]:
    """Units each followed by its sub-units (siblings by kind, then name), with their depth below the topmost
    unit given. Computed here rather than by sorting on `path`: a path of ids sorts "/1/10/" before "/1/2/", and
    a database collation that ignores "/" would even put a unit's children after a stranger."""
    ids = {u.pk for u in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id if unit.parent_id in ids else None, []).append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: (_KIND_ORDER.get(u.kind, len(_KIND_ORDER)), u.name_folded, u.code))
    ordered: list[tuple[Unit, int]] = []
    stack = [(unit, 0) for unit in reversed(children.get(None, []))]
    while stack:
        unit, depth = stack.pop()
        ordered.append((unit, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(unit.pk, [])))
    return ordered


class _UnitTreeIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for unit, depth in _tree_order(list(self.queryset)):
            unit.tree_depth = depth
            yield ModelChoiceIteratorValue(self.field.prepare_value(unit), unit), self.field.label_from_instance(unit)


def _unit_label(unit: Unit) -> str:
    return unit.name if unit.is_active else _("%(name)s (no longer active)") % {"name": unit.name}


class UnitTreeCheckboxes(forms.CheckboxSelectMultiple):
    """One checkbox per unit, indented under its parent, in a scrolling box: plain HTML, no script needed, and
    no Ctrl-click that drops every other choice when forgotten."""

    option_template_name = "lms/widgets/unit_tree_option.html"

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "unit-tree", **(attrs or {})}, choices)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].pop("class", None)  # the box's class, not each checkbox's
        option["depth"] = min(getattr(getattr(value, "instance", None), "tree_depth", 0), 6)
        return option


class UnitTreeMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Units the user may choose, as a tree of checkboxes. Set `queryset` after building: its choices follow."""

    iterator = _UnitTreeIterator
    widget = UnitTreeCheckboxes
    default_error_messages = {"invalid_choice": _OUT_OF_SCOPE, "invalid_pk_value": _OUT_OF_SCOPE}

    def label_from_instance(self, obj):
        return _unit_label(obj)


class UnitTreeChoiceField(forms.ModelChoiceField):
    """One unit from a drop-down list in tree order, indented by non-breaking spaces (kept inside <option>)."""

    iterator = _UnitTreeIterator
    default_error_messages = {"invalid_choice": _OUT_OF_SCOPE}

    def label_from_instance(self, obj):
        return "\u00a0" * 4 * getattr(obj, "tree_depth", 0) + _unit_label(obj)


def units_to_choose(scope: Scope, *, kept: QuerySet[Unit] | None = None) -> QuerySet[Unit]:
    """The units a user may put in a rule: the active ones of their scope, and those the rule already names
    (even if dissolved since, so saving it untouched keeps them)."""
    allowed = Q(active_to__isnull=True)
    if kept is not None:
        allowed |= Q(pk__in=kept.values("pk"))
    return scope.units().filter(allowed)


class AudienceFormMixin(forms.ModelForm):
    """The `org.models.Audience` fields, with units limited to the scope and named officials by employee code."""

    audience_units = UnitTreeMultipleChoiceField(label=gettext_lazy("Units"), queryset=Unit.objects.none(),
                                                 required=False)
    audience_categories = forms.MultipleChoiceField(
        label=gettext_lazy("Categories"), choices=Category.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=gettext_lazy("None ticked: every category."))
    audience_ranks = forms.CharField(label=gettext_lazy("Ranks"), required=False,
                                     help_text=gettext_lazy("Separated by commas, e.g. Chuyên viên, Cán sự. Empty: any."))
    listed_codes = forms.CharField(
        label=gettext_lazy("Officials listed by employee code"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One code per line; they are included whatever the rule says."))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        units = self.fields["audience_units"]
        units.queryset = units_to_choose(scope, kept=self.instance.audience_units.all() if self.instance.pk else None)
        units.help_text = (_("A unit includes its sub-units when the box below is ticked. None chosen: the whole "
                             "province.") if scope.all_units else
                           _("A unit includes its sub-units when the box below is ticked."))
        if self.instance.pk:
            self.initial["audience_ranks"] = ", ".join(self.instance.audience_ranks or [])
            self.initial["listed_codes"] = "\n".join(
                self.instance.audience_officials.order_by("employee_code").values_list("employee_code", flat=True))
        self._listed: list[Official] = []

    def clean_description(self):
        # Browsers send line breaks as CR LF: stored as LF, a text saved untouched stays the same.
        return self.cleaned_data["description"].replace("\r\n", "\n")

    def clean_audience_ranks(self):
        return [r.strip() for r in self.cleaned_data["audience_ranks"].split(",") if r.strip()]

    def clean_listed_codes(self):
        lines = [(n, line.strip()) for n, line in enumerate(self.cleaned_data["listed_codes"].splitlines(), 1)]
        codes = [(n, c) for n, c in lines if c]
        visible = self.scope.officials()
        found = {o.employee_code.upper(): o for o in visible.filter(
            employee_code__in=[c for _n, c in codes] + [c.upper() for _n, c in codes])}
        errors = [_("Line %(n)s: there is no official with code “%(code)s” in the units you manage.")
                  % {"n": n, "code": c} for n, c in codes if c.upper() not in found]
        if errors:
            raise ValidationError(errors)
        self._listed = list({found[c.upper()].pk: found[c.upper()] for _n, c in codes}.values())
        return self.cleaned_data["listed_codes"]

    def clean(self):
        data = super().clean()
        if not self.scope.all_units and not data.get("audience_units") and not self._listed:
            # Without units the rule would reach the whole province.
            self.add_error("audience_units", _("Choose at least one of your units, or list officials by code."))
        return data

    def save(self, commit=True):
        instance = super().save(commit=commit)
        if commit:
            instance.audience_officials.set(self._listed)
        return instance


class RequirementForm(AudienceFormMixin):
    class Meta:
        model = Requirement
        fields = ["title", "plan_clause", "description", "modules", "exam", "requires_attendance", "due_date",
                  "newcomer_days", "validity_months", "renewal_window_days", "target_percent", "is_active",
                  "audience_units", "audience_include_subunits", "audience_reform_officers",
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


class SessionForm(AudienceFormMixin):
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
