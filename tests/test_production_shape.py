"""docker-compose.yml runs the production shape; every command in it must name code that exists."""
import importlib
import os
import re
import shlex
import shutil
import subprocess
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


def test_the_six_services_are_there_with_healthchecks():
    services = COMPOSE["services"]
    assert set(services) == {"proxy", "web", "worker", "beat", "db", "redis"}
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


# --- The proxy (deploy/nginx) -----------------------------------------------------------------------------------

TEMPLATE = ROOT / "deploy" / "nginx" / "cchc.conf.template"


def rendered(env: dict) -> str:
    """As the nginx image's entrypoint renders /etc/nginx/templates: only variables set in its environment."""
    text = TEMPLATE.read_text()
    for name, value in env.items():
        text = text.replace("${" + name + "}", str(value))
    return text


def test_only_the_proxy_publishes_a_port_and_the_app_trusts_its_header():
    services = COMPOSE["services"]
    assert [name for name, service in services.items() if service.get("ports")] == ["proxy"]
    proxy = services["proxy"]
    assert proxy["environment"]["CCHC_UPSTREAM"] == f"web:{services['web']['expose'][0]}"
    assert any(v.startswith("./deploy/nginx/cchc.conf.template:/etc/nginx/templates/") for v in proxy["volumes"])
    # Django reads the client's address from the very header nginx sets (exam IP ranges depend on it) ...
    header = services["web"]["environment"]["TRUSTED_CLIENT_IP_HEADER"]
    assert f"proxy_set_header {header} $remote_addr;" in TEMPLATE.read_text()
    # ... and every variable of the template is given: none is left for nginx to read as its own.
    text = rendered(proxy["environment"])
    assert not re.findall(r"\$\{\w+\}", text)


def test_the_proxy_configuration_is_valid_nginx(tmp_path):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx is None:
        if os.environ.get("E2E_REQUIRED"):  # CI installs Debian's nginx-light and must run this
            pytest.fail("nginx is not installed")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    env = {**COMPOSE["services"]["proxy"]["environment"], "CCHC_UPSTREAM": "127.0.0.1:8000",
           "CCHC_MEDIA_ROOT": str(tmp_path), "CCHC_ACCESS_LOG": str(tmp_path / "access.log")}
    (tmp_path / "site.conf").write_text(rendered(env))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy; "
        f"include {tmp_path}/site.conf; }}\n")
    check = subprocess.run([nginx, "-t", "-q", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path),
                            "-e", str(tmp_path / "error.log")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
