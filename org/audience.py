"""The audience form fields, written once for every form whose model carries `org.models.Audience` (the LMS's
requirement and session forms, the exam admin's candidates tab): units with or without their sub-units, roles,
categories, ranks and officials listed by employee code, each limited to the user's scope. Also the unit pickers:
a tree of checkboxes, or a drop-down list in tree order."""
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.translation import gettext as _, gettext_lazy

from common.text import fold

from .models import Category, Official, Unit, UnitKind
from .selectors import Scope

_KIND_ORDER = {kind: n for n, kind in enumerate(UnitKind.values)}
_OUT_OF_SCOPE = gettext_lazy("The unit chosen does not exist or is not among the units you manage.")

# A form given no scope (the Wagtail admin's, whose users the admin's own permissions already limit).
WHOLE_PROVINCE = Scope(all_units=True, all_officials=True)


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


def _indented(unit: Unit) -> str:
    # Inside an <option> only text survives: non-breaking spaces show the depth.
    return "\u00a0" * 4 * getattr(unit, "tree_depth", 0) + _unit_label(unit)


class UnitTreeCheckboxes(forms.CheckboxSelectMultiple):
    """One checkbox per unit, indented under its parent, in a scrolling box: plain HTML, no script needed, and
    no Ctrl-click that drops every other choice when forgotten."""

    option_template_name = "org/widgets/unit_tree_option.html"

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "unit-tree", **(attrs or {})}, choices)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].pop("class", None)  # the box's class, not each checkbox's
        option["depth"] = min(getattr(getattr(value, "instance", None), "tree_depth", 0), 6)
        return option


class SearchableUnitTree(UnitTreeCheckboxes):
    """The tree of checkboxes with a search box above it (names matched without diacritics, each match shown with the
    units above it) and a line that says how many units the choice covers with their sub-units; the page's form
    holds the "include their sub-units" box named `subunits_field`. Driven by static/js/unit-tree-search.js; without
    script it is the plain tree."""

    template_name = "org/widgets/unit_tree_search.html"
    option_template_name = "org/widgets/unit_tree_search_option.html"

    def __init__(self, attrs=None, choices=(), *, subunits_field: str = "audience_include_subunits"):
        super().__init__(attrs, choices)
        self.subunits_field = subunits_field

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["subunits_field"] = self.subunits_field
        return context

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        unit = getattr(value, "instance", None)
        option["path"] = getattr(unit, "path", "")
        option["folded"] = getattr(unit, "name_folded", "") or fold(str(label))
        return option


class UnitTreeMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Units the user may choose, in tree order: checkboxes by default, or any other widget given when the field is
    built (a <select multiple> then shows the depth in its labels). Give the widget to the constructor, never
    assign one afterwards: setting `queryset` hands its choices to the widget there is at that moment."""

    iterator = _UnitTreeIterator
    widget = UnitTreeCheckboxes
    default_error_messages = {"invalid_choice": _OUT_OF_SCOPE, "invalid_pk_value": _OUT_OF_SCOPE}

    def label_from_instance(self, obj):
        return _unit_label(obj) if isinstance(self.widget, UnitTreeCheckboxes) else _indented(obj)


class UnitTreeChoiceField(forms.ModelChoiceField):
    """One unit from a drop-down list in tree order, indented by non-breaking spaces (kept inside <option>)."""

    iterator = _UnitTreeIterator
    default_error_messages = {"invalid_choice": _OUT_OF_SCOPE}

    def label_from_instance(self, obj):
        return _indented(obj)


def units_to_choose(scope: Scope, *, kept: QuerySet[Unit] | None = None) -> QuerySet[Unit]:
    """The units a user may put in a rule: the active ones of their scope, and those the rule already names
    (even if dissolved since, so saving it untouched keeps them)."""
    allowed = Q(active_to__isnull=True)
    if kept is not None:
        allowed |= Q(pk__in=kept.values("pk"))
    return scope.units().filter(allowed)


def audience_units_field(*, widget: forms.Widget | None = None) -> UnitTreeMultipleChoiceField:
    """The unit picker of an audience; `AudienceFormMixin` gives it the units of the form's scope."""
    return UnitTreeMultipleChoiceField(label=gettext_lazy("Units"), queryset=Unit.objects.none(), required=False,
                                       **({"widget": widget} if widget is not None else {}))


def audience_categories_field(*, label=gettext_lazy("Categories")) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=label, choices=Category.choices, required=False,
                                     widget=forms.CheckboxSelectMultiple,
                                     help_text=gettext_lazy("None ticked: every category."))


def listed_codes_field(*, label=gettext_lazy("Officials listed by employee code"),
                       help_text=gettext_lazy("One code per line; they are included whatever the rule says."),
                       rows: int = 3) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}),
                           help_text=help_text)


class AudienceFormMixin(forms.ModelForm):
    """The `org.models.Audience` fields of a model form. Units and listed officials are limited to `scope` (no scope:
    the whole province). A form that shows other labels redeclares a field with the builders above; one that does
    not offer ranks sets `audience_ranks = None`. The officials listed by code are saved with the form, whether
    with `commit` or by `save_m2m()`."""

    audience_units = audience_units_field()
    audience_categories = audience_categories_field()
    audience_ranks = forms.CharField(label=gettext_lazy("Ranks"), required=False,
                                     help_text=gettext_lazy("Separated by commas, e.g. Chuyên viên, Cán sự. Empty: any."))
    listed_codes = listed_codes_field()

    def __init__(self, *args, scope: Scope | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scoped = scope is not None
        self.scope = scope if scope is not None else WHOLE_PROVINCE
        units = self.fields["audience_units"]
        units.queryset = units_to_choose(self.scope,
                                         kept=self.instance.audience_units.all() if self.instance.pk else None)
        units.help_text = (_("A unit includes its sub-units when the box below is ticked. None chosen: the whole "
                             "province.") if self.scope.all_units else
                           _("A unit includes its sub-units when the box below is ticked."))
        if self.instance.pk:
            if "audience_ranks" in self.fields:
                self.initial["audience_ranks"] = ", ".join(self.instance.audience_ranks or [])
            self.initial["listed_codes"] = "\n".join(
                self.instance.audience_officials.order_by("employee_code").values_list("employee_code", flat=True))
        self._listed: list[Official] = []

    def clean_audience_ranks(self):
        return [r.strip() for r in self.cleaned_data["audience_ranks"].split(",") if r.strip()]

    def clean_listed_codes(self):
        lines = [(n, line.strip()) for n, line in enumerate(self.cleaned_data["listed_codes"].splitlines(), 1)]
        codes = [(n, c) for n, c in lines if c]
        found = {o.employee_code.upper(): o for o in self.scope.officials().filter(
            employee_code__in=[c for _n, c in codes] + [c.upper() for _n, c in codes])}
        missing = [(n, c) for n, c in codes if c.upper() not in found]
        if missing:
            message = (_("Line %(n)s: there is no official with code “%(code)s” in the units you manage.")
                       if self.scoped else _("Line %(n)s: there is no official with code “%(code)s”."))
            raise ValidationError([message % {"n": n, "code": c} for n, c in missing])
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
        else:
            parent_save_m2m = self.save_m2m

            def save_m2m():
                parent_save_m2m()
                instance.audience_officials.set(self._listed)
            self.save_m2m = save_m2m
        return instance
