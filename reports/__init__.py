"""Reports: coverage as of any date, periodic reports and their export jobs, the public page, exam statistics pages.
The top of the domain layers: it reads org, exams and lms through their selectors; nothing below imports it."""
