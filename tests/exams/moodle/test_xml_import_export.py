# Ported from Moodle's question/format/xml/tests/qformat_xml_import_export_test.php (GPL-3.0-or-later, (c) 2014 Nikita
# Nikitsky, Volgograd State Technical University / Moodle contributors as in the original header), with the
# fixtures of question/format/xml/tests/fixtures/ (see fixtures/README.md).
"""Whole Moodle XML files, as Moodle's import process reads them: categories (the path without Moodle's
``$course$/`` or ``$module$/`` context), embedded files, refusals. Moodle checks the categories it created in its
database; here each question's ``category`` is the path Moodle would have filed it under."""
import base64
import re

import pytest

from exams.formats import Choice, ParseError, Question, parse_moodle_xml, write_moodle_xml

from .support import (FORMAT_HTML, assert_choices, assert_same_question, assert_setting, by_name, fixture, line_of,
                      lines_of, parse_keeping_warnings, refusal, shown)


def read(name: str) -> list[Question]:
    return parse_moodle_xml(fixture(f"xml/{name}"))


def embedded(text: str) -> dict[str, bytes]:
    """The files a fixture embeds, name → bytes, as Moodle decodes them."""
    return {name: base64.b64decode(data)
            for name, data in re.findall(r'<file name="([^"]+)" encoding="base64">([^<]*)</file>', text)}


def skipped_or_refused(data: str) -> tuple[list[Question], list[int]]:
    """What an import of the file gives: the questions imported and the lines reported. A file whose only
    questions are skipped may be refused as having none; either way nothing is imported and every line is named."""
    try:
        questions, warnings = parse_keeping_warnings(parse_moodle_xml, data)
    except ParseError as refused:
        return [], [error.line for error in refused.errors]
    return questions, [warning.line for warning in warnings]


def assert_true_question(q: Question, name: str, category: str) -> None:
    """The true/false questions of the category fixtures."""
    assert (q.kind, q.name, q.category) == ("truefalse", name, category)
    assert (q.text, q.format) == (f"<p>Testing {name}</p>", FORMAT_HTML)
    assert q.truth is True
    assert q.choices == [Choice("true", 1.0, ""), Choice("false", 0.0, "")]


# --- test_importprocess (its data provider's cases) ------------------------------------------------------------

def test_importprocess_read_question_error():
    """A file without questions: Moodle says "There are no questions in the import file"."""
    data = fixture("xml/export_category.xml").split("<!-- question: 91  -->")[0] + "</quiz>\n"
    assert refusal(parse_moodle_xml, data)


def test_importprocess_import_with_one_invalid_question():
    """A question of a type Moodle's XML format does not know: Moodle reports "Question type unknownquestiontype
    is not supported" and, stopping on errors, imports nothing (without stopping, the rest). We refuse the file,
    naming the type and the line."""
    data = fixture("xml/category_with_description.xml").replace(
        "</quiz>", '  <question type="unknownquestiontype">\n    <name><text>Unknown</text></name>\n'
        '    <questiontext><text>?</text></questiontext>\n  </question>\n</quiz>')
    errors = refusal(parse_moodle_xml, data)
    assert [line for line, _message in errors] == [line_of(data, "unknownquestiontype")]
    assert "unknownquestiontype" in errors[0][1]


def test_import_invalid_grades():
    """Moodle refuses "Question with invalid grades : x > 1 & x < 2": 33% is not one of Moodle's grades
    (33.33333% is)."""
    data = fixture("xml/error_invalid_grades.xml")
    errors = refusal(parse_moodle_xml, data)
    assert [line for line, _message in errors] == [line_of(data, '<question type="multichoice">')]
    assert "33" in errors[0][1]


