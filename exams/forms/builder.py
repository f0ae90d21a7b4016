"""The exam builder's forms (one screen: the exam's main settings, its candidates and its sections): the exam with
its audience fields, the section rows as an inline formset, and the checks the page shows beside each row while the
trainer types (pool size, the 3× rule, the marks on the paper). The other settings (access, review, marking rules)
stay in the Wagtail admin's exam screen."""
from decimal import Decimal

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from org.audience import AudienceFormMixin, SearchableUnitTree, audience_categories_field, audience_units_field, \
    listed_codes_field
from org.selectors import AudienceDraft

from django.db.models import Q

from ..grading import points_text
from ..models import Difficulty, Exam, ExamSection, Question, Topic
from ..question_picker import picker_label, pickable_questions

_LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def _when_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL_MINUTE)


class ExamBuilderForm(AudienceFormMixin, forms.ModelForm):
    """The exam's main settings and who may sit it (the audience fields, as the admin's candidates tab has them)."""

    audience_units = audience_units_field(widget=SearchableUnitTree())
    audience_categories = audience_categories_field(label=gettext_lazy("Categories"))
    audience_ranks = None  # exams select on roles and categories, not ranks
    listed_codes = listed_codes_field(
        label=gettext_lazy("Candidates listed by employee code"), rows=3,
        help_text=gettext_lazy("One employee code per line. They may sit the exam whatever the rule above says."))

    class Meta:
        model = Exam
        fields = ["title", "instructions", "time_limit_minutes", "pass_percent", "attempts_allowed", "opens_at",
                   "closes_at", "shuffle_questions", "shuffle_options", "is_published",
                   "audience_units", "audience_include_subunits", "audience_reform_officers",
                   "audience_one_stop_receivers", "audience_leaders", "audience_categories"]
        widgets = {"instructions": forms.Textarea(attrs={"rows": 3}), "opens_at": _when_widget(),
                   "closes_at": _when_widget()}

    def draft(self) -> AudienceDraft:
        """The audience as filled in so far (fields that do not validate count as empty), for the live count."""
        data = getattr(self, "cleaned_data", {})
        return AudienceDraft(
            unit_ids=[u.pk for u in data.get("audience_units") or []],
            audience_include_subunits=bool(data.get("audience_include_subunits")),
            audience_reform_officers=bool(data.get("audience_reform_officers")),
            audience_one_stop_receivers=bool(data.get("audience_one_stop_receivers")),
            audience_leaders=bool(data.get("audience_leaders")),
            audience_categories=list(data.get("audience_categories") or []),
            official_ids=[o.pk for o in self._listed])


def _topic_label(topic: Topic) -> str:
    return "— " * (topic.path.count("/") - 2) + topic.name


class FixedQuestionsPicker(forms.Widget):
    """The fixed questions chosen, each a hidden input with a button that removes it, and a search box that finds
    questions in the bank by text or number to add (static/js/exam-builder.js asks the builder's question search).
    Without script the chosen questions are kept as they are."""

    template_name = "exams/widgets/fixed_questions.html"

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False  # no input sent is no question chosen

    def format_value(self, value):
        return [str(v) for v in value or [] if str(v).isdigit()]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        ids = [int(v) for v in context["widget"]["value"]]
        found = Question.objects.select_related("current_version", "topic").filter(
            pk__in=ids, current_version__isnull=False).in_bulk()
        context["widget"]["chosen"] = [{"id": pk, "label": picker_label(found[pk]),
                                        "retired": not found[pk].is_active} for pk in dict.fromkeys(ids) if pk in found]
        return context


