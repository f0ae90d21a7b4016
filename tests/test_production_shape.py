"""docker-compose.yml runs the production shape; every command in it must name code that exists."""
import importlib
import os
import re
import shlex
import shutil
import subprocess
import sys
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


def _nginx() -> str:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx is None:
        if os.environ.get("E2E_REQUIRED"):  # CI installs Debian's nginx-light and must run these
            pytest.fail("nginx is not installed")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    return nginx


def _nginx_conf(tmp_path, *, upstream: str, listen: str = "8080") -> Path:
    """The template rendered with docker-compose.yml's values (paths moved to this test's folder), in a main file."""
    env = {**COMPOSE["services"]["proxy"]["environment"], "CCHC_UPSTREAM": upstream, "CCHC_LISTEN": listen,
           "CCHC_MEDIA_ROOT": str(tmp_path), "CCHC_ACCESS_LOG": str(tmp_path / "access.log"),
           "CCHC_ERROR_ROOT": str(ROOT / "deploy" / "nginx" / "errors")}
    (tmp_path / "site.conf").write_text(rendered(env))
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the error pages wherever the clone is
    (tmp_path / "nginx.conf").write_text(
        f"{user} pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy; "
        f"include {tmp_path}/site.conf; }}\n")
    return tmp_path / "nginx.conf"


def test_the_proxy_configuration_is_valid_nginx(tmp_path):
    conf = _nginx_conf(tmp_path, upstream="127.0.0.1:8000")
    check = subprocess.run([_nginx(), "-t", "-q", "-c", str(conf), "-p", str(tmp_path),
                            "-e", str(tmp_path / "error.log")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_when_the_application_cannot_answer_the_proxy_says_so_in_vietnamese(tmp_path):
    import json
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # gunicorn is down (restarting, say): nothing listens on the socket the proxy sends to.
    conf = _nginx_conf(tmp_path, upstream=f"unix:{tmp_path}/gunicorn.sock", listen=f"127.0.0.1:{port}")
    nginx = subprocess.Popen([_nginx(), "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                              "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def fetch(path: str, method: str = "GET"):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                         data=b'{"seq": 1}' if method == "PUT" else None)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        return refused.value.code, refused.value.headers["Content-Type"], refused.value.read().decode()

    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        status, kind, body = fetch("/thi/")  # a page: an HTML page in Vietnamese
        assert status == 502 and kind.startswith("text/html")
        assert "Hệ thống đang bận" in body and "Bài thi của tôi" in body
        status, kind, body = fetch("/api/attempts/1/answers/1", "PUT")  # the exam room's autosave: JSON
        assert status == 502 and kind.startswith("application/json")
        assert "gửi lại" in json.loads(body)["detail"]
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)


# --- The secret key -----------------------------------------------------------------------------------------------

def _start(argv: list[str], **env: str) -> subprocess.CompletedProcess:
    """A process started as a server would be: only the environment given (no SECRET_KEY unless given)."""
    base = {"PATH": os.environ["PATH"], "HOME": str(ROOT), "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run(argv, cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("key", [None, "built-in"])
def test_with_debug_off_the_platform_refuses_to_start_without_a_key_of_its_own(key):
    from config.settings import DEVELOPMENT_SECRET_KEY

    env = {} if key is None else {"SECRET_KEY": DEVELOPMENT_SECRET_KEY}
    check = _start([sys.executable, "manage.py", "check"], **env)
    assert check.returncode != 0
    assert "SECRET_KEY is missing or is the built-in development key" in check.stderr
    gunicorn = _start([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", "127.0.0.1:0",
                       "--workers", "1"], **env)
    assert gunicorn.returncode != 0
    assert "SECRET_KEY is missing or is the built-in development key" in gunicorn.stderr


def test_the_development_server_and_a_deployment_with_its_own_key_start():
    assert _start([sys.executable, "manage.py", "check"], DEBUG="true").returncode == 0  # make run
    done = _start([sys.executable, "manage.py", "check"], SECRET_KEY="a-key-of-this-deployment-" + "x" * 40)
    assert done.returncode == 0, done.stderr
