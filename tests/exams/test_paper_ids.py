"""Identifiers on a candidate's paper are opaque (issue 12, item 4; the exam contract in ARCHITECTURE.md): nothing the
browser receives, in any order, says which option, item or match is right. A candidate answers in the paper's own
identifiers and gets exactly the marks the answer deserves; guessed internal numbers earn nothing; the review,
the regrade and the statistics read the answers right; a paper started before identifiers existed still works."""
import json
import math
from collections import Counter, defaultdict

import pytest
from django.utils.translation import gettext as _

from exams import formats
from exams.grading import regrade_apply
from exams.models import Attempt, AttemptQuestion, Question, QuestionVersion
from exams.review import attempt_review
from exams.services import attempt_submit, question_save
from exams.statistics import exam_responses

from ..factories import ExamFactory, OfficialFactory, TopicFactory

pytestmark = pytest.mark.django_db

# One question of every type. Markers (FB-…, GENERAL-FB-…, KHOA-…, GRADER-INFO) make leaked key material easy to find.
BANK = """
::Một lựa chọn::Bộ phận Một cửa cấp xã đặt tại đâu?{
=Trụ sở UBND cấp xã#FB-DUNG
~Nhà văn hóa ấp#FB-SAI-1
~Bưu điện#FB-SAI-2
~Nhà riêng cán bộ#FB-SAI-3
~Chợ xã#FB-SAI-4
####GENERAL-FB-MOT
}

::Nhiều lựa chọn::Những giấy tờ nào cần khi nộp hồ sơ?{
~%50%Đơn đề nghị#FB-DON
~%50%Bản sao CCCD#FB-CCCD
~%-50%Giấy khen#FB-GIAY-KHEN
~%-50%Ảnh thẻ#FB-ANH
~%-50%Sổ tiết kiệm#FB-SO
}

::Đúng sai::Thời hạn giải quyết được tính theo ngày làm việc.{TRUE#FB-TF-SAI#FB-TF-DUNG}

::Ngắn::Tên gọi tắt của bộ phận tiếp nhận và trả kết quả là gì?{=KHOA-NGAN-MOT-CUA#FB-SHORT}

::Số::Mã số thử nghiệm là bao nhiêu?{#4242.5:0.5#FB-NUM}

::Ghép::Ghép cơ quan với việc.{
=Sở Nội vụ -> Tổ chức bộ máy
=Sở Tư pháp -> Hộ tịch
=Sở Tài chính -> Ngân sách
=Sở Y tế -> Bảo hiểm y tế
=Công an tỉnh -> Căn cước
}

::Tự luận::Trình bày quy trình tiếp nhận hồ sơ.{}

::Mô tả::Các câu sau hỏi về Bộ phận Một cửa.
"""
RIGHT_ORDER = ["Tiếp nhận", "Thẩm định", "Trình ký", "Giải quyết", "Trả kết quả"]
KEY_MATERIAL = ["fraction", "feedback", "correct", "FB-", "GENERAL-FB", "KHOA-NGAN", "4242", "GRADER-INFO", "truth",
                "right_answer", "verdict"]
KINDS = ("single", "multiple", "truefalse", "short", "numeric", "matching", "ordering", "essay", "description")
SITTINGS = 40


@pytest.fixture
def exam(db):
    root = TopicFactory(name="Mọi loại câu hỏi")
    parsed = formats.parse_gift(BANK) + [
        formats.Question(kind="ordering", name="Thứ tự", text="Sắp xếp các bước giải quyết hồ sơ.", order=RIGHT_ORDER)]
    questions = [question_save(q=q, topic=root)[0] for q in parsed]
    essay = next(q for q in questions if q.kind == "essay")
    QuestionVersion.objects.filter(pk=essay.current_version_id).update(grader_info="GRADER-INFO đủ 4 bước")
    exam = ExamFactory(title="Sát hạch mọi loại câu hỏi", published=True, attempts_allowed=0,
                       time_limit_minutes=30,  # questions and options shuffled: the defaults
                       bank=root, bank__draw_count=len(questions), bank__fixed_questions=questions)
    assert sorted(q.kind for q in questions) == sorted(KINDS)
    return exam


def bank_data() -> dict[str, dict]:
    """Each question's kind and data, by its text: the key, known on the server side only."""
    return {q.current_version.text: {"kind": q.kind, **q.current_version.data}
            for q in Question.objects.select_related("current_version")}


