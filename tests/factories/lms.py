"""Factories for the LMS: requirements (who must complete what, by when) and in-person training sessions."""
import datetime as dt

import factory
from django.utils import timezone

from lms.models import Requirement, TrainingSession

from .base import many_to_many


class RequirementFactory(factory.django.DjangoModelFactory):
    """A requirement due in 30 days, for nobody until given an audience (`audience_units=[…]`, the flags). Trait
    `one_stop=True`: the plan's "100% of one-stop receivers trained" (KH 15122/KH-UBND, II.4.c), for receivers in
    the units given. `modules=[…]` and `exam=` say what completes it."""

    class Meta:
        model = Requirement
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Bồi dưỡng kiến thức cải cách hành chính {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    exam = None

    class Params:
        one_stop = factory.Trait(
            title="100% công chức tiếp nhận hồ sơ một cửa được bồi dưỡng nghiệp vụ",
            plan_clause="KH 15122/KH-UBND, mục II.4.c", audience_one_stop_receivers=True)

    audience_units = many_to_many("audience_units")
    audience_officials = many_to_many("audience_officials")
    modules = many_to_many("modules")


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    """An in-person session a week from now, three hours long; `audience_units=[…]` as for a requirement."""

    class Meta:
        model = TrainingSession
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Tập huấn nghiệp vụ {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))
    location = "Hội trường UBND tỉnh Đồng Nai"

    audience_units = many_to_many("audience_units")
    audience_officials = many_to_many("audience_officials")
