"""The test suite's settings: config.settings itself, with a SECRET_KEY made for this run.

Tests run with DEBUG off, as production does, and config.settings refuses to start without a key of its own then.
A key given in the environment is used as it is; otherwise each run signs with a fresh random one, which the
processes a test starts (gunicorn, manage.py) inherit through the environment.
"""
import os
import secrets

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

from config.settings import *  # noqa: E402,F401,F403
