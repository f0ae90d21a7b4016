"""Template tags other apps' templates use to show the signed-in official's learning (the lesson page)."""
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def lesson_progress(context, lesson):
    """The signed-in official's progress in a lesson: {"official", "progress"} or None for anyone else. Pages
    that use it are personal, and the page cache never serves signed-in users."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return None
    from org.selectors import official_of

    from ..models import LessonProgress

    official = context.get("current_official") or official_of(user)
    if official is None:
        return None
    progress = LessonProgress.objects.filter(official=official, lesson_id=lesson.pk).first()
    return {"official": official, "progress": progress}


@register.simple_tag(takes_context=True)
def lessons_studied(context, course) -> set:
    """Ids of the lessons of a course the signed-in official has marked as studied (empty for anyone else)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return set()
    from org.selectors import official_of

    from ..models import LessonProgress

    official = context.get("current_official") or official_of(user)
    if official is None:
        return set()
    return set(LessonProgress.objects.filter(official=official, course_id=course.pk, completed_at__isnull=False)
               .values_list("lesson_id", flat=True))
