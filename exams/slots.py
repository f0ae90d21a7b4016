"""The places on the exams app's pages where apps above it add their own HTML (see org.templatetags.extension_points):
each is a Wagtail hook name, called with the template context and the arguments noted."""

# The trainer's links for one exam (bank list, live monitor, results), fn(context, exam, style): style "list" (an
# item of a " · "-separated list), "button" or "small-button" (the page's buttons, each after a space).
EXAM_TRAINER_LINKS = "exams_exam_trainer_links"
