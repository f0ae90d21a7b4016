"""factory_boy factories that go through the services, so test data obeys the same rules as real data.

One module per app (org, exams, lms, content); everything is importable from here: `from tests.factories import X`."""
from .content import module_build
from .exams import ExamFactory, ExamSectionFactory, TopicFactory, choice_gift, one_stop_exam
from .lms import RequirementFactory, TrainingSessionFactory
from .org import OfficialFactory, UnitFactory, UserFactory

__all__ = ["ExamFactory", "ExamSectionFactory", "OfficialFactory", "RequirementFactory", "TopicFactory",
           "TrainingSessionFactory", "UnitFactory", "UserFactory", "choice_gift", "module_build",
           "one_stop_exam"]
