"""Sign-in limits (org.signin): exam rooms sign in at once, one person has one set of tries whatever they type,
a stranger's guesses do not lock a candidate out, and an unknown code costs the same work as a known one."""
import datetime as dt
from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.utils import timezone

from ..conftest import PASSWORD
from ..factories import ExamFactory, OfficialFactory

pytestmark = pytest.mark.django_db

EXAM_ROOM = "198.51.100.7"  # the NAT address of a district's exam room
ROOM_NETWORK = "198.51.100.0/24"
HOME = "192.0.2.10"  # the candidate's usual address outside the exam room


def sign_in(login, password=PASSWORD, *, ip, client=None):
    client = client or Client()
    response = client.post("/accounts/login/", {"login": login, "password": password}, REMOTE_ADDR=ip)
    return client, response


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def candidates(tree):
    return [OfficialFactory(employee_code=f"25993-{n:04d}", unit=tree["trang_dai"]) for n in range(100, 160)]


# --- Exam rooms behind one NAT address --------------------------------------------------------------------------

def test_a_whole_exam_room_behind_one_address_signs_in_within_a_minute(candidates, settings):
    settings.EXAM_ROOM_NETWORKS = [ROOM_NETWORK]
    results = [sign_in(c.employee_code, ip=EXAM_ROOM) for c in candidates]
    assert all(response.status_code == 302 and signed_in(client) for client, response in results)
    # Per-account protection still holds in the room.
    for _ in range(5):
        sign_in(candidates[0].employee_code, "doan-mo", ip=EXAM_ROOM)
    assert not signed_in(sign_in(candidates[0].employee_code, ip=EXAM_ROOM)[0])


def test_the_same_crowd_from_an_ordinary_address_is_throttled(candidates, settings):
    settings.EXAM_ROOM_NETWORKS = [ROOM_NETWORK]
    statuses = [sign_in(c.employee_code, ip="203.0.113.20")[1].status_code for c in candidates]
    assert statuses[:30] == [302] * 30
    assert set(statuses[30:]) == {429}
    page = sign_in(candidates[0].employee_code, ip="203.0.113.20")[1].content.decode()
    assert "Có quá nhiều yêu cầu" in page  # in Vietnamese, not allauth's English page


def test_the_rooms_of_exams_open_now_or_within_the_hour_are_exam_rooms(tree, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_ip": "3/m/ip"}
    now = timezone.now()
    ExamFactory(title="Sát hạch một cửa", published=True, opens_at=now + dt.timedelta(minutes=30),
                closes_at=now + dt.timedelta(hours=3), allowed_ip_ranges="# phòng thi\n198.51.100.0/28\n")
    # Not rooms: an exam that closed yesterday, and a range as wide as the internet.
    ExamFactory(title="Đợt trước", published=True, opens_at=now - dt.timedelta(days=2),
                closes_at=now - dt.timedelta(days=1), allowed_ip_ranges="192.0.2.0/24")
    ExamFactory(title="Thi thử", published=True, allowed_ip_ranges="0.0.0.0/0")
    people = [OfficialFactory(unit=tree["trang_dai"]) for _ in range(5)]

    assert [sign_in(p.employee_code, ip=EXAM_ROOM)[1].status_code for p in people] == [302] * 5
    assert [sign_in(p.employee_code, ip="192.0.2.30")[1].status_code for p in people] == [302] * 3 + [429] * 2
    assert [sign_in(p.employee_code, ip="203.0.113.9")[1].status_code for p in people] == [302] * 3 + [429] * 2


def test_the_open_exams_are_read_once_a_minute_not_on_every_sign_in(tree, settings, django_assert_num_queries):
    from org import signin

    settings.EXAM_ROOM_NETWORKS = []
    signin.is_exam_room(EXAM_ROOM)
    with django_assert_num_queries(0):
        for _ in range(3):
            signin.is_exam_room(EXAM_ROOM)


# --- One person, one set of tries -------------------------------------------------------------------------------

def test_the_tries_are_counted_per_person_whatever_identifier_is_typed(tree):
    person = OfficialFactory(employee_code="BH-0042", unit=tree["trang_dai"], email="thu.nguyen@example.test")
    person.user.username = "thu.nguyen"
    person.user.save()
    for login in ("thu.nguyen", "THU.NGUYEN", "BH-0042", "  bh-0042 ", "Thu.Nguyen@Example.test"):
        client, response = sign_in(login, "sai-mat-khau", ip=HOME)
        assert response.status_code == 200 and not signed_in(client)
    client, response = sign_in("bh-0042", ip=HOME)  # a sixth spelling gets no fresh tries
    assert not signed_in(client)
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()


# --- A stranger's guesses do not lock the candidate out ----------------------------------------------------------

def test_a_strangers_wrong_passwords_do_not_lock_the_candidate_out_of_the_exam(trang_dai_official, settings):
    settings.EXAM_ROOM_NETWORKS = [ROOM_NETWORK]
    code = trang_dai_official.employee_code
    for _ in range(5):
        sign_in(code, "doan-mo", ip="203.0.113.66")
    attacker, response = sign_in(code, ip="203.0.113.66")  # the attacker is throttled, even with the right password
    assert not signed_in(attacker) and "Đăng nhập sai quá nhiều lần" in response.content.decode()

    candidate, response = sign_in(code, ip=EXAM_ROOM)
    assert response.status_code == 302 and signed_in(candidate)
    at_home, _response = sign_in(code, ip=HOME)
    assert signed_in(at_home)


def test_a_guesser_changing_addresses_meets_a_ceiling_that_spares_the_exam_room_and_the_usual_browser(
        trang_dai_official, settings):
    settings.EXAM_ROOM_NETWORKS = [ROOM_NETWORK]
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed_account": "6/h/key"}
    code = trang_dai_official.employee_code
    usual, _response = sign_in(code, ip=HOME)  # the candidate's own browser, signed in before
    usual.post("/accounts/logout/", REMOTE_ADDR=HOME)
    assert not signed_in(usual)

    for n in range(1, 4):  # three guesses from each of three addresses: within each address's five
        for _ in range(3):
            sign_in(code, "doan-mo", ip=f"203.0.113.{n}")
    fresh, response = sign_in(code, ip="203.0.113.99")  # a new address: refused, right password or not
    assert not signed_in(fresh) and "Đăng nhập sai quá nhiều lần" in response.content.decode()

    assert signed_in(sign_in(code, ip=EXAM_ROOM)[0])
    _client, response = sign_in(code, ip=HOME, client=usual)
    assert response.status_code == 302 and signed_in(usual)


# --- The same work for an unknown code as for a known one --------------------------------------------------------

@pytest.mark.parametrize("login", ["25993-0001", "25993-9999", "25993-0001@example.test", "ai.do@example.test"],
                         ids=["known code", "unknown code", "known e-mail", "unknown e-mail"])
def test_a_failed_sign_in_runs_the_password_hasher_exactly_once(trang_dai_official, login):
    encode = MD5PasswordHasher.encode
    with mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=encode) as hashed:
        client, response = sign_in(login, "sai-mat-khau", ip=HOME)
    assert response.status_code == 200 and not signed_in(client)
    assert hashed.call_count == 1

