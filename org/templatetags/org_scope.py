"""`{% closed_scope_warning %}`: the warning a personnel officer sees, on their page and on the coverage report,
while they are still bound to a unit that has been closed (its figures stop at that date)."""
from django import template

from ..selectors import closed_scope_units

register = template.Library()


@register.inclusion_tag("org/_closed_scope_warning.html", takes_context=True)
def closed_scope_warning(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {"closed_units": closed_scope_units(user) if user is not None else []}
