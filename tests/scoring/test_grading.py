"""Grading rules, without a database: each question type, partial credit, penalties, malformed input."""
import pytest

from scoring.grading import grade

SINGLE = {"choices": [{"text": "A", "fraction": 1.0}, {"text": "B", "fraction": 0.0}, {"text": "C", "fraction": 0.5}]}
MULTI = {"choices": [{"text": "A", "fraction": 0.5}, {"text": "B", "fraction": 0.5}, {"text": "C", "fraction": -1.0}]}


@pytest.mark.parametrize("response, order, expected", [
    ({"choice": 0}, [0, 1, 2], 1.0),
    ({"choice": 0}, [2, 0, 1], 0.5),  # the paper showed C first
    ({"choice": 1}, [2, 0, 1], 1.0),
    (None, None, 0.0),
    ({"choice": 9}, None, 0.0),
])
def test_single_choice_follows_the_papers_option_order(response, order, expected):
    assert grade("single", SINGLE, response, option_order=order) == expected


@pytest.mark.parametrize("picked, expected", [([0, 1], 1.0), ([0], 0.5), ([0, 1, 2], 0.0), ([2], 0.0)])
def test_multiple_response_gives_partial_credit_and_penalties_never_go_below_zero(picked, expected):
    assert grade("multiple", MULTI, {"choices": picked}) == expected


def test_short_answers_ignore_case_and_diacritics():
    data = {"choices": [{"text": "Chủ tịch UBND cấp xã", "fraction": 1.0}, {"text": "UBND xã", "fraction": 0.5}]}
    assert grade("short", data, {"text": "chu tich ubnd cap xa"}) == 1.0
    assert grade("short", data, {"text": "ubnd xa"}) == 0.5
    assert grade("short", data, {"text": "Sở Nội vụ"}) == 0.0


def test_numeric_accepts_a_decimal_comma_within_tolerance():
    data = {"numeric": [{"value": 20.0, "tolerance": 5.0, "fraction": 1.0}, {"value": 30.0, "tolerance": 0.0,
                                                                                "fraction": 0.5}]}
    assert grade("numeric", data, {"value": "24,5"}) == 1.0
    assert grade("numeric", data, {"value": "30"}) == 0.5
    assert grade("numeric", data, {"value": "abc"}) == 0.0


def test_matching_scores_each_pair_and_ordering_is_all_or_nothing():
    data = {"pairs": [["NĐ 61", "một cửa"], ["NĐ 130", "chữ ký số"], ["", "văn thư"]]}
    # options offered, sorted: ["chữ ký số", "một cửa", "văn thư"]
    assert grade("matching", data, {"pairs": {"0": 1, "1": 0}}) == 1.0
    assert grade("matching", data, {"pairs": {"0": 1, "1": 2}}) == 0.5
    order = {"order": ["tiếp nhận", "giải quyết", "trả kết quả"]}
    assert grade("ordering", order, {"order": [0, 1, 2]}) == 1.0
    assert grade("ordering", order, {"order": [1, 0, 2]}) == 0.0


def test_essays_wait_for_a_person():
    assert grade("essay", {}, {"text": "Bài làm"}) is None


def test_all_or_nothing_gives_multiple_response_and_matching_no_partial_credit():
    assert grade("multiple", MULTI, {"choices": [0]}, all_or_nothing=True) == 0.0
    assert grade("multiple", MULTI, {"choices": [0, 1]}, all_or_nothing=True) == 1.0
    data = {"pairs": [["NĐ 61", "một cửa"], ["NĐ 130", "chữ ký số"]]}
    assert grade("matching", data, {"pairs": {"0": 1, "1": 1}}, all_or_nothing=True) == 0.0
    assert grade("matching", data, {"pairs": {"0": 1, "1": 0}}, all_or_nothing=True) == 1.0


def test_negative_marking_costs_a_wrong_answer_but_never_an_empty_one():
    assert grade("single", SINGLE, {"choice": 1}, penalty=0.25) == -0.25
    assert grade("single", SINGLE, {"choice": 0}, penalty=0.25) == 1.0
    assert grade("single", SINGLE, {"choice": None}, penalty=0.25) == 0.0
    assert grade("single", SINGLE, None, penalty=0.25) == 0.0
    # The bank's own negative weight counts when negative marking is on, and is floored at 0 when it is off.
    assert grade("multiple", MULTI, {"choices": [2]}, penalty=0.25) == -1.0
    assert grade("multiple", MULTI, {"choices": [2]}) == 0.0


def test_an_empty_essay_scores_zero_without_a_grader_and_a_written_one_waits():
    assert grade("essay", {}, {"text": "  "}) == 0.0
    assert grade("essay", {}, {"text": "Bộ phận Một cửa tiếp nhận hồ sơ…"}) is None


def test_scales_and_grading_methods():
    from scoring.grading import combine_attempts, on_ten, percent

    assert percent(29, 40) == 72.5 and on_ten(72.5) == 7.25 and percent(-3, 40) == 0.0
    assert percent(1, 0) is None
    marks = [60.0, 80.0, 70.0]
    assert combine_attempts("highest", marks) == 80.0
    assert combine_attempts("last", marks) == 70.0
    assert combine_attempts("first", marks) == 60.0
    assert combine_attempts("average", marks) == 70.0
    assert combine_attempts("highest", []) is None


def test_a_star_in_a_short_answer_key_is_moodle_s_wildcard():
    data = {"choices": [{"text": "Chủ tịch * xã", "fraction": 1.0}, {"text": "*Nội vụ", "fraction": 0.5},
                        {"text": "5 \\* 3", "fraction": 1.0}]}
    assert grade("short", data, {"text": "Chủ tịch UBND xã"}) == 1.0
    assert grade("short", data, {"text": "chu tich uy ban nhan dan xa"}) == 1.0
    assert grade("short", data, {"text": "Chủ tịchxã"}) == 0.0  # the spaces around the star are the key's
    assert grade("short", data, {"text": "Sở Nội vụ"}) == 0.5
    assert grade("short", data, {"text": "Nội vụ tỉnh"}) == 0.0  # the key ends there
    assert grade("short", data, {"text": "5 * 3"}) == 1.0 and grade("short", data, {"text": "5 x 3"}) == 0.0
