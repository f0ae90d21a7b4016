# Ported from Moodle's question/format/gift/tests/giftformat_test.php (GPL-3.0-or-later, (c) 2010 The Open University
# / Moodle contributors as in the original header), and from the scenarios of
# question/format/gift/tests/behat/import.feature that use the fixtures in fixtures/gift/.
"""Moodle's GIFT tests: each case imports as Moodle reads it. Moodle's expected fields are converted to the
neutral question (fractions 0..1, formats by name, true/false feedback on the answer it is shown for); cases we
handle differently by design are listed in the README’s “refused or different by design” table with the reason.

The export cases are ported as round trips: the question Moodle exports, written by our writer, reads back as the
same question."""
import pytest

from exams.formats import Choice, NumericAnswer, Question, parse_gift, write_gift

from .support import (FORMAT_HTML, FORMAT_MARKDOWN, FORMAT_MOODLE, FORMAT_PLAIN, assert_choices,
                      assert_same_question, assert_setting, assert_shown, by_name, combined, fixture)


def read_one(gift: str) -> Question:
    questions = parse_gift(gift)
    assert len(questions) == 1, questions
    return questions[0]


def assert_essay_defaults(q: Question) -> None:
    """What Moodle's GIFT reader gives every essay: an editor of 15 lines, no attachments, no rubric notes."""
    assert q.kind == "essay"
    assert q.default_mark == 1
    assert_setting(q, "responseformat", "editor")
    assert_setting(q, "responsefieldlines", 15)
    assert_setting(q, "attachments", 0)
    assert q.grader_info == ""


# --- Import --------------------------------------------------------------------------------------------------------

def test_import_essay():
    q = read_one("\n// essay\n::Q8:: How are you? {}")
    assert (q.name, q.text, q.format) == ("Q8", "How are you?", FORMAT_MOODLE)
    assert q.general_feedback == ""
    assert_essay_defaults(q)


def test_import_match():
    q = read_one("""
// question: 2  name: Moodle activities
::Moodle activities::[html]Match the <b>activity</b> to the description.{
    =[html]An activity supporting asynchronous discussions. -> Forum
    =[moodle]A teacher asks a question and specifies a choice of multiple responses. -> Choice
    =[plain]A bank of record entries which participants can add to. -> Database
    =[markdown]A collection of web pages that anyone can add to or edit. -> Wiki
    = -> Chat
}""")
    assert (q.kind, q.name) == ("matching", "Moodle activities")
    assert_shown(q, q.text, "Match the <b>activity</b> to the description.", FORMAT_HTML)
    assert q.general_feedback == ""
    assert q.default_mark == 1
    assert_setting(q, "shuffle", True)
    assert combined(q) == {}
    expected = [("An activity supporting asynchronous discussions.", FORMAT_HTML, "Forum"),
                ("A teacher asks a question and specifies a choice of multiple responses.", FORMAT_MOODLE, "Choice"),
                ("A bank of record entries which participants can add to.", FORMAT_PLAIN, "Database"),
                ("A collection of web pages that anyone can add to or edit.", FORMAT_MARKDOWN, "Wiki"),
                ("", FORMAT_HTML, "Chat")]
    assert [answer for _item, answer in q.pairs] == [answer for _text, _fmt, answer in expected]
    for (item, _answer), (text, fmt, _) in zip(q.pairs, expected):
        assert_shown(q, item, text, fmt)


def test_import_multichoice():
    """Moodle runs this once per site-wide default numbering style (abc, ABCD, 123, iii, IIII, none); there is no
    such site setting here (the README’s “refused or different by design” table), so the question carries no numbering or Moodle's default, abc."""
    q = read_one("""
// multiple choice with specified feedback for right and wrong answers
::Q2:: What's between orange and green in the spectrum?
{
    =yellow # right; good!
    ~red # [html]wrong, it's yellow
    ~[plain]blue # wrong, it's yellow
}""")
    assert (q.kind, q.name) == ("single", "Q2")
    assert_shown(q, q.text, "What's between orange and green in the spectrum?", FORMAT_MOODLE)
    assert q.general_feedback == ""
    assert q.default_mark == 1
    assert_setting(q, "shuffle", True)
    assert_setting(q, "numbering", "abc")
    assert combined(q) == {}
    assert_choices(q, [("yellow", FORMAT_MOODLE, 1, "right; good!", FORMAT_MOODLE),
                       ("red", FORMAT_MOODLE, 0, "wrong, it's yellow", FORMAT_HTML),
                       ("blue", FORMAT_PLAIN, 0, "wrong, it's yellow", FORMAT_MOODLE)])


