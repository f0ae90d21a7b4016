"""The demo: `manage.py seed_demo` loads each app's own demo data (org, content, exams, lms) in order. It sits on
top of the domain apps, so none of them needs to know the others' demo."""
