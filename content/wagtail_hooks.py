"""The Wagtail admin as trainers see it (admin wiring only): its Help menu links to nothing outside the platform."""
from wagtail import hooks

# Wagtail's "What's new in Wagtail" and "Editor Guide" open its English guide on wagtail.org: trainers work in
# Vietnamese, on the province's network. The keyboard shortcuts stay.
_EXTERNAL_HELP = ("editor-guide",)


@hooks.register("construct_help_menu")
def keep_help_on_the_platform(request, menu_items):
    menu_items[:] = [item for item in menu_items
                     if item.name not in _EXTERNAL_HELP and not item.name.startswith("whats-new-in-wagtail")]
