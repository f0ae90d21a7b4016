"""The places on org's pages where apps above org add their own HTML (see org.templatetags.extension_points):
each is a Wagtail hook name, called as fn(context, official)."""

# Cards on the signed-in person's page, after their roster record (officials only).
DASHBOARD_OFFICIAL = "org_dashboard_official"
# Cards at the foot of an official's page in the roster.
OFFICIAL_PAGE = "org_official_page"

# Cards on the signed-in person's page for everyone, with or without a roster record: fn(context, user).
DASHBOARD_USER = "org_dashboard_user"