def test_import_multichoice_multi():
    q = read_one("""
// multiple choice, multiple response with specified feedback for right and wrong answers
::colours:: What's between orange and green in the spectrum?
{
    ~%50%yellow # right; good!
    ~%-100%red # [html]wrong
    ~%50%off-beige # right; good!
    ~%-100%[plain]blue # wrong
}""")
    assert (q.kind, q.name) == ("multiple", "colours")
    assert_shown(q, q.text, "What's between orange and green in the spectrum?", FORMAT_MOODLE)
    assert_setting(q, "shuffle", True)
    assert_setting(q, "numbering", "abc")
    assert combined(q) == {}
    assert_choices(q, [("yellow", FORMAT_MOODLE, 0.5, "right; good!", FORMAT_MOODLE),
                       ("red", FORMAT_MOODLE, -1, "wrong", FORMAT_HTML),
                       ("off-beige", FORMAT_MOODLE, 0.5, "right; good!", FORMAT_MOODLE),
                       ("blue", FORMAT_PLAIN, -1, "wrong", FORMAT_MOODLE)])


def test_import_multichoice_multi_tricky():
    q = read_one("""
// multiple choice, multiple response with specified feedback for right and wrong answers
::colours:: What's between orange and green in the spectrum?
{
    ~%100%yellow # right; good!
    ~%-50%red # wrong
    ~%-50%blue # wrong
}""")
    assert (q.kind, q.name, q.format) == ("multiple", "colours", FORMAT_MOODLE)
    assert q.text == "What's between orange and green in the spectrum?"
    assert q.choices == [Choice("yellow", 1.0, "right; good!"), Choice("red", -0.5, "wrong"),
                         Choice("blue", -0.5, "wrong")]


def test_import_numerical():
    q = read_one("\n// math range question\n::Q5:: What is a number from 1 to 5? {#3:2~#Completely wrong}")
    assert (q.kind, q.name, q.format) == ("numeric", "Q5", FORMAT_MOODLE)
    assert q.text == "What is a number from 1 to 5?"
    assert q.general_feedback == ""
    assert len(q.numeric) == 2, q.numeric
    assert q.numeric[0] == NumericAnswer(3.0, 2.0, 1.0, "")
    # "~#Completely wrong": Moodle's "*", any other answer, worth nothing.
    other = q.numeric[1]
    assert (other.value, other.fraction, other.feedback) == (None, 0.0, "Completely wrong")


SHORTANSWER = """
// question: 666  name: Shortanswer
::Shortanswer::Which is the best animal?{
    =Frog#Good!
    =%50%Cat#What is it with Moodlers and cats?
    =%0%*#Completely wrong
"""


def test_import_shortanswer():
    q = read_one(SHORTANSWER + "}")
    assert (q.kind, q.name, q.format) == ("short", "Shortanswer", FORMAT_MOODLE)
    assert q.text == "Which is the best animal?"
    assert q.general_feedback == ""
    assert q.answers == ["Frog", "Cat", "*"]
    assert q.choices == [Choice("Frog", 1.0, "Good!"), Choice("Cat", 0.5, "What is it with Moodlers and cats?"),
                         Choice("*", 0.0, "Completely wrong")]
    assert_setting(q, "usecase", False)


