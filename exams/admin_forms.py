"""Admin forms for exams: the audience (eligibility) tab and personal accommodations."""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _, gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from org.models import Category, Official

from .grading import points_text


class ExamAdminForm(WagtailAdminModelForm):
    audience_categories = forms.MultipleChoiceField(
        label=gettext_lazy("categories"), choices=Category.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=gettext_lazy("None ticked: every category."))
    listed_codes = forms.CharField(
        label=gettext_lazy("Candidates listed by employee code"), required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("One employee code per line. They may sit the exam whatever the rule above says."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["listed_codes"] = "\n".join(
                self.instance.audience_officials.order_by("employee_code").values_list("employee_code", flat=True))
        self._listed: list[Official] = []

    def clean_listed_codes(self):
        lines = [(n, line.strip()) for n, line in enumerate(self.cleaned_data["listed_codes"].splitlines(), 1)]
        codes = [(n, c) for n, c in lines if c]
        found = {o.employee_code.upper(): o for o in Official.objects.filter(
            employee_code__in=[c for _n, c in codes] + [c.upper() for _n, c in codes])}
        errors = [_("Line %(n)s: there is no official with code “%(code)s”.") % {"n": n, "code": c}
                  for n, c in codes if c.upper() not in found]
        if errors:
            raise ValidationError(errors)
        self._listed = list({found[c.upper()].pk: found[c.upper()] for _n, c in codes}.values())
        return self.cleaned_data["listed_codes"]

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


class ExamOverrideAdminForm(WagtailAdminModelForm):
    official_code = forms.CharField(label=gettext_lazy("Employee code"), max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["official_code"] = self.instance.official.employee_code

    def clean_official_code(self):
        code = self.cleaned_data["official_code"].strip()
        official = Official.objects.filter(employee_code__iexact=code).first()
        if official is None:
            raise ValidationError(_("There is no official with code “%(code)s”.") % {"code": code})
        self.instance.official = official
        return code

    def clean(self):
        data = super().clean()
        exam, official = data.get("exam"), getattr(self.instance, "official", None)
        if exam and self.instance.official_id:
            from .models import ExamOverride

            clash = ExamOverride.objects.filter(exam=exam, official_id=self.instance.official_id)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("official_code", _("%(name)s already has an accommodation for this exam; edit that one.")
                               % {"name": official.full_name})
        return data

    def save(self, commit=True):
        from django.db import transaction

        from . import services

        instance = super().save(commit=commit)
        if commit:
            with transaction.atomic():  # a sitting already under way gets the extra time at once
                services.attempt_extend_open(exam=instance.exam, official=instance.official)
        return instance


class ExamSectionAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Question

        field = self.fields["fixed_questions"]
        field.queryset = (Question.objects.filter(is_active=True, current_version__isnull=False)
                          .exclude(kind="description").select_related("current_version", "topic")
                          .order_by("topic__path", "id"))
        field.label_from_instance = lambda q: _("%(topic)s — %(name)s (default mark %(mark)s)") % {
            "topic": q.topic.name, "name": q.current_version.name, "mark": points_text(q.current_version.default_mark)}

    def _post_clean(self):
        # Let the model's clean() know whether fixed questions were chosen in this form.
        self.instance._fixed_chosen = bool(self.cleaned_data.get("fixed_questions"))
        super()._post_clean()
