"""Reports pages. Exam statistics are for trainers and administrators (exams.selectors.can_use_bank); the figures
come from exams.statistics (cached) and scoring.statistics (the computation); this module only lays them out."""
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from common import export
from common.text import fold
from common.views import download
from exams import statistics as exam_stats
from exams.models import KIND_LABELS, Exam
from org.guards import trainers_only

from scoring import statistics as core

WHICH_LABELS = {
    "first": gettext_lazy("First attempt of each official"),
    "highest": gettext_lazy("Highest-scoring attempt of each official"),
    "last": gettext_lazy("Last attempt of each official"),
    "all": gettext_lazy("All attempts"),
}
FLAG_LABELS = {
    "too_hard": gettext_lazy("Very difficult (facility ≤ 10%): check the key and the wording"),
    "too_easy": gettext_lazy("Very easy (facility ≥ 90%): it tells candidates apart little"),
    "negative_discrimination": gettext_lazy("Negative discrimination: stronger candidates get it wrong more "
                                            "often — check the key"),
    "low_discrimination": gettext_lazy("Weak discrimination (index below 30%)"),
    "low_efficiency": gettext_lazy("Low discriminative efficiency (below 15%)"),
}
BAND_LABELS = {
    "extremely_difficult": gettext_lazy("extremely difficult, or something wrong"),
    "very_difficult": gettext_lazy("very difficult"),
    "difficult": gettext_lazy("difficult"),
    "moderately_difficult": gettext_lazy("moderately difficult"),
    "about_right": gettext_lazy("about right for the average candidate"),
    "fairly_easy": gettext_lazy("fairly easy"),
    "easy": gettext_lazy("easy"),
    "very_easy": gettext_lazy("very easy"),
    "extremely_easy": gettext_lazy("extremely easy"),
}


_TRAINERS_ONLY = trainers_only(gettext_lazy("Exam statistics are for trainers."))


def _which(request, exam: Exam) -> str:
    which = request.GET.get("attempts", "")
    return which if which in core.WHICH else exam_stats.default_which(exam)


# --- Charts (inline SVG drawn here, so the page needs no script and no CDN) -------------------------------------

def _f(x: float) -> str:
    return f"{x:.1f}"  # SVG wants a dot, whatever the page's language


def _num(value, places: int = 2) -> str:
    """A figure to `places` decimals with the page's decimal comma, rounded half away from zero as Moodle's
    format_float (PHP's round) and the page's floatformat do; Django's number_format would cut the digits off."""
    if value is None:
        return ""
    # repr gives the shortest decimal that reads back as the float, so 1.005 rounds to 1.01 as people expect.
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(exact.copy_abs() if exact.is_zero() else exact, places)  # no "-0,00"


