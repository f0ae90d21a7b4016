"""The exam's candidates tab in the Wagtail admin: opening the exam and saving it untouched, as a browser sends the
form, leaves who may sit it exactly as it was."""
import datetime as dt

import pytest
from django.utils import timezone

from exams import formats
from exams.models import Exam, ExamSection
from exams.services import bank_import, topic_get_or_create
from org.models import Category
from org.selectors import officials_in_audience
from tests.factories import OfficialFactory

from ..html_forms import form_fields, options

pytestmark = pytest.mark.django_db

BANK = "\n\n".join(f"::C{i}::Câu hỏi {i}?{{=Đúng ~Sai A ~Sai B}}" for i in range(1, 11))
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
    root = topic_get_or_create(name="Một cửa", parent=None)
    bank_import(root=root, questions=formats.parse_gift(BANK))
    opens = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=2)
    exam = Exam.objects.create(title="Sát hạch một cửa Biên Hòa", time_limit_minutes=30, is_published=True,
                               instructions="Đọc kỹ đề.", opens_at=opens, closes_at=opens + dt.timedelta(days=1),
                               audience_one_stop_receivers=True, audience_categories=[Category.CONG_CHUC])
    ExamSection.objects.create(exam=exam, topic=root, draw_count=5)
    exam.audience_units.set([tree["bien_hoa"]])
    exam.audience_officials.set([OfficialFactory(employee_code="26071-0009", unit=tree["xuan_trung"])])
    return exam


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
