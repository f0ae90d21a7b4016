"""Shared pieces that know no domain app: text folding, request helpers, and (by issue 13) the background-job base,
the tabular reader and writer, view guards and form mixins. Nothing here imports org, content, exams, lms or
reports."""
