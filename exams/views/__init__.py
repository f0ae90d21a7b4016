"""The exams app's pages, by who uses them: `bank` (trainers keep the question bank), `room` (candidates sit exams
and read their results), `grading` (trainers watch a sitting, grade essays, regrade, read results). exams/urls.py
routes them all."""