def test_import_invalid_fraction_sum():
    """Moodle's error_invalid_fraction_sum.xml, rebuilt from what its test asserts: two multiple-response questions
    whose right answers add up to 200% and 60%, and a single-choice one whose best answer is 50%. Each is named."""
    def question(name: str, single: bool, fractions: list[str]) -> str:
        answers = "".join(f'    <answer fraction="{fraction}"><text>{name} {i}</text></answer>\n'
                          for i, fraction in enumerate(fractions, 1))
        return (f'  <question type="multichoice">\n    <name><text>{name}</text></name>\n'
                f'    <questiontext format="html"><text>{name}?</text></questiontext>\n'
                f'    <single>{"true" if single else "false"}</single>\n{answers}  </question>')

    data = ('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
            + question("Two hundred", False, ["100", "100", "0"]) + "\n"
            + question("Sixty", False, ["30", "30", "0"]) + "\n"
            + question("Fifty", True, ["50", "0", "0"]) + "\n</quiz>\n")
    errors = refusal(parse_moodle_xml, data)
    assert [line for line, _message in errors] == lines_of(data, '<question type="multichoice">')
    # Moodle: "… add up to 200%", "… add up to 60%", and for the single choice that one answer must be 100%.
    for (_line, message), total in zip(errors, ("200", "60", "100")):
        assert total in message
        assert "%%" not in message


def test_importprocess_successful_import():
    """truefalse.xml (also behat "import some true/false questions"): two true/false questions whose text,
    feedback and answers show embedded images."""
    data = fixture("xml/truefalse.xml")
    questions = parse_moodle_xml(data)
    assert [(q.name, q.kind, q.truth) for q in questions] == [("Moodle acronym (False)", "truefalse", False),
                                                               ("Moodle acronym (True)", "truefalse", True)]
    files = embedded(data)
    for q, ending in zip(questions, ("Education", "Environment")):
        assert q.category == "Default for testhead/TrueFalse"
        assert q.format == FORMAT_HTML
        assert q.text == ('<p>Moodle <img src="@@PLUGINFILE@@/logo.jpg" alt="Moodle logo" width="48" height="48" />'
                          ' is an acronym for <span style="font-style: italic;">Modular Object-Oriented Dynamic '
                          f'Learning {ending}</span>.</p>')
        assert '<img src="@@PLUGINFILE@@/infos.jpg"' in q.general_feedback
        assert q.files == {name: files[name] for name in ("logo.jpg", "infos.jpg", "thumbdown.jpg", "thumbup.jpg")}
        assert_setting(q, "penalty", 1)
    wrong, right = questions
    assert '@@PLUGINFILE@@/thumbdown.jpg' in wrong.choices[0].feedback  # "true", the wrong answer
    assert "Your answer is incorrect." in wrong.choices[0].feedback
    assert '@@PLUGINFILE@@/thumbup.jpg' in wrong.choices[1].feedback
    assert '@@PLUGINFILE@@/thumbup.jpg' in right.choices[0].feedback
    assert "Your answer is correct." in right.choices[0].feedback


@pytest.mark.parametrize("name", ["truefalse.xml", "multichoice.xml"])
def test_import_fixture_and_export_again(name):
    """behat import_export.feature: the imported questions, exported again, are the same questions (with their
    category and their embedded files)."""
    questions = read(name)
    xml = write_moodle_xml(questions)
    for question in questions:
        assert question.name in xml
    round_trip(questions)


# --- Categories ----------------------------------------------------------------------------------------------------

def read_with_descriptions(name: str) -> tuple[list[Question], dict[str, str]]:
    """The questions, and each category's description (path → HTML) as the reader gives them back."""
    descriptions: dict[str, str] = {}
    return parse_moodle_xml(fixture(f"xml/{name}"), categories=descriptions), descriptions


def assert_descriptions(descriptions: dict[str, str], expected: dict[str, tuple[str, str]]) -> None:
    """Each category's description shows as Moodle's text in Moodle's format (FORMAT_PLAIN, FORMAT_MARKDOWN, …)."""
    assert sorted(descriptions) == sorted(expected)
    for path, (text, fmt) in expected.items():
        assert shown(descriptions[path], FORMAT_HTML) == shown(text, fmt), path


@pytest.mark.parametrize("name", ["category_with_description.xml", "deprecated_category.xml"],
                         ids=["test_import_category", "test_deprecated_category_import"])
def test_import_category(name):
    """Alpha, with its description, holds the question. (Moodle also gives Alpha the ID number alpha-idnumber:
    the README’s “refused or different by design” table.)"""
    [question], descriptions = read_with_descriptions(name)
    assert_true_question(question, "Alpha Question", "Alpha")
    assert_descriptions(descriptions, {"Alpha": ("This is Alpha category for test", "moodle")})


