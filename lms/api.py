"""The LMS's JSON endpoints."""
from ninja import Router

router = Router(tags=["lms"])