class SectionRowForm(forms.ModelForm):
    """One section of the blueprint: its title, the topic it draws from (with its sub-topics), the difficulty, how
    many questions it draws and the points each carries on the paper; or the fixed questions every candidate gets,
    picked from the bank. A section needs a topic or fixed questions (the model's rule, as in the admin)."""

    class Meta:
        model = ExamSection
        fields = ["title", "topic", "difficulty", "draw_count", "points_per_question", "fixed_questions"]
        labels = {"topic": gettext_lazy("Topic (pool)"),
                  "fixed_questions": gettext_lazy("Fixed questions (every candidate gets them)")}
        widgets = {"fixed_questions": FixedQuestionsPicker}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        topic = self.fields["topic"]
        topic.queryset = Topic.objects.order_by("path")
        topic.label_from_instance = _topic_label
        topic.empty_label = _("— choose —")
        self.fields["difficulty"].choices = [("", _("Any difficulty")), *Difficulty.choices]
        self.fields["draw_count"].widget.attrs.update(min=1, max=500)
        self.fields["points_per_question"].widget.attrs.update(min=0, step="0.25")
        fixed = self.fields["fixed_questions"]
        # The bank's live questions, and any already fixed here that were retired since (kept unless removed).
        kept = self.instance.fixed_questions.values("pk") if self.instance.pk else Question.objects.none()
        fixed.queryset = Question.objects.filter(Q(pk__in=pickable_questions().values("pk")) | Q(pk__in=kept))

    def _post_clean(self):
        # The model's checks (a topic or fixed questions; the pool) and the row's live checks count the questions
        # chosen on the page, not yet saved.
        chosen = self.cleaned_data.get("fixed_questions")
        if chosen is not None:
            self.instance._fixed_chosen_ids = [q.pk for q in chosen]
            self.instance._fixed_chosen = bool(self.instance._fixed_chosen_ids)
        super()._post_clean()

    @property
    def has_fixed(self) -> bool:
        return self.instance.chosen_fixed_questions().exists()

    def check(self) -> dict:
        """What the page shows beside the row: the pool, the 3× warning, the section's marks and its warnings."""
        section = self.instance
        if section.topic_id is None and not self.has_fixed:
            return {"empty": True}
        n = section.chosen_fixed_questions().filter(is_active=True).count() if self.has_fixed else section.draw_count
        points = section.points_per_question or Decimal(0)
        pool = section.pool_size()
        return {
            "empty": False,
            "pool": ngettext("Pool: %(n)s question", "Pool: %(n)s questions", pool) % {"n": pool},
            "warning": "" if self.has_fixed else section.pool_warning(),
            "marks": _("%(n)s × %(points)s = %(total)s points") % {
                "n": n, "points": points_text(points), "total": points_text(points * n)},
            "mark_warnings": section.mark_warnings(),
            "total": points * n,
            "errors": [str(e) for e in self.non_field_errors()],
        }


SectionFormSet = forms.inlineformset_factory(Exam, ExamSection, form=SectionRowForm, extra=1, can_delete=True)


class ExamBuilder:
    """The exam form and its sections' formset, checked and saved together."""

    def __init__(self, data=None, *, instance: Exam | None = None):
        self.exam = instance or Exam()
        self.form = ExamBuilderForm(data, instance=self.exam)
        self.sections = SectionFormSet(data, instance=self.exam, prefix="sections")

    def is_valid(self) -> bool:
        form_ok = self.form.is_valid()
        return self.sections.is_valid() and form_ok

    def kept_rows(self) -> list[SectionRowForm]:
        """The rows that are (or will be) sections, in the page's order: filled in and not marked for deletion."""
        deleted = set(map(id, self.sections.deleted_forms))
        return [f for f in self.sections.forms if (f.instance.pk or f.has_changed()) and id(f) not in deleted]

    @transaction.atomic
    def save(self, *, by) -> Exam:
        """Write the exam, its audience and its sections (numbered in the page's order)."""
        exam = self.form.save(commit=False)
        if exam.pk is None:
            exam.created_by = by
        exam.save()
        self.form.save_m2m()
        self.sections.instance = exam
        self.sections.save()
        for order, row in enumerate(self.kept_rows(), start=1):
            if row.instance.order != order:
                row.instance.order = order
                row.instance.save(update_fields=["order"])
        return exam
