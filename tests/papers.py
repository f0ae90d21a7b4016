"""Answering a frozen paper as the exam room does: in the paper's own identifiers, read from the paper the candidate
receives (`exams.selectors.candidate_paper`), never from the bank's numbering. Tests say "the option shown first"
(position 0) and these helpers turn that into what the browser would send, or a stored answer back into positions."""
from exams.selectors import candidate_paper


def paper(attempt) -> dict[int, dict]:
    """The candidate's paper, by slot."""
    return {q["slot"]: q for q in candidate_paper(attempt)}


def pick(attempt, slot: int, position: int) -> dict:
    """A single-choice or true/false answer: the option shown at `position` (0 = first)."""
    return {"choice": paper(attempt)[slot]["options"][position]["id"]}


def pick_bank_option(attempt, slot: int, choice_index: int) -> dict:
    """A single-choice answer: the bank's option `choice_index`, wherever this paper shows it."""
    return pick(attempt, slot, attempt.slots.get(slot=slot).option_order.index(choice_index))


def right_position(attempt, slot: int) -> int:
    """Where the right option of a single-choice question is shown, worked out on the server side."""
    s = attempt.slots.get(slot=slot)
    choices = s.version.data["choices"]
    return next(i for i, j in enumerate(s.option_order) if choices[j]["fraction"] == 1.0)


def pick_right(attempt, slot: int) -> dict:
    """The right answer to a single-choice question, as the candidate would give it."""
    return pick(attempt, slot, right_position(attempt, slot))


def pick_wrong(attempt, slot: int) -> dict:
    """A wrong answer to a single-choice question: the option shown after the right one."""
    q = paper(attempt)[slot]
    return pick(attempt, slot, (right_position(attempt, slot) + 1) % len(q["options"]))


def answer(attempt, slot: int, response: dict) -> dict:
    """A response written in positions on the paper ({"choice": 0}, {"choices": [0, 2]}, {"pairs": {"0": 1}},
    {"order": [2, 0, 1]}: the n-th option, item or match shown) in the paper's identifiers."""
    q = paper(attempt)[slot]

    def ids(key):
        return [e["id"] for e in q.get(key, [])]

    out = dict(response)
    if "choice" in response:
        out["choice"] = ids("options")[response["choice"]]
    if "choices" in response:
        out["choices"] = [ids("options")[i] for i in response["choices"]]
    if "pairs" in response:
        out["pairs"] = {str(ids("items")[int(i)]): ids("matches")[j] for i, j in response["pairs"].items()}
    if "order" in response:
        out["order"] = [ids("items")[i] for i in response["order"]]
    return out


def positions(attempt, slot: int, response: dict) -> dict:
    """A stored response with the paper's identifiers read back as positions on the paper (the inverse of
    `answer`): what a test means by "the candidate picked the first option shown"."""
    q = paper(attempt)[slot]

    def where(key):
        return {e["id"]: n for n, e in enumerate(q.get(key, []))}

    out = dict(response)
    if "choice" in response:
        out["choice"] = where("options").get(response["choice"])
    if "choices" in response:
        out["choices"] = [where("options").get(i) for i in response["choices"]]
    if "pairs" in response:
        items = {str(k): n for k, n in where("items").items()}
        out["pairs"] = {str(items.get(i)): where("matches").get(j) for i, j in response["pairs"].items()}
    if "order" in response:
        out["order"] = [where("items").get(i) for i in response["order"]]
    return out


def in_paper_ids(attempt, slot: int, response: dict) -> dict:
    """A response written in the internal numbering `scoring.grading.grade` reads (option positions, item and match
    indices, indices in the right order) in the paper's identifiers, worked out on the server side."""
    elements = attempt.slots.get(slot=slot).elements
    if not elements:
        return response  # a paper from before identifiers answers in that numbering itself

    def ids(key):
        return {n: i for i, n in elements.get(key, [])}

    out = dict(response)
    if "choice" in response:
        out["choice"] = ids("options")[response["choice"]]
    if "choices" in response:
        out["choices"] = [ids("options")[n] for n in response["choices"]]
    if "pairs" in response:
        out["pairs"] = {ids("items")[int(i)]: ids("matches")[j] for i, j in response["pairs"].items()}
    if "order" in response:
        out["order"] = [ids("items")[n] for n in response["order"]]
    return out


def saved_positions(attempt) -> dict[int, dict]:
    """Every stored answer of the sitting, by slot, read as positions on the paper."""
    from exams.models import Answer

    return {a.slot: positions(attempt, a.slot, a.response) for a in Answer.objects.filter(attempt=attempt)}


def sit_and_pass(exam, official, *, correct=True):
    """Sit the exam and answer every question right (or wrong), as the exam room would."""
    from exams.services import answer_save, attempt_start, attempt_submit

    attempt = attempt_start(exam=exam, official=official)
    for seq, slot in enumerate(range(1, attempt.slot_count + 1), start=1):
        answer_save(attempt=attempt, slot=slot, response=pick(attempt, slot, 0 if correct else 1), seq=seq)
    return attempt_submit(attempt=attempt)
