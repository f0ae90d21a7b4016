"""The single-question editor: one form for what every question has, and rows for its options, accepted answers,
numbers, pairs or items. It checks what makes a question usable and builds the neutral `formats.Question` that
`services.question_save` stores as a new version."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.text import fold

from .. import formats
from ..formats.model import default_name, format_decimal, format_percent, parse_decimal
from ..models import Difficulty, Topic

EXTRA_ROWS = 2
TAG_MAX = 100
MARK_MAX = 9999.99

# Moodle's list of grades for an answer, so banks moved from Moodle keep their weights; a value outside it (from an
# imported file) is added to the list of that row.
PERCENTS = ["100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333", "30", "25", "20",
            "16.66667", "14.28571", "12.5", "11.11111", "10", "5", "0"]
PERCENTS += ["-" + p for p in reversed(PERCENTS[:-1])]


def _percent_label(value: str) -> str:
    return value.replace(".", ",") + "%"


class DecimalTextField(forms.CharField):
    """A number typed the Vietnamese way ("2,5"; "2.5" works too); cleaned to a float."""

    def __init__(self, *, min_value: float | None = None, max_value: float | None = None, **kwargs):
        self.min_value, self.max_value = min_value, max_value
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return format_decimal(float(value))
        return value

    def clean(self, value):
        text = super().clean(value)
        if text in ("", None):
            return None
        try:
            number = parse_decimal(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc))
        if self.min_value is not None and number < self.min_value:
            raise forms.ValidationError(_("Enter %(min)s or more.") % {"min": format_decimal(self.min_value)})
        if self.max_value is not None and number > self.max_value:
            raise forms.ValidationError(_("Enter %(max)s or less.") % {"max": format_decimal(self.max_value)})
        return number


class PercentField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[(p, _percent_label(p)) for p in PERCENTS], coerce=lambda v: float(v) / 100,
                         initial="0", **kwargs)

    def offer(self, value: str) -> None:
        """Keep a weight that is not in Moodle's list (from an imported file) selectable."""
        if value and value not in PERCENTS:
            try:
                number = float(value)
            except ValueError:
                return
            if -100 <= number <= 100:
                self.choices = sorted([*self.choices, (value, _percent_label(value))], key=lambda c: -float(c[0]))


def _percent_value(fraction: float) -> str:
    return format_percent(fraction)


# --- Rows --------------------------------------------------------------------------------------------------------

class _RowForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "percent" in self.fields:
            self.fields["percent"].offer(self.data.get(self.add_prefix("percent")) if self.is_bound
                                         else (self.initial or {}).get("percent"))

    def is_blank(self) -> bool:
        raise NotImplementedError


class ChoiceRowForm(_RowForm):
    text = forms.CharField(label=gettext_lazy("Option"), required=False, strip=True)
    percent = PercentField(label=gettext_lazy("Share of the mark"), required=False)
    feedback = forms.CharField(label=gettext_lazy("Feedback for choosing it"), required=False)

    def is_blank(self) -> bool:
        return not self.cleaned_data.get("text")


class ShortRowForm(ChoiceRowForm):
    text = forms.CharField(label=gettext_lazy("Accepted answer"), required=False, strip=True)
    feedback = forms.CharField(label=gettext_lazy("Feedback for this answer"), required=False)


class NumericRowForm(_RowForm):
    value = DecimalTextField(label=gettext_lazy("Right number"), required=False)
    tolerance = DecimalTextField(label=gettext_lazy("Tolerance ±"), required=False, min_value=0)
    percent = PercentField(label=gettext_lazy("Share of the mark"), required=False)
    feedback = forms.CharField(label=gettext_lazy("Feedback for this answer"), required=False)

    def is_blank(self) -> bool:
        return self.cleaned_data.get("value") is None and self.cleaned_data.get("tolerance") is None


class PairRowForm(_RowForm):
    item = forms.CharField(label=gettext_lazy("Item"), required=False)
    match = forms.CharField(label=gettext_lazy("Its match"), required=False)

    def is_blank(self) -> bool:
        return not self.cleaned_data.get("item") and not self.cleaned_data.get("match")


class OrderRowForm(_RowForm):
    item = forms.CharField(label=gettext_lazy("Item"), required=False)

    def is_blank(self) -> bool:
        return not self.cleaned_data.get("item")


