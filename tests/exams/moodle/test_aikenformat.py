# Ported from Moodle's question/format/aiken/tests/aikenformat_test.php and qformat_aiken_export_test.php
# (GPL-3.0-or-later, (c) 2018 Eric Merrill and 2018 Jean-Michel Vedrine / Moodle contributors as in the original
# headers), and from the scenario of question/format/aiken/tests/behat/aiken_import.feature.
"""Moodle's Aiken tests. Aiken text is plain text: Moodle escapes it into HTML (``&lt;``), we keep it as typed
and show it escaped, so the comparison is on what the candidate sees."""
import html

from exams.formats import Choice, Question, parse_aiken, write_aiken

from .support import FORMAT_HTML, assert_choices, assert_shown, by_name, fixture, refusal, shown


def test_readquestions():
    """Moodle imports the three good questions of aiken_errors.txt and reports the broken ones by line. We refuse
    the whole file by design (the README’s “refused or different by design” table: a bank file imports all or nothing), naming each broken question at a
    line of its own: too few answers (lines 1-3; Moodle says 3), options without a question (5), an ANSWER line
    without a question (7), a question never finished (14-18; Moodle says 18, where the next one starts)."""
    errors = refusal(parse_aiken, fixture("aiken/aiken_errors.txt"))
    spans = [range(1, 4), range(5, 6), range(7, 8), range(14, 19)]
    assert len(errors) == len(spans), errors
    for (line, _message), span in zip(errors, spans):
        assert line in span, errors


GOOD_QUESTIONS = """A good question
A) Correct
B) Incorrect
ANSWER: A

A second good question
A)Incorrect (No space)
B)Correct (No space)
ANSWER: B

A third good question with HTML chars such as > < &
A) Correct (< > &)
B) Incorrect (< > &)
ANSWER: A
"""


def test_readquestions_good_questions():
    """The three questions Moodle imports from aiken_errors.txt (the third one as Moodle's current fixture has
    it), as Moodle reads them: "A)Text" without a space is an option, and < > & are text, not markup."""
    questions = by_name(parse_aiken(GOOD_QUESTIONS))
    assert len(questions) == 3
    q1, q2 = questions["A good question"], questions["A second good question"]
    assert q1.choices == [Choice("Correct", 1.0), Choice("Incorrect", 0.0)]
    assert q2.choices == [Choice("Incorrect (No space)", 0.0), Choice("Correct (No space)", 1.0)]
    q3 = questions["A third good question with HTML chars such as > < &"]
    assert_choices(q3, [("Correct (&lt; &gt; &amp;)", FORMAT_HTML, 1, "", FORMAT_HTML),
                        ("Incorrect (&lt; &gt; &amp;)", FORMAT_HTML, 0, "", FORMAT_HTML)])
    assert_shown(q3, q3.text, "A third good question with HTML chars such as &gt; &lt; &amp;", FORMAT_HTML)


def test_import_fixture_questions_aiken():
    """behat "import some Aiken questions": 2 questions; the text of the second shows `<html class="cool">`."""
    questions = parse_aiken(fixture("aiken/questions.aiken.txt"))
    assert len(questions) == 2
    started, abilities = questions
    assert started.kind == abilities.kind == "single"
    assert started.text == "The Moodle project was started by:"
    assert started.choices == [Choice("Petr Skoda", 0.0), Choice("Martin Dougiamas", 1.0),
                               Choice("Eloy Lafuente", 0.0), Choice("Tim Hunt", 0.0)]
    typed = "Moodle's abilities include handling user input that includes <html class=\"cool\"> & images:"
    assert shown(abilities.text, abilities.format) == html.escape(typed, quote=False)
    assert abilities.choices == [Choice("True", 1.0), Choice("False", 0.0)]


# --- Export (qformat_aiken_export_test.php) ------------------------------------------------------------------------

def oddest(**fields) -> Question:
    """Moodle's test question "one_of_four"."""
    fields.setdefault("text", "Which is the oddest number?")
    return Question(kind="single", name="Which is the oddest number?",
                    choices=[Choice("One", 1.0), Choice("Two", 0.0), Choice("Three", 0.0), Choice("Four", 0.0)],
                    **fields)


def test_export_questions():
    """Moodle's Aiken export writes the single-choice question in Aiken and leaves out the short-answer, essay,
    numerical and multiple-response ones; our writer refuses a bank with those by design (the README’s “refused or different by design” table), so the
    single-choice question is written alone and reads back."""
    aiken = write_aiken([oddest()])
    assert aiken.replace("A.", "A)").replace("B.", "B)").replace("C.", "C)").replace("D.", "D)") == (
        "Which is the oddest number?\nA) One\nB) Two\nC) Three\nD) Four\nANSWER: A\n")
    read = parse_aiken(aiken)
    assert len(read) == 1
    assert read[0].text == "Which is the oddest number?"
    assert read[0].choices == oddest().choices


def test_export_questions_refuses_what_aiken_cannot_hold():
    for kind in ("short", "essay", "numeric", "multiple"):
        question = Question(kind=kind, name=kind, text="Question?",
                            choices=[Choice("One", 0.5), Choice("Three", 0.5)] if kind == "multiple" else [])
        try:
            write_aiken([oddest(), question])
        except ValueError as refused:
            assert kind in str(refused)
        else:
            raise AssertionError(f"a {kind} question was written to Aiken")


def test_export_multiline_question():
    """Moodle writes "<p>Which is the</p>\\n<p>oddest number?</p>" as one line, "Which is the oddest number?"; the
    words come back in order (we may keep the paragraph break as a line break)."""
    aiken = write_aiken([oddest(text="<p>Which is the</p>\n<p>oddest number?</p>", format=FORMAT_HTML)])
    assert "<p>" not in aiken
    read = parse_aiken(aiken)[0]
    assert " ".join(read.text.split()) == "Which is the oddest number?"
    assert read.choices == oddest().choices

