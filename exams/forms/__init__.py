"""The exams app's forms, by page: `question` (the single-question editor), `bank_import` (a bank file upload),
`grading` (essay marks, regrade), `admin` (the Wagtail admin's exam, section and accommodation forms). Forms parse and
check; the writing is in exams.services and exams.grading."""
