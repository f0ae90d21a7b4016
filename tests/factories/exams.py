"""Factories for the question bank and exams. A bank goes in as GIFT text through the same parser and import service
a trainer's upload uses, so the questions, versions and sub-topics are the ones a real bank would have."""
import factory

from exams import formats
from exams import services as exam_services
from exams.models import Exam, ExamSection, Topic

from .base import many_to_many


def choice_gift(count: int, *, name: str = "Câu {i}", text: str = "Câu hỏi số {i} về Bộ phận Một cửa?",
                right: str = "Đúng {i}", wrong: tuple[str, ...] = ("Sai A{i}", "Sai B{i}", "Sai C{i}")) -> str:
    """A GIFT bank of `count` single-choice questions numbered from 1; `{i}` in each part is the number.
    The right option comes first in the file (papers shuffle it unless the exam says otherwise)."""

    def one(i: int) -> str:
        options = " ".join([f"={right.format(i=i)}", *(f"~{w.format(i=i)}" for w in wrong)])
        return f"::{name.format(i=i)}::{text.format(i=i)}{{{options}}}"

    return "\n\n".join(one(i) for i in range(1, count + 1))


def bank_load(*, topic: Topic, gift: str) -> Topic:
    """Import a GIFT bank under `topic` through the real parser and import service."""
    exam_services.bank_import(root=topic, questions=formats.parse_gift(gift))
    return topic


class TopicFactory(factory.django.DjangoModelFactory):
    """A topic of the bank (by name under a parent, as the service finds or makes it). `gift=` loads a GIFT bank
    into it; `choices=n` loads `choice_gift(n)` (its other arguments as `choices__text=…`)."""

    class Meta:
        model = Topic
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Chủ đề {n}")
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return exam_services.topic_get_or_create(name=kwargs["name"], parent=kwargs["parent"])

    @factory.post_generation
    def gift(topic, create, extracted, **kwargs):
        if create and extracted:
            bank_load(topic=topic, gift=extracted)

    @factory.post_generation
    def choices(topic, create, extracted, **kwargs):
        if create and extracted:
            bank_load(topic=topic, gift=choice_gift(extracted, **kwargs))


class ExamSectionFactory(factory.django.DjangoModelFactory):
    """A section of an exam's blueprint: `draw_count` questions from `topic`, or the `fixed_questions` given."""

    class Meta:
        model = ExamSection
        skip_postgeneration_save = True

    exam = factory.SubFactory("tests.factories.exams.ExamFactory")
    topic = None
    fixed_questions = many_to_many("fixed_questions")


class ExamFactory(factory.django.DjangoModelFactory):
    """An exam with the model's defaults. Traits: `published=True`. `bank=` adds one section drawing from a bank:
    a Topic, a GIFT text, or a number of generated single-choice questions (`choice_gift`); the section's fields go
    as `bank__draw_count=…`, `bank__points_per_question=…`. Audiences: `audience_units=[…]`,
    `audience_officials=[…]`."""

    class Meta:
        model = Exam
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Sát hạch thử {n}")

    class Params:
        published = factory.Trait(is_published=True)

    audience_units = many_to_many("audience_units")
    audience_officials = many_to_many("audience_officials")

    @factory.post_generation
    def bank(exam, create, extracted, **kwargs):
        if not create or extracted is None:
            return
        if isinstance(extracted, Topic):
            topic = extracted
        elif isinstance(extracted, str):
            topic = TopicFactory(gift=extracted)
        else:
            topic = TopicFactory(choices=extracted)
        ExamSectionFactory(exam=exam, topic=topic, **kwargs)


ONE_STOP_BANK = choice_gift(8, text="Câu hỏi số {i} về tiếp nhận hồ sơ tại Bộ phận Một cửa?",
                            wrong=("Sai A{i}", "Sai B{i}"))


def one_stop_exam() -> Exam:
    """The exam the LMS tests require: four of the 8 questions of ONE_STOP_BANK, options in the bank's order (the
    right one first), pass mark 50%, three attempts."""
    return ExamFactory(title="Sát hạch công chức một cửa", time_limit_minutes=20, published=True,
                       shuffle_options=False, attempts_allowed=3, pass_percent=50,
                       bank=ONE_STOP_BANK, bank__draw_count=4)