def test_import_nested_categories():
    [question], descriptions = read_with_descriptions("nested_categories.xml")
    assert_true_question(question, "Zeta Question", "Delta/Epsilon/Zeta")
    assert_descriptions(descriptions, {"Delta": ("This is Delta category for test", "plain"),
                                       "Delta/Epsilon": ("This is Epsilon category for test", "markdown"),
                                       "Delta/Epsilon/Zeta": ("This is Zeta category for test", "moodle")})


def test_import_nested_categories_with_questions():
    found, descriptions = read_with_descriptions("nested_categories_with_questions.xml")
    questions = by_name(found)
    assert list(questions) == ["Iota Question", "Kappa Essay Question", "Kappa Question", "Lambda Question",
                               "Mu Question"]
    assert_true_question(questions["Iota Question"], "Iota Question", "Iota")
    assert_true_question(questions["Kappa Question"], "Kappa Question", "Iota/Kappa")
    assert_true_question(questions["Lambda Question"], "Lambda Question", "Iota/Kappa/Lambda")
    assert_true_question(questions["Mu Question"], "Mu Question", "Iota/Mu")
    essay = questions["Kappa Essay Question"]
    assert (essay.kind, essay.category, essay.text) == ("essay", "Iota/Kappa", "Testing Kappa Essay Question")
    assert_setting(essay, "responsefieldlines", 10)
    assert_descriptions(descriptions, {"Iota": ("This is Iota category for test", "plain"),
                                       "Iota/Kappa": ("This is Kappa category for test", "markdown"),
                                       "Iota/Kappa/Lambda": ("This is Lambda category for test", "moodle"),
                                       "Iota/Mu": ("This is Mu category for test", "moodle")})


def test_import_old_format():
    """A file from before categories had a description."""
    (pi, rho), descriptions = read_with_descriptions("old_format_file.xml")
    assert_true_question(pi, "Pi Question", "Pi")
    assert_true_question(rho, "Rho Question", "Pi/Rho")
    assert descriptions == {}


def test_import_categories_in_reverse_order():
    (tau, sigma), descriptions = read_with_descriptions("categories_reverse_order.xml")
    assert (tau.name, tau.kind, tau.category, tau.text) == ("Tau Question", "essay", "Sigma/Tau",
                                                           "Testing Tau Question")
    assert (sigma.name, sigma.kind, sigma.category) == ("Sigma Question", "short", "Sigma")
    assert sigma.answers == ["yes", "no", "may be"]
    assert [c.fraction for c in sigma.choices] == [1.0, 0.0, 0.0]
    assert_descriptions(descriptions, {"Sigma/Tau": ("This is Tau category for test", "html"),
                                       "Sigma": ("This is Sigma category for test", "html")})


def test_export_category_with_special_chars():
    """html_chars_in_idnumbers.xml is what Moodle exports for ID numbers with < & >; it reads back as typed."""
    [question] = read("html_chars_in_idnumbers.xml")
    assert (question.name, question.category, question.idnumber) == ("Alpha Question", "Alpha", "T & F")
    xml = write_moodle_xml([question])
    assert parse_moodle_xml(xml)[0].idnumber == "T & F"


# --- Exports of categories, as round trips ---------------------------------------------------------------------

def true_question(name: str, category: str) -> Question:
    return Question(kind="truefalse", name=name, text=f"<p>Testing {name}</p>", format=FORMAT_HTML,
                    category=category, truth=True, choices=[Choice("true", 1.0), Choice("false", 0.0)])


def round_trip(questions: list[Question]) -> None:
    read_back = parse_moodle_xml(write_moodle_xml(questions))
    assert len(read_back) == len(questions)
    for got, written in zip(read_back, questions):
        assert_same_question(got, written)


def test_export_category():
    round_trip([true_question("Alpha Question", "Alpha")])


def test_export_nested_categories():
    round_trip([true_question("Zeta Question", "Delta/Epsilon/Zeta")])


def test_export_nested_categories_with_questions():
    essay = Question(kind="essay", name="Kappa Essay Question", text="Testing Kappa Essay Question",
                     format="plain", category="Iota/Kappa",
                     settings={"responseformat": "editor", "responserequired": 1, "responsefieldlines": 10,
                               "attachments": 0, "attachmentsrequired": 0})
    round_trip([true_question("Iota Question", "Iota"), essay, true_question("Kappa Question", "Iota/Kappa"),
                true_question("Lambda Question", "Iota/Kappa/Lambda"), true_question("Mu Question", "Iota/Mu")])