def _histogram_chart(stats: core.ExamStatistics, pass_percent: float) -> dict:
    width, height, left, right, top, bottom = 640, 260, 44, 12, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((c for _lo, _hi, c in stats.histogram), default=0) or 1
    step = plot_w / len(stats.histogram)
    bars = []
    for i, (lo, hi, count) in enumerate(stats.histogram):
        h = plot_h * count / peak
        x = left + i * step
        bars.append({"x": _f(x + 2), "y": _f(top + plot_h - h), "w": _f(step - 4), "h": _f(h), "count": count,
                     "label": f"{lo}–{hi}", "cx": _f(x + step / 2), "ty": _f(top + plot_h - h - 4)})
    ticks = sorted({0, peak // 2, peak}) if peak > 1 else [0, 1]
    return {"width": width, "height": height, "bars": bars, "left": left, "right": _f(width - right),
            "base": _f(top + plot_h), "label_y": _f(top + plot_h + 16), "axis_y": _f(height - 6),
            "ticks": [{"y": _f(top + plot_h - plot_h * t / peak), "value": t} for t in ticks],
            "pass_x": _f(left + plot_w * min(100.0, max(0.0, pass_percent)) / 100), "top": top}


def _scatter_chart(stats: core.ExamStatistics) -> dict:
    width, height, left, right, top, bottom = 640, 360, 48, 12, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(facility):
        return left + plot_w * facility / 100

    def y(index):  # the discrimination index runs from -100 to 100
        return top + plot_h * (100 - max(-100.0, min(100.0, index))) / 200

    points = [{"x": _f(x(q.facility)), "y": _f(y(q.discrimination)), "number": q.number,
               "flagged": bool(q.flags), "name": q.name, "facility": _num(q.facility, 1),
               "discrimination": _num(q.discrimination, 1)}
              for q in stats.questions if q.facility is not None and q.discrimination is not None]
    return {
        "width": width, "height": height, "points": points,
        "unplotted": len(stats.questions) - len(points),
        "left": left, "right": _f(left + plot_w), "top": top, "bottom": _f(top + plot_h),
        "zero_y": _f(y(0)), "axis_y": _f(height - 6), "label_y": _f(top + plot_h + 16),
        # The zone Moodle reads as sound: facility between the flags' limits, discrimination of 30% or more.
        "good": {"x": _f(x(core.FACILITY_LOW)), "y": _f(y(100)),
                 "w": _f(x(core.FACILITY_HIGH) - x(core.FACILITY_LOW)), "h": _f(y(core.DISCRIMINATION_LOW) - y(100))},
        "xticks": [{"x": _f(x(v)), "value": v} for v in range(0, 101, 20)],
        "yticks": [{"y": _f(y(v)), "value": v} for v in (-100, -50, 0, 30, 50, 100)],
    }


def _rows(stats: core.ExamStatistics) -> list[dict]:
    """The question table in Moodle's order: a random slot's own row ("slot") beside the questions it drew."""
    return [{"q": item, "is_slot": kind == "slot", "kind": "" if kind == "slot" else KIND_LABELS.get(item.kind, item.kind),
             "band": BAND_LABELS.get(item.band, ""), "flags": [FLAG_LABELS[f] for f in item.flags]}
            for kind, item in (stats.rows or [("question", q) for q in stats.questions])]


@login_required
@require_GET
@_TRAINERS_ONLY
def exam_statistics_page(request, exam_id: int):
    exam = get_object_or_404(Exam, pk=exam_id)
    which = _which(request, exam)
    stats = exam_stats.statistics_of(exam, which=which)
    rows = _rows(stats)
    return render(request, "reports/exam_statistics.html", {
        "exam": exam, "stats": stats, "which": which, "which_label": WHICH_LABELS[which],
        "which_choices": [(k, WHICH_LABELS[k]) for k in core.WHICH],
        "default_which": exam_stats.default_which(exam), "rows": rows,
        "choice_rows": [r for r in rows if not r["is_slot"] and r["q"].options],
        "on_ten": {k: None if v is None else v / 10 for k, v in
                   (("mean", stats.test.mean), ("median", stats.test.median))},
        "histogram": _histogram_chart(stats, float(exam.pass_percent)), "scatter": _scatter_chart(stats),
        "limits": {"facility_low": core.FACILITY_LOW, "facility_high": core.FACILITY_HIGH,
                   "discrimination": core.DISCRIMINATION_LOW, "efficiency": core.EFFICIENCY_LOW},
    })


def _random_slot_name(slot: core.SlotStatistics) -> str:
    if slot.pool_name:
        return _("Random question from “%(pool)s”") % {"pool": slot.pool_name}
    return _("Random question from a deleted section")


@login_required
@require_GET
@_TRAINERS_ONLY
def exam_statistics_csv(request, exam_id: int):
    exam = get_object_or_404(Exam, pk=exam_id)
    which = _which(request, exam)
    stats = exam_stats.statistics_of(exam, which=which)
    header = [_("No."), _("Question ID"), _("Question"), _("Question type"), _("Attempts"),
              _("Facility index (%)"), _("Standard deviation (%)"), _("Random guess score (%)"),
              _("Discrimination index (%)"), _("Discriminative efficiency (%)"), _("Not answered"),
              _("Needs checking"), _("Blueprint slots")]
    rows = []
    for r in _rows(stats):
        q = r["q"]
        if r["is_slot"]:
            first = ["", "", _random_slot_name(q), _("Random slot")]
            slots = str(q.slot)
        else:
            first = [q.number, q.question_id, q.name, r["kind"]]
            slots = ", ".join(str(n) for n in q.slots)
        rows.append([*first, q.attempts, _num(q.facility), _num(q.sd), _num(q.random_guess),
                     _num(q.discrimination), _num(q.efficiency), q.blank, "; ".join(str(f) for f in r["flags"]),
                     slots])
    name = f"thong-ke-{slugify(fold(exam.title))[:60] or exam.pk}-{timezone.localdate():%Y%m%d}.csv"
    return download(export.csv_bytes(header, rows), name, export.CSV_CONTENT_TYPE)
