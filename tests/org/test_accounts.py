"""Signing in: employee code or e-mail, closed sign-up, rate limits, and MFA for staff roles."""
import pytest
from allauth.mfa.models import Authenticator

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, login, password=PASSWORD):
    return client.post("/accounts/login/", {"login": login, "password": password})


def test_official_signs_in_with_employee_code_in_any_case(client, trang_dai_official):
    response = sign_in(client, trang_dai_official.employee_code.lower())
    assert response.status_code == 302 and response["Location"] == "/toi/"
    page = client.get("/toi/").content.decode()
    assert trang_dai_official.full_name in page and "Phường Trảng Dài" in page


def test_official_signs_in_with_email(client, trang_dai_official):
    assert sign_in(client, trang_dai_official.email).status_code == 302


def test_wrong_password_is_refused_in_vietnamese(client, trang_dai_official):
    response = sign_in(client, trang_dai_official.employee_code, "sai-mat-khau")
    assert response.status_code == 200
    assert "không đúng" in response.content.decode()


def test_repeated_failures_are_rate_limited(client, trang_dai_official, settings):
    for _ in range(5):
        sign_in(client, trang_dai_official.employee_code, "sai-mat-khau")
    response = sign_in(client, trang_dai_official.employee_code)  # even the right password is refused now
    assert response.status_code == 200  # the sign-in page again, saying why
    assert "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_nobody_can_sign_themselves_up(client, db):
    client.post("/accounts/signup/", {"username": "ke-la", "email": "x@example.test", "password1": "Abc@12345!x",
                                       "password2": "Abc@12345!x"})
    from org.models import User
    assert not User.objects.filter(username="ke-la").exists()


def test_staff_must_set_up_totp_when_required(client, bien_hoa_officer, settings):
    settings.REQUIRE_STAFF_MFA = True
    client.force_login(bien_hoa_officer.user)
    response = client.get("/can-bo/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/api/officials").status_code == 403
    Authenticator.objects.create(user=bien_hoa_officer.user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get("/can-bo/").status_code == 200


def test_officials_are_not_forced_into_mfa(client, trang_dai_official, settings):
    settings.REQUIRE_STAFF_MFA = True
    client.force_login(trang_dai_official.user)
    assert client.get("/toi/").status_code == 200


def test_the_mfa_check_costs_an_official_no_query_and_no_session_write_and_a_role_takes_effect_at_once(
        client, trang_dai_official, bien_hoa_officer, settings):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from org import roles

    settings.REQUIRE_STAFF_MFA = True
    user = trang_dai_official.user
    client.force_login(user)
    with CaptureQueriesContext(connection) as first:  # loads the user's row and groups, and caches them
        assert client.get("/healthz").status_code == 200
    # A shift's start is often a candidate's first request in minutes: the MFA rule does not write the session.
    sqls = [q["sql"].lstrip() for q in first.captured_queries]
    assert not any(sql.startswith(("INSERT", "UPDATE")) and "django_session" in sql for sql in sqls), sqls
    assert "sessionid" not in client.get("/healthz").cookies
    with CaptureQueriesContext(connection) as later:
        assert client.get("/healthz").status_code == 200
    assert not any("auth_group" in q["sql"] for q in later.captured_queries)  # the autosave's hot path: no query
    # A role given, from either side, applies at the next request, not minutes later.
    trainers, _ = Group.objects.get_or_create(name=roles.TRAINER)
    user.groups.add(trainers)
    assert client.get("/toi/").status_code == 302
    trainers.user_set.remove(user)
    assert client.get("/toi/").status_code == 200
    trainers.user_set.add(user)
    assert client.get("/toi/").status_code == 302
    trainers.user_set.clear()
    assert client.get("/toi/").status_code == 200
    user.groups.add(trainers)
    trainers.delete()
    assert client.get("/toi/").status_code == 200
    client.force_login(bien_hoa_officer.user)
    for _ in range(2):  # a refusal is never remembered as a pass
        assert client.get("/can-bo/").status_code == 302


def test_wagtail_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_password_reset_sends_a_vietnamese_email(client, trang_dai_official, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": trang_dai_official.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [trang_dai_official.email]
    assert "[CCHC Đồng Nai]" in mailoutbox[0].subject


def test_staff_member_activates_totp_gets_recovery_codes_and_is_asked_for_a_code_at_next_sign_in(
        client, bien_hoa_officer, settings):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    settings.REQUIRE_STAFF_MFA = True
    code = bien_hoa_officer.employee_code
    assert sign_in(client, code).status_code == 302
    # Setting up a second factor asks for the password again first.
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200 and "Kích hoạt" in page.content.decode()
    secret = page.context["form"].secret
    totp = lambda: format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))  # noqa: E731
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp()})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=bien_hoa_officer.user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=bien_hoa_officer.user, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get("/can-bo/").status_code == 200

    client.logout()
    response = sign_in(client, code)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/can-bo/").status_code == 302  # not signed in until the second factor
    response = client.post("/accounts/2fa/authenticate/", {"code": totp()})
    assert response.status_code == 302 and client.get("/can-bo/").status_code == 200


def test_an_official_opening_the_content_admin_is_refused_not_bounced(client, trang_dai_official):
    client.force_login(trang_dai_official.user)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "Chỉ giảng viên và người duyệt nội dung" in response.content.decode()


# --- The signed-in user is cached (org.auth_backends): never at the cost of a stale account ----------------------

def test_a_signed_in_request_reads_the_user_from_the_cache_not_the_database(client, trang_dai_official):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from org.models import User

    sign_in(client, trang_dai_official.employee_code)
    assert client.get("/toi/").status_code == 200  # the first request after signing in reads the row
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/attempts/999999/result").status_code == 404  # signed in: a 404, not a 401
    user_table = User._meta.db_table
    assert not [q["sql"] for q in queries if f'FROM "{user_table}"' in q["sql"]]


def test_a_deactivated_account_is_signed_out_at_its_next_request(client, trang_dai_official):
    sign_in(client, trang_dai_official.employee_code)
    assert client.get("/toi/").status_code == 200  # the user is in the cache now
    user = trang_dai_official.user
    user.is_active = False
    user.save()
    response = client.get("/toi/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_new_password_signs_out_the_other_sessions_at_once(client, trang_dai_official):
    from django.test import Client

    sign_in(client, trang_dai_official.employee_code)
    assert client.get("/toi/").status_code == 200
    user = trang_dai_official.user
    user.set_password("Mat-khau-moi@2026")
    user.save()
    assert client.get("/toi/").status_code == 302  # the session's password hash no longer matches
    other = Client()
    assert sign_in(other, trang_dai_official.employee_code, "Mat-khau-moi@2026").status_code == 302
    assert other.get("/toi/").status_code == 200
