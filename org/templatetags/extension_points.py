"""`{% extension_point "name" obj … %}`: the HTML that apps above this one add at a named place of a lower app's
page, so the lower app's templates never name them. The lower app declares its places (`org.slots`,
`content.slots`); a higher app fills one with a Wagtail hook of that name, called as fn(context, obj, …), which
returns HTML marked safe (format_html, a rendered template) or plain text (escaped here). Hooks run in
INSTALLED_APPS order, so what several apps add keeps one order."""
from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from wagtail import hooks

register = template.Library()


@register.simple_tag(takes_context=True)
def extension_point(context, name: str, *args):
    return mark_safe("".join(conditional_escape(fn(context, *args) or "") for fn in hooks.get_hooks(name)))
