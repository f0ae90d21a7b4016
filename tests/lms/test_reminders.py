"""Reminders by e-mail and SMS before due dates, when overdue and before expiry, the weekly digest and session
invitations: run twice, each is sent exactly once."""
import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from lms import services, sms
from lms.models import Assignment, ReminderLog
from lms.reminders import digests_send, reminders_send, session_invitations_send
from lms.tasks import digests_send_task, reminders_send_task
from tests.factories import OfficialFactory, RequirementFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "lms.sms.LocmemBackend"
    settings.LMS_REMIND_DAYS_BEFORE_DUE = (14, 3)
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def officials(unit, n):
    return [OfficialFactory(unit=unit, is_one_stop_receiver=True, phone=f"09120000{i:02d}") for i in range(n)]


def test_reminder_task_run_twice_sends_each_due_reminder_exactly_once(tree, module, sms_outbox):
    today = timezone.localdate()
    due_soon, overdue, expiring, fine, far = officials(tree["trang_dai"], 5)
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], modules=[module], due_date=today + dt.timedelta(days=40),
                                   validity_months=12, renewal_window_days=30)
    services.requirement_assign(requirement=requirement)
    set_dates = Assignment.objects.filter(requirement=requirement).update
    set_dates(due_at=today + dt.timedelta(days=40))  # "far": nothing to say yet
    Assignment.objects.filter(official=due_soon).update(due_at=today + dt.timedelta(days=3))
    Assignment.objects.filter(official=overdue).update(due_at=today - dt.timedelta(days=1))
    Assignment.objects.filter(official=expiring).update(completed_at=timezone.now() - dt.timedelta(days=350),
                                                        expires_at=today + dt.timedelta(days=15))
    Assignment.objects.filter(official=fine).update(completed_at=timezone.now(), expires_at=today + dt.timedelta(days=365))

    reminders_send_task.delay()
    reminders_send_task.delay()

    to = sorted(m.to[0] for m in mail.outbox)
    assert to == sorted([due_soon.email, overdue.email, expiring.email])
    assert sorted(m.to for m in sms_outbox) == sorted([due_soon.phone, overdue.phone, expiring.phone])
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert requirement.title in subjects[due_soon.email]
    body = next(m.body for m in mail.outbox if m.to[0] == due_soon.email)
    assert requirement.due_date.strftime("%d/%m/%Y") not in body  # its own due date, three days away
    assert (today + dt.timedelta(days=3)).strftime("%d/%m/%Y") in body
    assert ReminderLog.objects.filter(status="sent").count() == 3

    # Four weeks later: "far" gets its fourteen-day reminder, "due soon" is now overdue and "expiring" has expired
    # (new events, one message each); "overdue" was already told and "fine" is fine.
    mail.outbox.clear()
    later = today + dt.timedelta(days=27)
    reminders_send(today=later)
    reminders_send(today=later)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([far.email, due_soon.email, expiring.email])


def test_a_failed_send_is_retried_and_then_sent_once(tree, module, settings, sms_outbox, monkeypatch):
    today = timezone.localdate()
    (official,) = officials(tree["trang_dai"], 1)
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], modules=[module], due_date=today - dt.timedelta(days=2))
    services.requirement_assign(requirement=requirement)

    def broken(*args, **kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr("lms.reminders.send_mail", broken)
    assert reminders_send(today=today)["sent"] == 0
    assert ReminderLog.objects.get().status == "failed"
    monkeypatch.undo()
    settings.SMS_BACKEND = "lms.sms.LocmemBackend"
    assert reminders_send(today=today)["sent"] == 1
    assert reminders_send(today=today)["sent"] == 0
    assert len(mail.outbox) == 1 and ReminderLog.objects.get().status == "sent"


def test_the_database_refuses_a_second_log_of_the_same_event(trang_dai_official):
    from django.db import IntegrityError, transaction

    ReminderLog.objects.create(recipient=trang_dai_official.user, kind="overdue", event_key="a1:overdue:2020-09-30")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderLog.objects.create(recipient=trang_dai_official.user, kind="overdue", event_key="a1:overdue:2020-09-30")


def test_weekly_digest_goes_once_a_week_to_the_personnel_officer_of_the_units_behind(
        tree, module, bien_hoa_officer, long_khanh_official):
    today = timezone.localdate()
    behind = officials(tree["trang_dai"], 2)
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["province"]], modules=[module], due_date=today - dt.timedelta(days=5))
    services.requirement_assign(requirement=requirement)

    digests_send_task.delay()
    digests_send(today=today)
    assert [m.to for m in mail.outbox] == [[bien_hoa_officer.user.email]]
    body = mail.outbox[0].body
    assert all(o.full_name in body for o in behind)
    assert long_khanh_official.full_name not in body  # Long Khánh is not this officer's
    digests_send(today=today + dt.timedelta(days=7))  # next week: a new digest
    assert len(mail.outbox) == 2


def test_an_officer_over_two_units_gets_one_digest_covering_both(tree, module):
    from org import roles
    from org import services as org_services
    from tests.factories import UserFactory

    today = timezone.localdate()
    officer = UserFactory(username="tochuc-hai", email="hai@example.test")
    org_services.role_grant(user=officer, role=roles.PERSONNEL, units=[tree["tan_phong"], tree["long_khanh"]])
    tan_phong, xuan_trung, trang_dai = (officials(tree[k], 1)[0] for k in ("tan_phong", "xuan_trung", "trang_dai"))
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["province"]], modules=[module],
                                     due_date=today - dt.timedelta(days=5))
    services.requirement_assign(requirement=requirement)

    digests_send(today=today)
    assert [m.to for m in mail.outbox] == [[officer.email]]
    message = mail.outbox[0]
    assert "Phường Tân Phong" in message.subject and "Thành phố Long Khánh" in message.subject
    assert tan_phong.full_name in message.body and xuan_trung.full_name in message.body
    assert trang_dai.full_name not in message.body


def test_session_invitations_are_sent_once_to_the_audience(tree, trang_dai_official, long_khanh_official, sms_outbox):
    session = TrainingSessionFactory(title="Tập huấn nghiệp vụ một cửa", location="Hội trường UBND TP Biên Hòa",
                                     audience_one_stop_receivers=True, audience_units=[tree["bien_hoa"]])
    assert session_invitations_send(session=session) == 1
    assert session_invitations_send(session=session) == 0
    assert [m.to for m in mail.outbox] == [[trang_dai_official.email]]
    assert "Hội trường UBND TP Biên Hòa" in mail.outbox[0].body
