"""Reminders by e-mail and SMS: before due dates, when overdue, before expiry; invitations to training
sessions; the weekly digest for personnel officers.

Never twice for one event: each message is first inserted as a `ReminderLog` row whose unique key is (recipient,
kind, event), then claimed by a conditional UPDATE, and only the run that claimed it sends. A second run, or two
workers at once, find nothing left to claim. A failed send is reclaimed by the next run.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from org import roles
from org.models import OfficialStatus, User
from org.selectors import scope_for

from . import rules, selectors, sms
from .models import Assignment, ReminderLog, TrainingSession
from .selectors import chunks

logger = logging.getLogger(__name__)


def _days_before_due() -> tuple[int, ...]:
    return tuple(getattr(settings, "LMS_REMIND_DAYS_BEFORE_DUE", (14, 3)))


def _sms_kinds() -> set[str]:
    return set(getattr(settings, "LMS_SMS_KINDS", ("due_soon", "overdue", "expiring", "invitation")))


@dataclass
class Event:
    recipient_id: int
    kind: str
    key: str
    official_id: int | None = None
    assignment_id: int | None = None
    session_id: int | None = None
    context: dict = field(default_factory=dict)


def deliver(events: list[Event], *, render) -> int:
    """Send each event's message once. `render(event, recipient)` returns (subject, e-mail body, SMS text or "").
    Returns how many were sent now."""
    if not events:
        return 0
    ReminderLog.objects.bulk_create(
        [ReminderLog(recipient_id=e.recipient_id, kind=e.kind, event_key=e.key, official_id=e.official_id,
                     assignment_id=e.assignment_id, session_id=e.session_id) for e in events],
        batch_size=1000, ignore_conflicts=True)
    open_keys: set[tuple[int, str, str]] = set()
    by_kind: dict[str, list[str]] = {}
    for e in events:
        by_kind.setdefault(e.kind, []).append(e.key)
    for kind, keys in by_kind.items():
        for i in range(0, len(keys), 500):
            open_keys |= set(ReminderLog.objects.filter(
                kind=kind, event_key__in=keys[i:i + 500],
                status__in=[ReminderLog.Status.PENDING, ReminderLog.Status.FAILED],
            ).values_list("recipient_id", "kind", "event_key"))
    todo = [e for e in events if (e.recipient_id, e.kind, e.key) in open_keys]
    users = {}
    for chunk in chunks({e.recipient_id for e in todo}):
        users |= User.objects.select_related("official").in_bulk(chunk)
    sent = 0
    for e in todo:
        row = ReminderLog.objects.filter(recipient_id=e.recipient_id, kind=e.kind, event_key=e.key,
                                         status__in=[ReminderLog.Status.PENDING, ReminderLog.Status.FAILED])
        if not row.update(status=ReminderLog.Status.SENDING):
            continue  # another run claimed it
        user = users[e.recipient_id]
        channels, error = [], ""
        try:
            with translation.override(settings.LANGUAGE_CODE):
                subject, body, text = render(e, user)
            if user.email:
                send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [user.email])
                channels.append("email")
            phone = getattr(getattr(user, "official", None), "phone", "")
            if text and phone and e.kind in _sms_kinds():
                if sms.send_sms(to=phone, body=text):
                    channels.append("sms")
            if not channels:
                error = "no e-mail address or phone number"
        except Exception as exc:  # a gateway failure must not stop the other reminders
            logger.exception("reminder %s %s failed", e.kind, e.key)
            error = str(exc)[:1000]
        ReminderLog.objects.filter(recipient_id=e.recipient_id, kind=e.kind, event_key=e.key).update(
            status=ReminderLog.Status.SENT if channels else ReminderLog.Status.FAILED, channels=channels,
            error=error, sent_at=timezone.now() if channels else None)
        sent += bool(channels)
    return sent


# --- Officials' reminders --------------------------------------------------------------------------------------

def due_events(*, today: dt.date) -> list[Event]:
    """The reminder each active assignment is due for today, if any."""
    thresholds = _days_before_due()
    horizon = today + dt.timedelta(days=max(thresholds, default=0))
    base = (Assignment.objects.filter(active=True, official__status=OfficialStatus.ACTIVE)
            .select_related("official", "requirement"))
    events = []
    soon = base.filter(status__in=[Assignment.Status.NOT_STARTED, Assignment.Status.IN_PROGRESS],
                       due_at__gte=today, due_at__lte=horizon)
    for a in soon.iterator(chunk_size=2000):
        t = rules.reminder_threshold(days_left=(a.due_at - today).days, thresholds=thresholds)
        if t is not None:
            events.append(Event(a.official.user_id, ReminderLog.Kind.DUE_SOON, f"a{a.pk}:due:{a.due_at}:d{t}",
                                a.official_id, a.pk, context={"assignment": a, "days_left": (a.due_at - today).days}))
    for a in base.filter(status=Assignment.Status.OVERDUE).iterator(chunk_size=2000):
        key = f"a{a.pk}:expired:{a.expires_at}" if a.completed_at else f"a{a.pk}:overdue:{a.due_at}"
        events.append(Event(a.official.user_id, ReminderLog.Kind.OVERDUE, key, a.official_id, a.pk,
                            context={"assignment": a}))
    for a in base.filter(status=Assignment.Status.EXPIRING).iterator(chunk_size=2000):
        events.append(Event(a.official.user_id, ReminderLog.Kind.EXPIRING, f"a{a.pk}:expiry:{a.expires_at}",
                            a.official_id, a.pk, context={"assignment": a}))
    return events


def _render_assignment(e: Event, user) -> tuple[str, str, str]:
    a = e.context["assignment"]
    title = a.requirement.title
    due = a.due_at.strftime("%d/%m/%Y") if a.due_at else ""
    expires = a.expires_at.strftime("%d/%m/%Y") if a.expires_at else ""
    if e.kind == ReminderLog.Kind.DUE_SOON:
        subject = _("Reminder: “%(title)s” is due on %(date)s") % {"title": title, "date": due}
        text = _("CCHC Dong Nai: “%(title)s” is due on %(date)s. Study at %(url)s") % {
            "title": title, "date": due, "url": settings.SITE_URL + "/hoc-tap/"}
    elif e.kind == ReminderLog.Kind.OVERDUE:
        subject = _("Overdue: “%(title)s”") % {"title": title}
        text = _("CCHC Dong Nai: “%(title)s” is overdue. Please complete it at %(url)s") % {
            "title": title, "url": settings.SITE_URL + "/hoc-tap/"}
    else:
        subject = _("Your completion of “%(title)s” expires on %(date)s") % {"title": title, "date": expires}
        text = _("CCHC Dong Nai: your completion of “%(title)s” expires on %(date)s. Renew it at %(url)s") % {
            "title": title, "date": expires, "url": settings.SITE_URL + "/hoc-tap/"}
    body = render_to_string("lms/email/reminder.txt", {
        "kind": e.kind, "assignment": a, "official": a.official, "days_left": e.context.get("days_left"),
        "url": settings.SITE_URL + "/hoc-tap/"})
    return subject, body, text


def reminders_send(*, today: dt.date | None = None) -> dict:
    """Bring statuses up to date, then send every reminder due today that was not sent before."""
    from .services import assignment_status_refresh

    today = today or timezone.localdate()
    assignment_status_refresh(today=today)
    events = due_events(today=today)
    return {"due": len(events), "sent": deliver(events, render=_render_assignment)}


# --- Personnel officers' digest --------------------------------------------------------------------------------

def digest_events(*, today: dt.date) -> list[Event]:
    """One digest per personnel officer per ISO week, for those whose units have someone behind."""
    year, week, _day = today.isocalendar()
    officers = User.objects.filter(groups__name=roles.PERSONNEL, scope_unit__isnull=False, is_active=True
                                   ).distinct()
    events = []
    for user in officers:
        # All the officer's units in one digest, named in the subject and the opening line.
        scope = scope_for(user)
        if not scope.unit_paths:
            continue
        behind = selectors.behind_in(scope, today=today)
        if behind["overdue_count"] or behind["soon_count"]:
            names = ", ".join(scope.units().filter(path__in=scope.unit_paths).order_by("path")
                              .values_list("name", flat=True))
            events.append(Event(user.pk, ReminderLog.Kind.DIGEST, f"digest:{year}-W{week:02d}",
                                context={"behind": behind, "unit_names": names}))
    return events


def _render_digest(e: Event, user) -> tuple[str, str, str]:
    names = e.context["unit_names"]
    subject = _("Weekly training digest: %(unit)s") % {"unit": names}
    body = render_to_string("lms/email/digest.txt", {"user": user, "unit_names": names, **e.context["behind"],
                                                     "url": settings.SITE_URL + "/hoc-tap/quan-ly/"})
    return subject, body, ""


def digests_send(*, today: dt.date | None = None) -> int:
    """Send this week's digest to each personnel officer who has not had it yet."""
    today = today or timezone.localdate()
    return deliver(digest_events(today=today), render=_render_digest)


