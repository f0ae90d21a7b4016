"""A gunicorn worker imports config.wsgi before it accepts connections: the URLconf must be loaded by then, so that
no candidate's request pays for it."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_importing_the_wsgi_module_loads_the_url_modules_and_the_api():
    probe = ("import sys, config.wsgi; "
             "print(' '.join(m for m in ('exams.api', 'wagtail.admin.urls', 'allauth.urls') if m not in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings",
                               "SECRET_KEY": os.environ["SECRET_KEY"],  # tests/settings.py made it
                               "HOME": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"not loaded at boot: {done.stdout}"
