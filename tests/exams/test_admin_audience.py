"""The exam's candidates tab in the Wagtail admin: opening the exam and saving it untouched, as a browser sends the
form, leaves who may sit it exactly as it was."""
import datetime as dt

import pytest
from django.utils import timezone

from org.models import Category
from org.selectors import officials_in_audience
from tests.factories import ExamFactory, OfficialFactory, TopicFactory

from ..html_forms import form_fields, options

pytestmark = pytest.mark.django_db

AUDIENCE = ["audience_units", "audience_include_subunits", "audience_reform_officers", "audience_one_stop_receivers",
            "audience_leaders", "audience_categories", "audience_ranks", "audience_officials"]


def audience_of(exam) -> dict:
    exam.refresh_from_db()
    state = {name: getattr(exam, name) for name in AUDIENCE if name not in ("audience_units", "audience_officials")}
    state["audience_units"] = sorted(exam.audience_units.values_list("pk", flat=True))
    state["audience_officials"] = sorted(exam.audience_officials.values_list("pk", flat=True))
    state["eligible"] = sorted(officials_in_audience(exam).values_list("pk", flat=True))
    return state


@pytest.fixture
def bien_hoa_exam(tree, trang_dai_official, long_khanh_official):
    opens = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=2)
    return ExamFactory(title="Sát hạch một cửa Biên Hòa", time_limit_minutes=30, published=True,
                       instructions="Đọc kỹ đề.", opens_at=opens, closes_at=opens + dt.timedelta(days=1),
                       audience_one_stop_receivers=True, audience_categories=[Category.CONG_CHUC],
                       audience_units=[tree["bien_hoa"]],
                       audience_officials=[OfficialFactory(employee_code="26071-0009", unit=tree["xuan_trung"])],
                       bank=TopicFactory(name="Một cửa", choices=10, choices__name="C{i}", choices__text="Câu hỏi {i}?",
                                         choices__right="Đúng", choices__wrong=("Sai A", "Sai B")),
                       bank__draw_count=5)


def test_saving_an_exam_untouched_in_the_admin_keeps_its_candidates(client, admin_user, tree, bien_hoa_exam,
                                                                    trang_dai_official):
    before = audience_of(bien_hoa_exam)
    assert len(before["eligible"]) == 2  # Trảng Dài's receiver and the Long Khánh official listed by code
    client.force_login(admin_user)
    url = f"/admin/exam/edit/{bien_hoa_exam.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    offered = options(page.content, name="audience_units")
    assert (str(tree["bien_hoa"].pk), True) in [(value, chosen) for value, _label, chosen in offered]
    response = client.post(url, form_fields(page.content, containing="audience_units"))
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert audience_of(bien_hoa_exam) == before