def test_import_shortanswer_with_general_feedback():
    q = read_one(SHORTANSWER + "    ####[html]Here is some general feedback!\n}")
    assert (q.kind, q.name) == ("short", "Shortanswer")
    assert_shown(q, q.text, "Which is the best animal?", FORMAT_MOODLE)
    assert_shown(q, q.general_feedback, "Here is some general feedback!", FORMAT_HTML)
    assert q.answers == ["Frog", "Cat", "*"]
    assert_choices(q, [("Frog", FORMAT_PLAIN, 1, "Good!", FORMAT_MOODLE),
                       ("Cat", FORMAT_PLAIN, 0.5, "What is it with Moodlers and cats?", FORMAT_MOODLE),
                       ("*", FORMAT_PLAIN, 0, "Completely wrong", FORMAT_MOODLE)])


def test_import_truefalse():
    q = read_one("\n// true/false\n::Q1:: 42 is the Absolute Answer to everything.{\n"
                 "FALSE#42 is the Ultimate Answer.#You gave the right answer.}")
    assert (q.kind, q.name, q.format) == ("truefalse", "Q1", FORMAT_MOODLE)
    assert q.text == "42 is the Absolute Answer to everything."
    assert q.general_feedback == ""
    assert q.truth is False
    # Moodle: feedbacktrue "42 is the Ultimate Answer.", feedbackfalse "You gave the right answer."
    assert q.choices == [Choice("true", 0.0, "42 is the Ultimate Answer."),
                         Choice("false", 1.0, "You gave the right answer.")]


@pytest.mark.parametrize("mark", ["T", "TRUE"], ids=["test_import_truefalse_true_answer1",
                                                      "test_import_truefalse_true_answer2"])
def test_import_truefalse_true_answer(mark):
    q = read_one(f"// name 0-11\n::2-08 TSL::TSL is blablabla.{{{mark}}}")
    assert (q.kind, q.name, q.format, q.text) == ("truefalse", "2-08 TSL", FORMAT_MOODLE, "TSL is blablabla.")
    assert q.truth is True
    assert q.choices == [Choice("true", 1.0, ""), Choice("false", 0.0, "")]


def test_import_backslash():
    """MDL-34171: \\\\ in GIFT is one backslash, never lost."""
    q = read_one("\n// essay\n::double backslash:: A \\\\ B \\\\\\\\ C{}")
    assert (q.name, q.text, q.format) == ("double backslash", "A \\ B \\\\ C", FORMAT_MOODLE)
    assert_essay_defaults(q)


def test_import_pre_content():
    q = read_one("""
::Q001::[html]<p>What would running the test method print?</p>
<pre>
    public void test() \\{
        method1();
        method2();
        method3();
    \\}
</pre>
{}""")
    assert (q.name, q.format) == ("Q001", FORMAT_HTML)
    assert q.text == ("<p>What would running the test method print?</p>\n<pre>\n    public void test() {\n"
                      "        method1();\n        method2();\n        method3();\n    }\n</pre>")
    assert q.general_feedback == ""
    assert_essay_defaults(q)


def test_import_question_with_tags():
    q = read_one("""
// This question is to test importing tags: [tag:tag] [tag:other-tag].
// And an idnumber: [id:myid].
::Question name:: How are you? {}""")
    assert (q.name, q.text, q.format) == ("Question name", "How are you?", FORMAT_MOODLE)
    assert_essay_defaults(q)
    assert q.tags == ["tag", "other-tag"]
    assert q.idnumber == "myid"


# Moodle tests its comment reader directly; here each comment stands above a question, as in a file. In "split
# over line" Moodle's second line is "\ frog]." (not a comment in a file), so both lines are comments here.
COMMENT_CASES = {
    "blank comment": ("", [], ""),
    "nothing in comment": ("", [], "// A basic comment."),
    "idnumber only": ("frog", [], "// A comment with [id:frog] <-- an idnumber."),
    "tags only": ("", ["frog", "toad"], "// Look tags: [tag:frog] [tag:toad]."),
    "everything": ("four", ["add", "basic"], "// [tag:add] [tag:basic] [id:four]"),
    "everything mixed up": ("four", ["basic", "add"],
                            "// [tag:  basic] Here is  \n// a [id:   four   ] que[tag:add   ]stion."),
    "split over line": ("", [], "// Ceci n\\'est pas une [tag:\n// \\ frog]."),
    "escape ] idnumber": ("i]d", [], "// [id:i\\]d]."),
    "escape ] tag": ("", ["t]ag"], "// [tag:t\\]ag]."),
}


