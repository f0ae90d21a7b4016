"""Admin forms for exams: the audience (eligibility) tab and personal accommodations."""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _, gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from org.audience import AudienceFormMixin, audience_categories_field, audience_units_field, listed_codes_field
from org.models import Official


class ExamAdminForm(AudienceFormMixin, WagtailAdminModelForm):
    """The exam's settings and its candidates: the audience fields shared with the LMS, as the admin shows them."""

    audience_units = audience_units_field(widget=forms.SelectMultiple(attrs={"size": 12}))
    audience_categories = audience_categories_field(label=gettext_lazy("categories"))
    audience_ranks = None  # exams select on roles and categories, not ranks
    listed_codes = listed_codes_field(
        label=gettext_lazy("Candidates listed by employee code"), rows=5,
        help_text=gettext_lazy("One employee code per line. They may sit the exam whatever the rule above says."))


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

        from .. import services

        instance = super().save(commit=commit)
        if commit:
            with transaction.atomic():  # a sitting already under way gets the extra time at once
                services.attempt_extend_open(exam=instance.exam, official=instance.official)
        return instance


class ExamSectionAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from ..question_picker import pickable_questions, question_label

        field = self.fields["fixed_questions"]
        field.queryset = pickable_questions()  # the same questions the exam builder's picker offers
        field.label_from_instance = question_label

    def _post_clean(self):
        # Let the model's clean() know whether fixed questions were chosen in this form.
        self.instance._fixed_chosen = bool(self.cleaned_data.get("fixed_questions"))
        super()._post_clean()


class ExamSessionAdminForm(AudienceFormMixin, WagtailAdminModelForm):
    """A session's details, its council, rooms and shifts, and whom its candidate list may be drawn from."""

    audience_units = audience_units_field(widget=forms.SelectMultiple(attrs={"size": 12}))
    audience_categories = audience_categories_field(label=gettext_lazy("categories"))
    audience_ranks = None
    listed_codes = listed_codes_field(
        label=gettext_lazy("Candidates listed by employee code"), rows=5,
        help_text=gettext_lazy("One employee code per line, added to the list whatever the rule above says."))