def start(client, exam, official) -> tuple[int, list[str]]:
    """Start a sitting in the browser's way; returns its id and every body the browser receives for it: the start
    reply, the claim, a reload of the paper, and the exam room's page."""
    client.force_login(official.user)
    started = client.post(f"/api/exams/{exam.pk}/attempts", "{}", content_type="application/json")
    assert started.status_code == 201
    attempt_id = started.json()["id"]
    claimed = client.post(f"/api/attempts/{attempt_id}/claim", json.dumps({"client": "tab"}),
                          content_type="application/json")
    again = client.get(f"/api/attempts/{attempt_id}")
    page = client.get(f"/thi/lam-bai/{attempt_id}/")
    assert claimed.status_code == again.status_code == page.status_code == 200
    return attempt_id, [started.content.decode(), claimed.content.decode(), again.content.decode(),
                        page.content.decode()]


def without_clock(body: str) -> str:
    # The deadline and the server's clock are digits that could contain anything.
    try:
        data = json.loads(body)
    except ValueError:
        return body  # the room's HTML
    return json.dumps({k: v for k, v in data.items() if k not in ("deadline", "server_now")}, ensure_ascii=False)


def right_texts(q: dict) -> dict:
    """The key of one question in the words the paper shows."""
    kind = q["kind"]
    if kind == "single":
        return {"first": [c["text"] for c in q["choices"] if c["fraction"] == 1.0]}
    if kind == "multiple":
        return {"first": [c["text"] for c in q["choices"] if c["fraction"] > 0]}
    if kind == "truefalse":
        return {"first": [str(_("True")) if q["truth"] else str(_("False"))]}
    if kind == "matching":
        return {"pairs": {item: match for item, match in q["pairs"] if item}}
    if kind == "ordering":
        return {"order": q["order"]}
    return {}


def as_number(identifier):
    try:
        return 0, int(identifier)
    except (TypeError, ValueError):
        return 1, str(identifier)


ARRANGEMENTS = {
    "shown": lambda elements: list(elements),
    "by id as text": lambda elements: sorted(elements, key=lambda e: str(e["id"])),
    "by id as number": lambda elements: sorted(elements, key=lambda e: as_number(e["id"])),
}


def arrangements(elements: list[dict]) -> dict[str, list[dict]]:
    out = {}
    for name, arrange in ARRANGEMENTS.items():
        out[name] = arrange(elements)
        out[f"{name}, reversed"] = arrange(elements)[::-1]
    return out


def revealing(kind: str, key: dict, q: dict) -> set[str]:
    """The arrangements of this paper's question whose order gives its key away."""
    found = set()
    if kind in ("single", "multiple", "truefalse"):
        for name, options in arrangements(q["options"]).items():
            if kind == "truefalse" and name.startswith("shown"):
                continue  # "True" is shown before "False" on every paper: the labels say which is which
            if [o["text"] for o in options[:len(key["first"])]] == key["first"] or (
                    kind == "multiple" and sorted(o["text"] for o in options[:len(key["first"])]) == sorted(key["first"])):
                found.add(name)
    elif kind == "ordering":
        for name, items in arrangements(q["items"]).items():
            if [i["text"] for i in items] == key["order"]:
                found.add(name)
    elif kind == "matching":
        items, matches = arrangements(q["items"]), arrangements(q["matches"])
        for name in items:
            if all(key["pairs"][i["text"]] == m["text"] for i, m in zip(items[name], matches[name])):
                found.add(name)
    return found


CHANCE = {"single": 1 / 5, "multiple": 1 / 10, "truefalse": 1 / 2, "ordering": 1 / 120, "matching": 1 / 120}


def at_most_by_chance(p: float, n: int) -> float:
    """A count of n tries that chance alone exceeds with a probability well below one in a million."""
    return n * p + 6 * math.sqrt(n * p * (1 - p)) + 1


