"""Forms of the trainers' grading pages: parsing and range checks only; the writing is in exams.grading."""
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Question


def parse_points(raw: str) -> Decimal:
    """"7,5", "7.5" or " 7 " as a Decimal; ValueError if it is not a plain number."""
    text = (raw or "").strip().replace(" ", "").replace(",", ".")
    if not text or text.count(".") > 1:
        raise ValueError(raw)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite():
        raise ValueError(raw)
    return value


class EssayGradeForm(forms.Form):
    points = forms.CharField(label=_("Points"), max_length=12,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                                           "size": 6}))
    comment = forms.CharField(label=_("Comment for the candidate"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("The candidate sees it when the exam's review policy shows feedback."))

    def __init__(self, *args, max_points: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_points = max_points
        self.fields["points"].help_text = _("From 0 to %(max)s; a decimal comma is fine (e.g. 1,5).") % {
            "max": _number(max_points)}

    def clean_points(self) -> Decimal:
        raw = self.cleaned_data["points"]
        try:
            value = parse_points(raw)
        except ValueError:
            raise forms.ValidationError(_("“%(text)s” is not a number of points. Write a number such as 1,5.")
                                        % {"text": raw}) from None
        if value < 0:
            raise forms.ValidationError(_("Points cannot be negative."))
        if value > self.max_points:
            raise forms.ValidationError(_("Points cannot be more than %(max)s, the points of this question.")
                                        % {"max": _number(self.max_points)})
        if value != value.quantize(Decimal("0.01")):
            raise forms.ValidationError(_("Give points with at most two decimals."))
        return value


class RegradeForm(forms.Form):
    question = forms.TypedChoiceField(label=_("Question"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, questions: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = {r["question"].pk: r["question"] for r in questions}
        self.fields["question"].choices = [("", _("— every question of the exam —"))] + [
            (r["question"].pk, _question_label(r)) for r in questions]

    def clean_question(self) -> Question | None:
        pk = self.cleaned_data.get("question")
        return None if pk is None else self.questions[pk]


def _question_label(row: dict) -> str:
    q = row["question"]
    name = q.current_version.name if q.current_version_id else f"#{q.pk}"
    if row["outdated"]:
        return str(_("%(name)s (version %(v)s; %(n)s papers hold an older version)")
                   % {"name": name, "v": q.current_version.number, "n": row["outdated"]})
    return str(_("%(name)s (version %(v)s)") % {"name": name, "v": q.current_version.number if q.current_version_id
                                                 else "?"})


def _number(value: Decimal) -> str:
    from ..grading import points_text

    return points_text(value)