# --- Session invitations ---------------------------------------------------------------------------------------

def _render_invitation(e: Event, user) -> tuple[str, str, str]:
    s: TrainingSession = e.context["session"]
    when = timezone.localtime(s.starts_at).strftime("%H:%M %d/%m/%Y")
    subject = _("Invitation: %(title)s, %(when)s") % {"title": s.title, "when": when}
    body = render_to_string("lms/email/invitation.txt", {"session": s, "user": user,
                                                         "url": settings.SITE_URL + "/hoc-tap/"})
    text = _("CCHC Dong Nai: you are invited to “%(title)s” at %(when)s, %(place)s.") % {
        "title": s.title, "when": when, "place": s.location}
    return subject, body, text


def session_invitations_send(*, session: TrainingSession) -> int:
    """Invite the session's audience; a rescheduled session invites again, an unchanged one never twice."""
    from .services import session_invitees

    key = f"s{session.pk}:invite:{session.starts_at.isoformat()}"
    events = [Event(user_id, ReminderLog.Kind.INVITATION, key, oid, session_id=session.pk,
                    context={"session": session})
              for oid, user_id in session_invitees(session).values_list("pk", "user_id")]
    sent = deliver(events, render=_render_invitation)
    TrainingSession.objects.filter(pk=session.pk).update(invitations_sent_at=timezone.now())
    return sent