def test_no_paper_gives_its_key_away_in_any_order_for_any_type_of_question(client, exam, tree):
    bank = bank_data()
    hits: dict[tuple[str, str], int] = Counter()
    ids_seen: dict[str, set] = defaultdict(set)
    for n in range(SITTINGS):
        attempt_id, bodies = start(client, exam, OfficialFactory(unit=tree["trang_dai"]))
        for body in bodies:
            leaked = [k for k in KEY_MATERIAL if k in without_clock(body)]
            assert leaked == [], leaked
        papers = [json.loads(body)["paper"] for body in bodies[:3]]
        assert papers[0] == papers[1] == papers[2]  # the same paper on every load
        assert sorted(q["kind"] for q in papers[0]) == sorted(KINDS)
        for q in papers[0]:
            kind, data = q["kind"], bank[q["text"]]
            assert set(q) - {"slot", "kind", "text", "points"} <= {"options", "items", "matches"}
            identifiers = [e["id"] for key in ("options", "items", "matches") for e in q.get(key, [])]
            # Opaque: random strings, never a number that could be a position or a bank index, unique in the question.
            assert all(isinstance(i, str) and not i.strip("-").isdigit() for i in identifiers), identifiers
            assert len(set(identifiers)) == len(identifiers)
            if identifiers:
                ids_seen[q["text"]].add(tuple(sorted(identifiers)))
            if kind == "ordering":
                assert [i["text"] for i in q["items"]] != RIGHT_ORDER  # never shown in the right order
            for name in revealing(kind, right_texts(data), q):
                hits[(kind, name)] += 1
    for (kind, name), count in hits.items():
        assert count <= at_most_by_chance(CHANCE[kind], SITTINGS), f"{kind}: {name} gives the key {count}×"
    # The same question has other identifiers on every paper: one paper's identifiers tell nothing about another's.
    assert {text: len(seen) for text, seen in ids_seen.items()} == {
        text: SITTINGS for text, data in bank.items() if data["kind"] in CHANCE}


# --- Answering in the paper's identifiers -------------------------------------------------------------------------

def right_answer(q: dict, data: dict) -> dict | None:
    """What a candidate who knows the key sends, built from the texts on their paper alone."""
    kind, key = q["kind"], right_texts(data)
    by_text = {e["text"]: e["id"] for e in q.get("options", [])}
    if kind in ("single", "truefalse"):
        return {"choice": by_text[key["first"][0]]}
    if kind == "multiple":
        return {"choices": [by_text[t] for t in key["first"]]}
    if kind == "matching":
        matches = {m["text"]: m["id"] for m in q["matches"]}
        return {"pairs": {i["id"]: matches[key["pairs"][i["text"]]] for i in q["items"]}}
    if kind == "ordering":
        items = {i["text"]: i["id"] for i in q["items"]}
        return {"order": [items[t] for t in key["order"]]}
    if kind == "short":
        return {"text": data["answers"][0]}
    if kind == "numeric":
        return {"value": "4242,5"}
    if kind == "essay":
        return {"text": "Hướng dẫn, tiếp nhận, chuyển hồ sơ, trả kết quả."}
    return None


def put(client, attempt_id: int, slot: int, response: dict, seq: int = 1):
    reply = client.put(f"/api/attempts/{attempt_id}/answers/{slot}",
                       json.dumps({"response": response, "seq": seq, "client": "tab"}), content_type="application/json")
    assert reply.status_code == 200, reply.content
    return reply


def sit_right(client, exam, official) -> Attempt:
    """Answer every question right through the API, in the paper's identifiers, and submit."""
    bank = bank_data()
    attempt_id, bodies = start(client, exam, official)
    for q in json.loads(bodies[1])["paper"]:
        response = right_answer(q, bank[q["text"]])
        if response is not None:
            put(client, attempt_id, q["slot"], response)
    assert client.post(f"/api/attempts/{attempt_id}/submit").status_code == 200
    return Attempt.objects.get(pk=attempt_id)


def fractions(attempt) -> dict[str, float | None]:
    return {s.version.question.kind: s.fraction for s in attempt.slots.select_related("version__question")}


def test_answering_with_the_papers_identifiers_earns_full_marks(client, exam, trang_dai_official):
    attempt = sit_right(client, exam, trang_dai_official)
    assert fractions(attempt) == {"single": 1.0, "multiple": 1.0, "truefalse": 1.0, "short": 1.0, "numeric": 1.0,
                                  "matching": 1.0, "ordering": 1.0, "essay": None, "description": None}
    assert attempt.score == 7 and attempt.max_score == 9 and attempt.needs_manual_grading  # the essay waits