@pytest.mark.parametrize("idnumber, tags, comment", COMMENT_CASES.values(), ids=COMMENT_CASES.keys())
def test_extract_idnumber_and_tags_from_comment(idnumber, tags, comment):
    q = read_one(f"{comment}\n::Question name:: How are you? {{}}")
    assert q.idnumber == idnumber
    assert q.tags == tags


# --- Moodle's fixtures (behat: "import some GIFT questions") -------------------------------------------------------

def test_import_fixture_questions_gift():
    """Moodle imports the 9 questions of questions.gift.txt. The stray `";` after two answer blocks is text after
    the block, so Moodle shows a blank (_____) there, as in a fill-in question."""
    questions = parse_gift(fixture("gift/questions.gift.txt"))
    assert [(q.name, q.kind) for q in questions] == [
        ("Q8", "essay"), ("Moodle activities", "matching"), ("Q2", "single"), ("colours", "multiple"),
        ("Q5", "numeric"), ("Shortanswer", "short"), ("Q1", "truefalse"), ("2-08 TSL", "truefalse"),
        ("2-08 TSL", "truefalse")]
    q5, q1 = questions[4], questions[6]
    assert q5.text == 'What is a number from 1 to 5? _____";'
    assert q5.numeric[0] == NumericAnswer(3.0, 2.0, 1.0, "")
    assert (q5.numeric[1].value, q5.numeric[1].fraction, q5.numeric[1].feedback) == (None, 0.0, "Completely wrong")
    assert q1.text == '42 is the Absolute Answer to everything._____";'
    assert q1.truth is False
    assert q1.general_feedback == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    assert q1.choices == [Choice("true", 0.0, "42 is the Ultimate Answer."),
                          Choice("false", 1.0, "You gave the right answer.")]
    assert [q.category for q in questions] == [""] * 9


def test_import_fixture_questions_gift_and_export_again():
    """The behat scenario then exports the 9 questions again; our export reads back as the same 9 questions."""
    questions = parse_gift(fixture("gift/questions.gift.txt"))
    again = parse_gift(write_gift(questions))
    assert len(again) == len(questions)
    for read, written in zip(again, questions):
        assert_same_question(read, written)


def test_import_fixture_questions_in_category_gift():
    questions = parse_gift(fixture("gift/questions_in_category.gift.txt"))
    assert [(q.name, q.kind) for q in questions] == [
        ("Moodle activities", "matching"), ("Greeting", "single"), ("Moodle user", "short"),
        ("Moodle acronym", "truefalse")]
    assert {q.category for q in questions} == {"Default for New Features"}
    found = by_name(questions)
    assert found["Moodle activities"].pairs == [
        ("An activity supporting asynchronous discussions.", "Forum"),
        ("A teacher asks a question and specifies a choice of multiple responses.", "Choice"),
        ("A bank of record entries which participants can add to.", "Database"),
        ("A collection of web pages that anyone can add to or edit.", "Wiki"), ("", "Chat")]
    greeting = found["Greeting"]
    assert greeting.format == FORMAT_HTML
    assert greeting.text == ('<a href="http://demo.moodle.net/file.php/5/media/bonjour.mp3">Listen to this greeting:'
                             '</a><br /><br />What language is being spoken?')
    assert_choices(greeting, [("English", FORMAT_HTML, 0, "Sorry, listen again.", FORMAT_HTML),
                              ("French", FORMAT_HTML, 1, "Yes, well done!", FORMAT_HTML),
                              ("German", FORMAT_HTML, 0, "Sorry, listen again.", FORMAT_HTML),
                              ("Spanish", FORMAT_HTML, 0, "Sorry, listen again.", FORMAT_HTML)])
    user = found["Moodle user"]
    assert (user.text, user.answers) == ("Anyone who uses Moodle is a ...", ["Moodler"])
    assert user.choices == [Choice("Moodler", 1.0, "")]
    acronym = found["Moodle acronym"]
    assert acronym.truth is True
    assert acronym.text == ('Moodle is an acronym for <span style="font-style: italic;">Modular Object-Oriented '
                            'Dynamic Learning Environment</span>.')


