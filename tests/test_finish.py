"""Finish: the site's icon answers at /favicon.ico (browsers ask for it by themselves) and every page names it; flash
messages are live regions that keep their meaning (errors interrupt, the rest wait)."""
import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_the_sites_own_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon" and "max-age" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_pages_name_their_icon_and_it_is_served(client):
    html = client.get("/accounts/login/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html)
    assert icon and icon.group(1).startswith("/static/")
    response = client.get(icon.group(1))
    assert response.status_code == 200 and b"<svg" in b"".join(response.streaming_content)


def messages_html(*messages: Message) -> str:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.session = {}
    html = render_to_string("base.html", {"messages": list(messages),
                                          "DEFAULT_MESSAGE_LEVELS": constants.DEFAULT_LEVELS}, request=request)
    return re.search(r'<div class="messages">.*?</div>\s*</div>', html, re.S).group(0)


def test_flash_messages_are_live_regions_errors_interrupt():
    html = messages_html(Message(constants.SUCCESS, "Đã lưu phần thi."), Message(constants.ERROR, "Không lưu được."),
                         Message(constants.WARNING, "Nguồn câu hỏi ít."))
    # No list whose items lost their meaning under role=status: one region per message.
    assert "<ul" not in html and "<li" not in html
    regions = re.findall(r'<div class="msg msg-(\w+)" role="(\w+)">([^<]+)</div>', html)
    assert regions == [("success", "status", "Đã lưu phần thi."), ("error", "alert", "Không lưu được."),
                       ("warning", "status", "Nguồn câu hỏi ít.")]