def internal_guesses(slot: AttemptQuestion) -> list[dict]:
    """Answers in the numbering the grading works in, the one the paper used to send: the key itself, its numbers as
    text, negative numbers, every single position."""
    kind, data = slot.version.question.kind, slot.version.data
    choices = data.get("choices", [])
    order = slot.option_order or list(range(len(choices)))
    if kind in ("single", "truefalse"):
        right = next(p for p, j in enumerate(order) if choices[j]["fraction"] == 1.0)
        return [{"choice": right}, {"choice": str(right)}, {"choice": right - len(order)}, {"choice": [right]},
                *({"choice": p} for p in range(len(order)))]
    if kind == "multiple":
        right = [p for p, j in enumerate(order) if choices[j]["fraction"] > 0]
        return [{"choices": right}, {"choices": [str(p) for p in right]}, {"choices": [p - len(order) for p in right]},
                {"choices": [{"id": p} for p in right]}]
    if kind == "matching":
        matches = sorted({m for _i, m in data["pairs"]})
        key = {str(i): matches.index(m) for i, (_item, m) in enumerate(data["pairs"])}
        return [{"pairs": key}, {"pairs": {k: str(v) for k, v in key.items()}},
                {"pairs": {k: v - len(matches) for k, v in key.items()}}, {"pairs": {k: [v] for k, v in key.items()}}]
    if kind == "ordering":
        n = len(data["order"])
        return [{"order": list(range(n))}, {"order": [str(i) for i in range(n)]}, {"order": list(range(-n, 0))},
                {"order": "0,1,2,3,4"}]
    return []


def test_guessed_internal_numbers_earn_nothing_and_never_fail(client, exam, tree):
    rounds = 0
    while True:
        official = OfficialFactory(unit=tree["trang_dai"])
        attempt_id, _bodies = start(client, exam, official)
        attempt = Attempt.objects.get(pk=attempt_id)
        sent = 0
        for slot in attempt.slots.select_related("version__question"):
            guesses = internal_guesses(slot)
            if rounds < len(guesses):
                put(client, attempt_id, slot.slot, guesses[rounds])
                sent += 1
        if not sent:
            break
        reply = client.post(f"/api/attempts/{attempt_id}/submit")
        assert reply.status_code == 200 and reply.json()["score"] == 0, (rounds, reply.json())
        rounds += 1
    assert rounds == 9  # the single-choice question's guesses: the key, as text, negative, a list, five positions


def test_the_review_shows_the_answers_given_in_the_papers_identifiers_in_words(client, exam, trang_dai_official):
    exam.show_answers_after_submit = True
    exam.save()
    attempt = sit_right(client, exam, trang_dai_official)
    review = {q["kind"]: q for q in attempt_review(Attempt.objects.select_related("exam").get(pk=attempt.pk))
              ["questions"]}
    assert review["single"]["response"] == ["Trụ sở UBND cấp xã"]
    assert sorted(review["multiple"]["response"]) == ["Bản sao CCCD", "Đơn đề nghị"]
    assert review["truefalse"]["response"] == [str(_("True"))]
    assert sorted(review["matching"]["response"]) == sorted([
        "Sở Nội vụ → Tổ chức bộ máy", "Sở Tư pháp → Hộ tịch", "Sở Tài chính → Ngân sách",
        "Sở Y tế → Bảo hiểm y tế", "Công an tỉnh → Căn cước"])
    assert review["ordering"]["response"] == [f"{n}. {t}" for n, t in enumerate(RIGHT_ORDER, start=1)]
    assert {k: q["verdict"] for k, q in review.items() if "verdict" in q} == {
        "single": "right", "multiple": "right", "truefalse": "right", "short": "right", "numeric": "right",
        "matching": "right", "ordering": "right"}


def test_a_regrade_reads_the_answers_given_in_the_papers_identifiers(client, exam, trang_dai_official):
    """The trainer corrects the single-choice question's key: the option the candidate picked, wrong before, is the
    right one after."""
    attempt_id, bodies = start(client, exam, trang_dai_official)
    single = next(q for q in json.loads(bodies[1])["paper"] if q["kind"] == "single")
    put(client, attempt_id, single["slot"],
        {"choice": next(o["id"] for o in single["options"] if o["text"] == "Bưu điện")})
    attempt = attempt_submit(attempt=Attempt.objects.get(pk=attempt_id))
    assert attempt.score == 0 and fractions(attempt)["single"] == 0.0

    question = Question.objects.get(kind="single")
    choices = [formats.model.Choice(text=c["text"], fraction=1.0 if c["text"] == "Bưu điện" else 0.0)
               for c in question.current_version.data["choices"]]
    question_save(q=formats.Question(kind="single", name="Một lựa chọn", text=single["text"], choices=choices),
                  topic=question.topic, question=question)
    regrade_apply(exam=exam)
    attempt.refresh_from_db()
    assert fractions(attempt)["single"] == 1.0 and attempt.score == 1


