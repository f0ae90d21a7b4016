"""docker-compose.yml runs the production shape; every command in it must name code that exists."""
import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def commands(service: dict) -> list[list[str]]:
    command = service.get("command") or []
    text = command if isinstance(command, str) else shlex.join(command)
    if text.startswith("sh -c "):
        text = shlex.split(text)[2]
    return [shlex.split(part) for part in re.split(r"&&|;", text) if part.strip()]


def resolve(dotted: str):
    module, _, attr = dotted.partition(":")
    mod = importlib.import_module(module)
    return getattr(mod, attr) if attr else mod


def test_the_five_services_are_there_with_healthchecks():
    services = COMPOSE["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    for name, service in services.items():
        assert "healthcheck" in service, name
    assert {"pgdata", "redisdata", "media"} <= set(COMPOSE["volumes"])


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_commands_name_modules_that_exist(name):
    service = COMPOSE["services"][name]
    assert service["environment"]["DATABASE_URL"].startswith("postgres://")
    assert service["environment"]["REDIS_URL"].startswith("redis://")
    checked = 0
    for argv in commands(service):
        if argv[0] == "gunicorn":
            app = resolve(argv[1])
            assert callable(app)
            checked += 1
        elif argv[0] == "celery":
            app_module = argv[argv.index("-A") + 1]
            assert resolve(app_module).celery_app.main == "config"
            if "--scheduler" in argv:
                resolve(argv[argv.index("--scheduler") + 1])
            assert argv[3] in {"worker", "beat"}
            checked += 1
        elif argv[:2] == ["python", "manage.py"]:
            from django.core.management import get_commands

            assert argv[2] in get_commands()
            checked += 1
    assert checked >= 1


def test_dockerfile_serves_the_wsgi_app():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "config.wsgi:application" in dockerfile and "requirements.txt" in dockerfile
