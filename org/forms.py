from django import forms
from django.utils.translation import gettext_lazy as _

from . import roles, selectors
from .audience import UnitTreeMultipleChoiceField
from .parsing import parse_code
from .models import Category, ImportJob, OfficialStatus, ROLE_FLAGS, ScopeGrant, Unit, UnitKind


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportJob.Kind.choices,
                             initial=ImportJob.Kind.ROSTER)
    file = forms.FileField(label=_("File (.xlsx or .csv)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))
    dry_run = forms.BooleanField(label=_("Only check the file and list what it would change (write nothing)"),
                                 required=False)


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


def _scoped_unit_field(label, *, required=True):
    field = forms.ModelChoiceField(label=label, queryset=Unit.objects.none(), required=required, to_field_name="code")
    field.label_from_instance = lambda u: ("— " * u.depth) + f"{u.name} ({u.code})"
    return field


class UnitReorganiseForm(forms.Form):
    ACTIONS = (
        ("rename", _("Rename")),
        ("move", _("Move under another unit")),
        ("merge", _("Merge into another unit")),
    )
    action = forms.ChoiceField(label=_("Change"), choices=ACTIONS, widget=forms.RadioSelect)
    new_name = forms.CharField(label=_("New name"), max_length=255, required=False)
    target = _scoped_unit_field(_("Parent unit or unit merged into"), required=False)
    effective_date = forms.DateField(label=_("Effective date (dd/mm/yyyy)"))

    def __init__(self, *args, unit: Unit, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["target"].queryset = scope.units().filter(active_to__isnull=True).exclude(path__startswith=unit.path)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "rename" and not data.get("new_name"):
            self.add_error("new_name", _("Enter the new name."))
        if action in ("move", "merge") and not data.get("target"):
            self.add_error("target", _("Choose the unit."))
        return data


class UnitCreateForm(forms.Form):
    code = forms.CharField(label=_("Unit code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices, initial=UnitKind.SECTION)
    active_from = forms.DateField(label=_("Active from (dd/mm/yyyy)"))

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        try:
            parse_code(code)
        except ValueError as exc:
            raise forms.ValidationError(str(exc))
        if Unit.objects.filter(code=code).exists():
            raise forms.ValidationError(_("A unit with this code already exists."))
        return code


class OfficialTransferForm(forms.Form):
    to_unit = _scoped_unit_field(_("New unit"))
    effective_date = forms.DateField(label=_("Effective date (dd/mm/yyyy)"))
    note = forms.CharField(label=_("Note (decision number, reason)"), max_length=255, required=False)

    def __init__(self, *args, official, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = scope.units().filter(active_to__isnull=True).exclude(pk=official.unit_id)


class ReorganisationForm(forms.Form):
    """A new reorganisation plan from a successor list (the statistics office's columns)."""

    title = forms.CharField(label=_("Title"), max_length=255)
    effective_date = forms.DateField(label=_("Effective date (dd/mm/yyyy)"))
    legal_basis = forms.CharField(label=_("Legal basis (resolution or decision)"), max_length=255, required=False)
    file = forms.FileField(label=_("Successor list (.xlsx or .csv)"), required=False,
                           help_text=_("Columns new_code, new_name, old_code, old_name, kind (full or partial); "
                                       "optional new_kind and new_parent_code. Leave empty to build the plan on "
                                       "screen."))
    parent = forms.ModelChoiceField(label=_("Units without a parent in the file belong to"), queryset=Unit.objects.none(),
                                    to_field_name="code", required=False)
    dissolve_district_level = forms.BooleanField(
        label=_("Dissolve the district level (cities, towns and districts above the listed units)"), required=False)
    merge_provinces = forms.ModelMultipleChoiceField(
        label=_("Provinces merged whole into that unit"), queryset=Unit.objects.none(), to_field_name="code",
        required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        active = Unit.objects.filter(active_to__isnull=True)
        self.fields["parent"].queryset = active.filter(depth__lte=1).order_by("path")
        self.fields["parent"].label_from_instance = lambda u: ("— " * u.depth) + f"{u.name} ({u.code})"
        self.fields["merge_provinces"].queryset = active.filter(parent__isnull=True).order_by("code")
        self.fields["merge_provinces"].label_from_instance = lambda u: f"{u.name} ({u.code})"


class ReorganisationLineForm(forms.Form):
    """One line added to a draft plan on screen: an existing unit goes (whole or in part) into a unit."""

    old_code = forms.CharField(label=_("Code of the unit that changes"), max_length=32)
    new_code = forms.CharField(label=_("Code after the change"), max_length=32)
    new_name = forms.CharField(label=_("Name after the change"), max_length=255)
    share = forms.ChoiceField(label=_("Share"), choices=[("full", _("Whole unit")), ("partial", _("Part of the unit"))])
    parent = forms.CharField(label=_("Parent unit code after the change"), max_length=32, required=False)


class ReorganisationAllocationForm(forms.Form):
    """Allotments for split units: an uploaded file (employee code, unit code), or the choices on the page."""

    file = forms.FileField(label=_("Allotment file (.xlsx or .csv: employee_code, unit_code)"), required=False)
# --- Administrators: accounts, staff roles and personnel scopes ---------------------------------------------------

ROLE_CHOICES = [(key, roles.label(group)) for key, group in roles.KEYS.items()]


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, account or employee code"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False,
                             choices=[("", _("Everyone")), ("staff", _("Any staff role")), *ROLE_CHOICES])
    closed = forms.BooleanField(label=_("Bound to a closed unit"), required=False)

    def filters(self) -> dict:
        d = self.cleaned_data
        return {"q": d.get("q") or "", "role": d.get("role") or "", "closed_scope": bool(d.get("closed"))}


class RoleForm(forms.Form):
    """Grant or revoke one staff role (a personnel officer's units come with `ScopeUnitsForm`)."""

    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note (decision number, reason)"), max_length=255, required=False)

    @property
    def group(self) -> str:
        return roles.KEYS[self.cleaned_data["role"]]


class ScopeUnitsForm(forms.Form):
    """The units a personnel officer is given, each with its subtree: with the role, or added to it."""

    units = UnitTreeMultipleChoiceField(
        label=_("Units (each with all its sub-units)"), queryset=Unit.objects.none(),
        error_messages={"required": _("Choose at least one unit for the personnel officer."),
                        "invalid_choice": _("The unit chosen does not exist or is closed."),
                        "invalid_pk_value": _("The unit chosen does not exist or is closed.")},
        help_text=_("Tick one or several units. Search above to find a unit by its name."))
    note = forms.CharField(label=_("Note (decision number, reason)"), max_length=255, required=False)

    def __init__(self, *args, units_q: str = "", user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The picker shows the units the search found; a posted form accepts any active unit.
        self.fields["units"].queryset = (selectors.unit_list(user=user, q=units_q) if units_q and user is not None
                                         else Unit.objects.filter(active_to__isnull=True))


class HandOverForm(forms.Form):
    to_user = forms.CharField(label=_("Hand over to (account or employee code)"), max_length=150)
    units = forms.ModelMultipleChoiceField(
        label=_("Units to hand over (none ticked: all of them)"), queryset=ScopeGrant.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note (decision number, reason)"), max_length=255, required=False)

    def __init__(self, *args, from_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.from_user = from_user
        self.fields["units"].queryset = selectors.scope_grants_of(from_user)
        self.fields["units"].label_from_instance = lambda g: f"{g.unit.name} ({g.unit.code})"

    def clean_to_user(self):
        text = self.cleaned_data["to_user"]
        user = selectors.account_find(text)
        if user is None:
            raise forms.ValidationError(_("There is no account “%(text)s”.") % {"text": text.strip()})
        if user.pk == self.from_user.pk:
            raise forms.ValidationError(_("Choose another person to hand the scope over to."))
        return user

    def units_chosen(self) -> list[Unit] | None:
        grants = self.cleaned_data.get("units")
        return [g.unit for g in grants] if grants else None