# --- Cloze ---------------------------------------------------------------------------------------------------------

def test_import_broken_multianswer_questions():
    """Moodle refuses each of these five broken cloze questions with its reason and imports none. We skip every
    cloze question (the README’s “refused or different by design” table); none is imported and each is named by its line."""
    data = fixture("xml/broken_cloze_questions.xml")
    questions, lines = skipped_or_refused(data)
    assert questions == []
    assert lines == lines_of(data, '<question type="cloze">')


def test_import_fixture_multianswer():
    """behat "import some multi-answer questions": Moodle imports the cloze question "cloze with images"; we skip
    it and name its line (the README’s “refused or different by design” table)."""
    data = fixture("xml/multianswer.xml")
    questions, lines = skipped_or_refused(data)
    assert questions == []
    assert lines == [line_of(data, '<question type="cloze">')]


# --- Other fixtures ----------------------------------------------------------------------------------------------

def test_import_fixture_multichoice():
    """behat "import some multiple choice questions": "Greeting", a sound in the question and a flag image in each
    option."""
    data = fixture("xml/multichoice.xml")
    [q] = parse_moodle_xml(data)
    assert (q.name, q.kind, q.category, q.format) == ("Greeting", "single", "Default for testhead/Multichoice",
                                                      FORMAT_HTML)
    assert q.text == ('<p><a href="@@PLUGINFILE@@/bonjour.mp3">Listen to this greeting:</a><br /><br />'
                      'What language is being spoken?</p>')
    assert q.files == embedded(data)
    assert set(q.files) == {"bonjour.mp3", "flag-uk.jpg", "flag-france.jpg", "flag-german.jpg", "flag-denmark.jpg"}
    assert q.files["bonjour.mp3"].startswith(b"ID3")

    def option(image: str, alt: str, word: str) -> str:
        return f'<p><img src="@@PLUGINFILE@@/{image}" alt="{alt}" width="30" height="20" /> {word}</p>'

    assert_choices(q, [
        (option("flag-uk.jpg", "British Flag", "English"), FORMAT_HTML, 0, "<p>Sorry, listen again.</p>", FORMAT_HTML),
        (option("flag-france.jpg", "French flag", "French"), FORMAT_HTML, 1, "<p>Yes, well done!</p>", FORMAT_HTML),
        (option("flag-german.jpg", "German flag", "German"), FORMAT_HTML, 0, "<p>Sorry, listen again.</p>",
         FORMAT_HTML),
        (option("flag-denmark.jpg", "Denmark flag", "Danish"), FORMAT_HTML, 0, "<p>Sorry, listen again.</p>",
         FORMAT_HTML)])
    assert_setting(q, "penalty", 0.1)
    assert_setting(q, "shuffle", True)
    assert_setting(q, "numbering", "abc")


def test_import_fixture_sample_questions_with_old_image_tag():
    """behat "import some questions with legacy-style images": Moodle 1.9's <image>/<image_base64>, which Moodle
    files with the question and shows after the text. Moodle imports both questions; the cloze one is skipped and
    named by its line (the README’s “refused or different by design” table), the multiple choice imports."""
    data = fixture("xml/sample_questions_with_old_image_tag.xml")
    questions, warnings = parse_keeping_warnings(parse_moodle_xml, data)
    assert [warning.line for warning in warnings] == [line_of(data, '<question type="cloze">')]
    [q] = questions
    assert (q.name, q.kind, q.category) == ("mcq with image", "single", "Default for Test images in backup")
    # Moodle appends ' <img src="@@PLUGINFILE@@/moodle.png" />': the image follows the text after a space.
    text = shown(q.text, q.format)
    assert text.startswith(shown('This is a multichoice question with an image in the old &quot;image&quot; field '
                                 'that was used in Moodle 1.9', FORMAT_HTML) + ' <img src="@@PLUGINFILE@@/moodle.png"')
    image = re.search(r"<image_base64>\s*(\S+)\s*</image_base64>", data).group(1)
    assert q.files == {"moodle.png": base64.b64decode(image)}
    assert q.files["moodle.png"].startswith(b"\x89PNG")
    assert q.choices == [Choice("wrong answer", 0.0), Choice("another wrong answer", 0.0),
                         Choice("right answer", 1.0)]
    assert_setting(q, "penalty", 0.1)
    assert_setting(q, "shuffle", True)