ROW_FORMS = {"single": ChoiceRowForm, "multiple": ChoiceRowForm, "short": ShortRowForm, "numeric": NumericRowForm,
             "matching": PairRowForm, "ordering": OrderRowForm}
NEW_ROWS = {"single": 4, "multiple": 4, "short": 2, "numeric": 1, "matching": 4, "ordering": 4}


# --- The question ------------------------------------------------------------------------------------------------

class QuestionForm(forms.Form):
    topic = forms.ModelChoiceField(label=gettext_lazy("Topic"), queryset=Topic.objects.none())
    name = forms.CharField(label=gettext_lazy("Short name or code"), max_length=255, required=False,
                           help_text=gettext_lazy("Optional; the start of the question is used when empty."))
    text = forms.CharField(label=gettext_lazy("Question text"), widget=forms.Textarea(attrs={"rows": 4}))
    truth = forms.TypedChoiceField(label=gettext_lazy("The statement is"), coerce=lambda v: v == "true",
                                   choices=[("true", gettext_lazy("True")), ("false", gettext_lazy("False"))],
                                   widget=forms.RadioSelect)
    feedback_true = forms.CharField(label=gettext_lazy("Feedback for answering “True”"), required=False)
    feedback_false = forms.CharField(label=gettext_lazy("Feedback for answering “False”"), required=False)
    grader_info = forms.CharField(
        label=gettext_lazy("Rubric notes for graders"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What a full answer contains and how marks are split. Never shown to candidates."))
    general_feedback = forms.CharField(
        label=gettext_lazy("General feedback"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Shown after the exam when the exam's review settings allow it."))
    difficulty = forms.TypedChoiceField(label=gettext_lazy("Difficulty"), choices=Difficulty.choices, coerce=int,
                                        initial=Difficulty.MEDIUM)
    tags = forms.CharField(label=gettext_lazy("Tags"), required=False,
                           help_text=gettext_lazy("Separate tags with commas."))
    default_mark = DecimalTextField(label=gettext_lazy("Default mark"), min_value=0, max_value=MARK_MAX,
                                    initial=1.0)
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    KIND_FIELDS = {"truth": ("truefalse",), "feedback_true": ("truefalse",), "feedback_false": ("truefalse",),
                   "grader_info": ("essay",)}

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        for name, kinds in self.KIND_FIELDS.items():
            if kind not in kinds:
                del self.fields[name]
        if kind == "description":
            del self.fields["default_mark"]  # an information block is not graded
        self.fields["topic"].queryset = Topic.objects.order_by("path")
        self.fields["topic"].label_from_instance = lambda t: ("— " * (t.path.count("/") - 2)) + t.name

    def clean_default_mark(self):
        mark = self.cleaned_data.get("default_mark")
        if mark is not None and round(mark, 2) != mark:
            raise forms.ValidationError(_("Use at most two decimals."))
        return mark

    def clean_tags(self):
        tags: list[str] = []
        for tag in self.cleaned_data.get("tags", "").replace(";", ",").split(","):
            tag = " ".join(tag.split())
            if len(tag) > TAG_MAX:
                raise forms.ValidationError(_("The tag “%(tag)s…” is longer than %(n)s characters.")
                                            % {"tag": tag[:30], "n": TAG_MAX})
            if tag and tag not in tags:
                tags.append(tag)
        return tags


class QuestionEditor:
    """The editor for one kind of question: `form` plus `rows` (a formset, or None for kinds without rows).
    `problems` lists what is wrong with the rows as a whole ("exactly one option must be worth 100%")."""

    def __init__(self, kind: str, data=None, *, question=None, topic: Topic | None = None):
        from ..selectors import to_format

        self.kind = kind
        self.question = question
        version = question.current_version if question is not None else None
        current = to_format(version) if version is not None else None
        self.current = current
        initial, rows = self._initial(current, version, question, topic)
        self.form = QuestionForm(data, kind=kind, initial=initial)
        row_form = ROW_FORMS.get(kind)
        self.rows = None
        if row_form is not None:
            pad = EXTRA_ROWS if rows else NEW_ROWS[kind]
            rowset = forms.formset_factory(row_form, extra=pad, max_num=60, validate_max=True)
            self.rows = rowset(data, initial=rows, prefix="rows")
        self.problems: list[str] = []
        self._built: formats.Question | None = None

    @staticmethod
    def _initial(current, version, question, topic) -> tuple[dict, list[dict]]:
        if current is None:
            return {"topic": topic, "difficulty": Difficulty.MEDIUM, "default_mark": 1.0}, []
        initial = {
            "topic": question.topic, "name": "" if current.name == default_name(current.text) else current.name,
            "text": current.text, "general_feedback": current.general_feedback, "grader_info": current.grader_info,
            "difficulty": question.difficulty, "tags": ", ".join(current.tags),
            "default_mark": current.default_mark, "base_version": version.number,
        }
        kind, rows = question.kind, []
        if kind == "truefalse":
            feedback = {c.text: c.feedback for c in current.choices}
            initial.update(truth="true" if current.truth else "false", feedback_true=feedback.get("true", ""),
                           feedback_false=feedback.get("false", ""))
        elif kind in ("single", "multiple", "short"):
            choices = current.choices or [formats.Choice(text, 1.0) for text in current.answers]
            rows = [{"text": c.text, "percent": _percent_value(c.fraction), "feedback": c.feedback} for c in choices]
        elif kind == "numeric":
            rows = [{"value": a.value, "tolerance": a.tolerance, "percent": _percent_value(a.fraction),
                     "feedback": a.feedback} for a in current.numeric if a.value is not None]
        elif kind == "matching":
            rows = [{"item": item, "match": match} for item, match in current.pairs]
        elif kind == "ordering":
            rows = [{"item": item} for item in current.order]
        return initial, rows

    @property
    def base_version(self) -> int | None:
        return self.form.cleaned_data.get("base_version")

    @property
    def topic(self) -> Topic:
        return self.form.cleaned_data["topic"]

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        if self.rows is not None:
            valid = self.rows.is_valid() and valid
        if not valid:
            return False
        built = self._build()
        if self.problems or any(row.errors for row in (self.rows or [])):
            return False
        self._built = built
        return True

    def to_format(self) -> formats.Question:
        """The neutral question to save; only after `is_valid()`."""
        assert self._built is not None
        return self._built

    # --- building and checking ---------------------------------------------------------------------------------

    def _filled(self) -> list[tuple[int, forms.Form]]:
        """(number shown to the user, row form) of the rows not left blank."""
        return [(number, row) for number, row in enumerate(self.rows, 1) if row.cleaned_data and not row.is_blank()]

    def _build(self) -> formats.Question:
        data, kind = self.form.cleaned_data, self.kind
        current = self.question.current_version if self.question is not None else None
        mark = data.get("default_mark")
        if kind == "description":
            mark = float(current.default_mark) if current is not None else 0.0
        q = formats.Question(kind=kind, name=data["name"].strip() or default_name(data["text"]),
                             text=data["text"].strip(), general_feedback=data["general_feedback"].strip(),
                             default_mark=float(mark), difficulty=data["difficulty"], tags=data["tags"],
                             grader_info=data.get("grader_info", "").strip(), format="plain")
        if self.current is not None:
            # What the form does not show stays as it was: the text format, the ID number, hints, combined
            # feedback, the kind's settings and the files the texts refer to.
            for name in ("format", "idnumber", "hints", "feedback", "settings", "files"):
                setattr(q, name, getattr(self.current, name))
        getattr(self, f"_build_{kind}")(q)
        return q

    def _row_error(self, row: forms.Form, field: str, message: str) -> None:
        row.add_error(field, message)

    def _choices(self, q: formats.Question) -> list[tuple[int, forms.Form]]:
        filled = self._filled()
        q.choices = [formats.Choice(row.cleaned_data["text"], row.cleaned_data.get("percent") or 0.0,
                                    row.cleaned_data.get("feedback", "").strip()) for _n, row in filled]
        return filled

    def _build_single(self, q: formats.Question) -> None:
        self._choices(q)
        if len(q.choices) < 2:
            self.problems.append(_("Give at least two options."))
            return
        right = sum(1 for c in q.choices if c.fraction == 1.0)
        if right != 1:
            self.problems.append(_("Exactly one option must be worth 100%% (now %(n)s are). Other options may be "
                                   "worth part of the mark, or a negative share as a penalty.") % {"n": right})
        self._unique(self._filled(), "text", _("This option is the same as option %(other)s."))

    def _build_multiple(self, q: formats.Question) -> None:
        self._choices(q)
        if len(q.choices) < 2:
            self.problems.append(_("Give at least two options."))
            return
        positive = sum(c.fraction for c in q.choices if c.fraction > 0)
        if positive == 0:
            self.problems.append(_("Mark the right options with a positive share; together they make 100%."))
        elif abs(positive - 1) > 0.001:
            self.problems.append(_("The right options add up to %(total)s; they must add up to 100%% (e.g. two right "
                                   "options at 50%% each, three at 33,33333%%).")
                                 % {"total": _percent_label(format_percent(round(positive, 9)))})
        self._unique(self._filled(), "text", _("This option is the same as option %(other)s."))

    def _build_truefalse(self, q: formats.Question) -> None:
        data = self.form.cleaned_data
        q.truth = data["truth"]
        q.choices = [formats.Choice("true", 1.0 if q.truth else 0.0, data.get("feedback_true", "").strip()),
                     formats.Choice("false", 0.0 if q.truth else 1.0, data.get("feedback_false", "").strip())]

    def _build_short(self, q: formats.Question) -> None:
        filled = self._choices(q)
        q.answers = [c.text for c in q.choices]
        if not q.choices:
            self.problems.append(_("Give at least one accepted answer."))
            return
        if not any(c.fraction == 1.0 for c in q.choices):
            self.problems.append(_("At least one accepted answer must be worth 100%."))
        # Answers are compared without case and diacritics, so "lien thong" and "liên thông" are one answer.
        self._unique(filled, "text", _("This answer is the same as answer %(other)s once case and diacritics are "
                                       "ignored."), key=fold)

    def _build_numeric(self, q: formats.Question) -> None:
        filled = self._filled()
        for _n, row in filled:
            if row.cleaned_data.get("value") is None:
                self._row_error(row, "value", _("Write the right number."))
        q.numeric = [formats.NumericAnswer(row.cleaned_data.get("value") or 0.0,
                                           row.cleaned_data.get("tolerance") or 0.0,
                                           row.cleaned_data.get("percent") or 0.0,
                                           row.cleaned_data.get("feedback", "").strip()) for _n, row in filled]
        # Moodle's "any other answer" (with its feedback) is not a row of the form: it stays as it was.
        q.numeric += [a for a in (self.current.numeric if self.current else []) if a.value is None]
        if not q.numeric:
            self.problems.append(_("Give the right number."))
        elif not any(a.fraction == 1.0 for a in q.numeric):
            self.problems.append(_("At least one answer must be worth 100%."))

    def _build_matching(self, q: formats.Question) -> None:
        filled = self._filled()
        for _n, row in filled:
            item, match = row.cleaned_data["item"].strip(), row.cleaned_data["match"].strip()
            if not match:
                self._row_error(row, "match", _("Write what this item matches."))
            q.pairs.append((item, match))
        if sum(1 for item, match in q.pairs if item and match) < 2:
            self.problems.append(_("Give at least two pairs. A match without an item is an extra wrong choice."))
        self._unique([(n, row) for n, row in filled if row.cleaned_data["item"].strip()], "item",
                     _("This item is the same as item %(other)s."))

    def _build_ordering(self, q: formats.Question) -> None:
        filled = self._filled()
        q.order = [row.cleaned_data["item"].strip() for _n, row in filled]
        if len(q.order) < 2:
            self.problems.append(_("Give at least two items, in the right order."))
        self._unique(filled, "item", _("This item is the same as item %(other)s."))

    def _build_essay(self, q: formats.Question) -> None:
        pass

    def _build_description(self, q: formats.Question) -> None:
        pass

    def _unique(self, filled, field: str, message: str, key=lambda text: text.strip()) -> None:
        seen: dict[str, int] = {}
        for number, row in filled:
            value = key(row.cleaned_data.get(field) or "")
            if value in seen:
                self._row_error(row, field, message % {"other": seen[value]})
            else:
                seen[value] = number