def test_the_statistics_count_the_options_picked_in_the_papers_identifiers(client, exam, tree):
    bank = bank_data()
    picked = []
    for pick in ("Nhà văn hóa ấp", "Chợ xã", "Trụ sở UBND cấp xã"):
        attempt_id, bodies = start(client, exam, OfficialFactory(unit=tree["trang_dai"]))
        single = next(q for q in json.loads(bodies[1])["paper"] if q["kind"] == "single")
        put(client, attempt_id, single["slot"], {"choice": next(o["id"] for o in single["options"] if o["text"] == pick)})
        client.post(f"/api/attempts/{attempt_id}/submit")
        picked.append((next(i for i, c in enumerate(bank[single["text"]]["choices"]) if c["text"] == pick),))
    df, _questions, _pools = exam_responses(exam)
    rows = df[df["kind"] == "single"].sort_values("attempt_id")
    assert list(rows["chosen"]) == picked and list(rows["answered"]) == [True, True, True]
    assert list(rows["fraction"]) == [0.0, 0.0, 1.0]


# --- Papers started before identifiers existed -------------------------------------------------------------------

def test_a_sitting_started_before_papers_had_identifiers_keeps_its_numbers_and_grades_as_before(
        client, exam, trang_dai_official):
    attempt_id, _bodies = start(client, exam, trang_dai_official)
    AttemptQuestion.objects.filter(attempt_id=attempt_id).update(elements={})  # as the upgrade finds it
    paper = {q["kind"]: q for q in client.get(f"/api/attempts/{attempt_id}").json()["paper"]}
    slots = {s.version.question.kind: s for s in AttemptQuestion.objects.filter(attempt_id=attempt_id)
             .select_related("version__question")}
    single = slots["single"]
    assert [o["id"] for o in paper["single"]["options"]] == [0, 1, 2, 3, 4]
    assert [o["text"] for o in paper["single"]["options"]] == [
        single.version.data["choices"][j]["text"] for j in single.option_order]
    assert [o["id"] for o in paper["truefalse"]["options"]] == [0, 1]
    assert sorted(i["id"] for i in paper["ordering"]["items"]) == [0, 1, 2, 3, 4]

    # Answered in numbers, as the room did before: graded, reviewed and counted as before.
    right = next(p for p, j in enumerate(single.option_order) if single.version.data["choices"][j]["fraction"] == 1)
    put(client, attempt_id, single.slot, {"choice": right})
    put(client, attempt_id, slots["truefalse"].slot, {"choice": 0})
    put(client, attempt_id, slots["ordering"].slot, {"order": [0, 1, 2, 3, 4]})
    # Matches are numbered in sorted order: "Bảo hiểm y tế" 0, "Căn cước" 1, "Hộ tịch" 2, "Ngân sách" 3, "Tổ chức…" 4.
    put(client, attempt_id, slots["matching"].slot, {"pairs": {"0": 4, "1": 2}})  # two of five right
    attempt = attempt_submit(attempt=Attempt.objects.get(pk=attempt_id))
    assert fractions(attempt) | {"essay": None} == {
        "single": 1.0, "multiple": 0.0, "truefalse": 1.0, "short": 0.0, "numeric": 0.0, "matching": 0.4,
        "ordering": 1.0, "essay": None, "description": None}
    exam.show_answers_after_submit = True
    exam.save()
    review = {q["kind"]: q for q in attempt_review(Attempt.objects.select_related("exam").get(pk=attempt_id))
              ["questions"]}
    assert review["single"]["response"] == ["Trụ sở UBND cấp xã"]
    assert review["ordering"]["response"][0] == "1. Tiếp nhận"
    assert review["matching"]["response"] == ["Sở Nội vụ → Tổ chức bộ máy", "Sở Tư pháp → Hộ tịch"]
    df, _questions, _pools = exam_responses(exam)
    assert list(df[df["kind"] == "single"]["chosen"]) == [(0,)]
