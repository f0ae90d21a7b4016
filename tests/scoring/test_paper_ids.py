"""A paper's own identifiers (scoring.grading.paper_layout) and reading answers given in them (from_paper): pure
functions, no database."""
import pytest

from scoring.grading import from_paper, grade, paper_layout

SINGLE = {"choices": [{"text": "A", "fraction": 1.0}, {"text": "B", "fraction": 0.0}, {"text": "C", "fraction": 0.5}]}
MATCHING = {"pairs": [["NĐ 61", "một cửa"], ["NĐ 130", "chữ ký số"], ["", "văn thư"]]}
ORDERING = {"order": ["tiếp nhận", "giải quyết", "trả kết quả"]}


def ids(elements: dict) -> list[str]:
    return [i for shown in elements.values() for i, _n in shown]


@pytest.mark.parametrize("kind, data, lists", [
    ("single", SINGLE, {"options": 3}), ("multiple", SINGLE, {"options": 3}), ("truefalse", {}, {"options": 2}),
    ("matching", MATCHING, {"items": 2, "matches": 3}), ("ordering", ORDERING, {"items": 3}),
    ("short", SINGLE, {}), ("numeric", {}, {}), ("essay", {}, {}), ("description", {}, {}),
])
def test_every_element_gets_a_random_identifier_of_its_own(kind, data, lists):
    layouts = [paper_layout(kind, data, shuffle=True) for _ in range(50)]
    for order, elements in layouts:
        assert {k: len(v) for k, v in elements.items()} == lists
        assert all(isinstance(i, str) and i.isalpha() for i in ids(elements))
        assert len(set(ids(elements))) == len(ids(elements))  # unique within the question
        for key, count in lists.items():
            assert sorted(n for _i, n in elements[key]) == list(range(count))
        if kind in ("single", "multiple"):
            assert sorted(order) == [0, 1, 2] and [n for _i, n in elements["options"]] == [0, 1, 2]
        else:
            assert order == []
    if lists:  # a new draw for every paper
        assert len({tuple(ids(e)) for _o, e in layouts}) == 50


def test_shuffling_follows_the_exam_except_for_ordering_which_is_never_shown_in_the_right_order():
    assert paper_layout("single", SINGLE, shuffle=False)[0] == [0, 1, 2]
    assert [n for _i, n in paper_layout("matching", MATCHING, shuffle=False)[1]["matches"]] == [0, 1, 2]
    shown = {tuple(n for _i, n in paper_layout("ordering", ORDERING, shuffle=False)[1]["items"]) for _ in range(200)}
    assert (0, 1, 2) not in shown and len(shown) == 5  # every other order turns up
    # Two items always swapped would tell the answer: either order turns up.
    assert {tuple(n for _i, n in paper_layout("ordering", {"order": ["a", "b"]}, shuffle=True)[1]["items"])
            for _ in range(100)} == {(0, 1), (1, 0)}
    assert {tuple(paper_layout("single", SINGLE, shuffle=True)[0]) for _ in range(200)} == {
        (0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)}


def test_answers_in_the_papers_identifiers_are_read_in_the_internal_numbering():
    elements = {"options": [["kqmtwa", 0], ["hzrbde", 1], ["pvxcsu", 2]]}
    assert from_paper("single", {"choice": "hzrbde"}, elements) == {"choice": 1}
    assert from_paper("multiple", {"choices": ["pvxcsu", "kqmtwa", "pvxcsu"]}, elements) == {"choices": [2, 0]}
    matching = {"items": [["bbbbbb", 1], ["aaaaaa", 0]], "matches": [["cccccc", 2], ["dddddd", 0], ["eeeeee", 1]]}
    assert from_paper("matching", {"pairs": {"aaaaaa": "dddddd", "bbbbbb": "eeeeee"}}, matching) == {
        "pairs": {"0": 0, "1": 1}}
    ordering = {"items": [["ffffff", 2], ["gggggg", 0], ["hhhhhh", 1]]}
    assert from_paper("ordering", {"order": ["gggggg", "hhhhhh", "ffffff"]}, ordering) == {"order": [0, 1, 2]}
    assert grade("ordering", ORDERING, from_paper("ordering", {"order": ["gggggg", "hhhhhh", "ffffff"]}, ordering)) == 1
    # Nothing to translate: texts, numbers, essays.
    assert from_paper("short", {"text": "A"}, {}) == {"text": "A"}
    assert from_paper("numeric", {"value": "3,5"}, {}) == {"value": "3,5"}


@pytest.mark.parametrize("kind, response", [
    ("single", {"choice": 0}), ("single", {"choice": "0"}), ("single", {"choice": ["kqmtwa"]}),
    ("single", {"choice": {"id": "kqmtwa"}}), ("single", {"choice": "KQMTWA"}), ("single", {}),
    ("multiple", {"choices": [0, 1]}), ("multiple", {"choices": "kqmtwa"}), ("multiple", {"choices": [["kqmtwa"]]}),
    ("matching", {"pairs": {"0": 0, "1": 1}}), ("matching", {"pairs": [["aaaaaa", "dddddd"]]}),
    ("matching", {"pairs": {"aaaaaa": ["dddddd"]}}), ("ordering", {"order": [0, 1, 2]}),
    ("ordering", {"order": ["gggggg", "hhhhhh", "ffffff", "zzzzzz"]}), ("ordering", {"order": "gggggg"}),
    ("ordering", {"order": [["gggggg"], "hhhhhh", "ffffff"]}),
])
def test_unknown_identifiers_and_malformed_answers_earn_nothing_and_never_raise(kind, response):
    elements = {"options": [["kqmtwa", 0], ["hzrbde", 1], ["pvxcsu", 2]],
                "items": [["ffffff", 2], ["gggggg", 0], ["hhhhhh", 1]] if kind == "ordering" else [["aaaaaa", 0],
                                                                                                  ["bbbbbb", 1]],
                "matches": [["dddddd", 0], ["eeeeee", 1], ["cccccc", 2]]}
    data = {"single": SINGLE, "multiple": SINGLE, "matching": MATCHING, "ordering": ORDERING}[kind]
    assert grade(kind, data, from_paper(kind, response, elements)) == 0.0
    assert grade(kind, data, from_paper(kind, response, elements), penalty=0.5) == 0.0  # not an answer: costs nothing


def test_a_paper_without_identifiers_is_read_as_it_always_was():
    for kind, response in (("single", {"choice": 2}), ("ordering", {"order": [0, 1, 2]}),
                           ("matching", {"pairs": {"0": 1}}), ("multiple", {"choices": [0]})):
        assert from_paper(kind, response, {}) == response
        assert from_paper(kind, response, None) == response
    assert from_paper("single", None, {"options": [["kqmtwa", 0]]}) is None


def test_a_negative_number_is_not_another_name_for_the_last_option_or_item():
    assert grade("single", SINGLE, {"choice": -1}) == 0.0  # not C's half mark
    assert grade("ordering", ORDERING, {"order": [-3, -2, -1]}) == 0.0
    assert grade("matching", MATCHING, {"pairs": {"0": -1, "1": -3}}) == 0.0
