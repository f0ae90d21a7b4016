"""Factories for the unit tree and the roster: units and officials are made by org's own services."""
import datetime as dt
import itertools

import factory

from org import services
from org.models import Category, Official, Unit, UnitKind, User

_codes = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or "Test@12345")
        if create:
            obj.save(update_fields=["password"])


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Xã Thử Nghiệm {n}")
    kind = UnitKind.COMMUNE
    parent = None
    active_from = dt.date(2020, 1, 1)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.unit_create(**kwargs)


class OfficialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Official

    employee_code = factory.LazyFunction(lambda: f"CB{next(_codes):05d}")
    full_name = factory.Faker("name", locale="vi_VN")
    unit = factory.SubFactory(UnitFactory)
    category = Category.CONG_CHUC
    on = dt.date(2020, 1, 1)
    email = factory.LazyAttribute(lambda o: f"{o.employee_code.lower()}@example.test")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        official = services.official_create(**kwargs)
        official.user.set_password("Test@12345")
        official.user.save()
        return official