# --- Export, as round trips ----------------------------------------------------------------------------------------

def round_trip(question: Question) -> str:
    gift = write_gift([question])
    assert_same_question(read_one(gift), question)
    return gift


def test_export_essay():
    round_trip(Question(kind="essay", name="Q8", text="How are you?", format=FORMAT_MOODLE))


def test_export_match():
    """Moodle's subquestions carry four formats; ours one per question, so the items are HTML here, the first one
    with the markup Moodle escapes (<div class="frog">)."""
    round_trip(Question(kind="matching", name="Moodle activities", format=FORMAT_HTML,
                        text="Match the <b>activity</b> to the description.",
                        pairs=[('<div class="frog">An activity supporting asynchronous discussions.</div>', "Forum"),
                               ("A teacher asks a question and specifies a choice of multiple responses.", "Choice"),
                               ("A bank of record entries which participants can add to.", "Database"),
                               ("A collection of web pages that anyone can add to or edit.", "Wiki"),
                               ("", "Chat")]))


def test_export_multichoice():
    round_trip(Question(kind="single", name="Q8", text="What's between orange and green in the spectrum?",
                        format=FORMAT_MOODLE,
                        choices=[Choice("yellow", 1.0, "right; good!"), Choice("red", 0.0, "wrong, it's yellow"),
                                 Choice("blue", 0.0, "wrong, it's yellow")]))


def test_export_multichoice_multi_tricky():
    round_trip(Question(kind="multiple", name="Q8", text="What's between orange and green in the spectrum?",
                        format=FORMAT_MOODLE,
                        choices=[Choice("yellow", 1.0, "right; good!"), Choice("red", -0.5, "wrong, it's yellow"),
                                 Choice("blue", -0.5, "wrong, it's yellow")]))


def test_export_numerical():
    round_trip(Question(kind="numeric", name="Q5", text="What is a number from 1 to 5?", format=FORMAT_MOODLE,
                        numeric=[NumericAnswer(3.0, 2.0, 1.0, ""),
                                 NumericAnswer(None, 0.0, 0.0, "Completely wrong")]))


def shortanswer(**fields) -> Question:
    return Question(kind="short", name="Shortanswer", text="Which is the best animal?", format=FORMAT_MOODLE,
                    answers=["Frog", "Cat", "*"],
                    choices=[Choice("Frog", 1.0, "Good!"), Choice("Cat", 0.5, "What is it with Moodlers and cats?"),
                             Choice("*", 0.0, "Completely wrong")], **fields)


def test_export_shortanswer():
    round_trip(shortanswer())


def test_export_shortanswer_with_general_feedback():
    round_trip(shortanswer(general_feedback="Here is some general feedback!"))


def test_export_truefalse():
    round_trip(Question(kind="truefalse", name="Q1", text="42 is the Absolute Answer to everything.",
                        format=FORMAT_MOODLE, truth=True,
                        choices=[Choice("true", 1.0, "You gave the right answer."),
                                 Choice("false", 0.0, "42 is the Ultimate Answer.")]))


def test_export_backslash():
    """MDL-34171: a backslash is written as \\\\ and read back as one backslash."""
    gift = round_trip(Question(kind="essay", name="backslash", text="A \\ B \\\\ C", format=FORMAT_MOODLE))
    assert "A \\\\ B \\\\\\\\ C" in gift


def test_export_question_with_tags_and_idnumber():
    gift = round_trip(Question(kind="truefalse", name="True/false question", text="The answer is true.",
                               format=FORMAT_HTML, truth=True, general_feedback="You should have selected true.",
                               choices=[Choice("true", 1.0, "This is the right answer."),
                                        Choice("false", 0.0, "This is the wrong answer.")],
                               idnumber="myid", tags=["tag1", "tag2"]))
    # As Moodle writes them, in a comment line above the question, so Moodle reads them too.
    comments = [line for line in gift.splitlines() if line.startswith("//")]
    assert any("[id:myid]" in line and "[tag:tag1]" in line and "[tag:tag2]" in line for line in comments), gift
