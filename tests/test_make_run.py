"""`make run` serves the demo on HOST:PORT, and the public address (SITE_URL: certificate QR codes, e-mail links)
follows them unless it is given."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def dry_run(*args: str) -> str:
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    env = {"PATH": "/usr/bin:/bin"}  # no SITE_URL from the environment running the tests
    return subprocess.run(["make", "-n", "run", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True).stdout


def test_make_run_points_the_public_address_at_its_own_host_and_port():
    out = dry_run("HOST=127.0.0.1", "PORT=8103")
    assert "runserver 127.0.0.1:8103" in out
    assert "(SITE_URL, mã QR của chứng nhận): http://127.0.0.1:8103" in out


def test_a_given_public_address_is_kept():
    out = dry_run("HOST=0.0.0.0", "PORT=8103", "SITE_URL=https://cchc.dongnai.example")
    assert "runserver 0.0.0.0:8103" in out and "): https://cchc.dongnai.example" in out
