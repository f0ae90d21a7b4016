"""SMS through a pluggable gateway, like Django's e-mail backends: `settings.SMS_BACKEND` is a dotted path to a
class with `send_messages(messages) -> int`. The console backend (the default) prints; the locmem backend keeps
messages in `lms.sms.outbox` for tests. A real gateway is a small subclass calling the provider's HTTP API."""
from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

outbox: list["SmsMessage"] = []


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


class BaseSmsBackend:
    def __init__(self, fail_silently: bool = False, **kwargs):
        self.fail_silently = fail_silently

    def send_messages(self, messages: list[SmsMessage]) -> int:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Writes each message to standard output (the embedded mode's default)."""

    def send_messages(self, messages: list[SmsMessage]) -> int:
        for m in messages:
            sys.stdout.write(f"SMS to {m.to}: {m.body}\n")
        sys.stdout.flush()
        return len(messages)


class LocmemBackend(BaseSmsBackend):
    """Keeps messages in `lms.sms.outbox` (tests)."""

    def send_messages(self, messages: list[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


class NullBackend(BaseSmsBackend):
    def send_messages(self, messages: list[SmsMessage]) -> int:
        return 0


def get_backend(**kwargs) -> BaseSmsBackend:
    return import_string(getattr(settings, "SMS_BACKEND", "lms.sms.ConsoleBackend"))(**kwargs)


def send_sms(*, to: str, body: str) -> int:
    """Send one text message through the configured gateway; returns how many were accepted."""
    if not to:
        return 0
    return get_backend().send_messages([SmsMessage(to=to, body=body)])
