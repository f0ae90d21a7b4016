"""docker-compose.yml runs the production shape; every command in it must name code that exists."""
import contextlib
import http.server
import importlib
import json
import os
import re
import shlex
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _proxy(tmp_path, *, upstream: str):
    """nginx running the template in front of `upstream`; yields its port."""
    port = _free_port()
    conf = _nginx_conf(tmp_path, upstream=upstream, listen=f"127.0.0.1:{port}")
    nginx = subprocess.Popen([_nginx(), "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                              "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)


def _refused(port: int, path: str, method: str = "GET"):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=b'{"seq": 1}' if method == "PUT" else None)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    return refused.value


def test_when_the_application_cannot_answer_the_proxy_says_so_in_vietnamese(tmp_path):
    # gunicorn is down (restarting, say): nothing listens on the socket the proxy sends to.
    with _proxy(tmp_path, upstream=f"unix:{tmp_path}/gunicorn.sock") as port:
        page = _refused(port, "/thi/")  # a page: an HTML page in Vietnamese
        assert page.code == 502 and page.headers["Content-Type"].startswith("text/html")
        body = page.read().decode()
        assert "Hệ thống đang bận" in body and "Bài thi của tôi" in body
        answer = _refused(port, "/api/attempts/1/answers/1", "PUT")  # the exam room's autosave: JSON
        assert answer.code == 502 and answer.headers["Content-Type"].startswith("application/json")
        assert "gửi lại" in json.loads(answer.read().decode())["detail"]


def test_the_proxy_names_no_version_and_its_own_pages_carry_the_security_headers(tmp_path, settings):
    with _proxy(tmp_path, upstream=f"unix:{tmp_path}/gunicorn.sock") as port:
        page = _refused(port, "/thi/")
        assert page.headers["Server"] == "nginx"
        assert not re.search(r"nginx/\d", page.read().decode())
        # Its busy page allows nothing but its own inline style, and switches off what the application's pages do.
        assert page.headers["Content-Security-Policy"].startswith("default-src 'none'; style-src 'unsafe-inline'")
        assert page.headers["Permissions-Policy"] == ", ".join(f"{f}=()" for f in sorted(settings.PERMISSIONS_POLICY))
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        answer = _refused(port, "/api/attempts/1/answers/1", "PUT")
        assert answer.headers["Server"] == "nginx" and "default-src 'none'" in answer.headers["Content-Security-Policy"]


class _Echo(http.server.BaseHTTPRequestHandler):
    """Stands for gunicorn: answers with the request headers it received."""

    def do_GET(self):
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_proxy_passes_on_how_the_browser_came_and_hides_its_version(tmp_path):
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()

    def seen(port: int, **headers: str) -> tuple[dict, str]:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/thi/", headers=headers)
        with urllib.request.urlopen(request, timeout=5) as answer:
            return json.loads(answer.read()), answer.headers["Server"]

    try:
        with _proxy(tmp_path, upstream=f"127.0.0.1:{upstream.server_address[1]}") as port:
            got, server = seen(port)
            assert server == "nginx"  # not "nginx/1.22.1", and not the application server's name either
            assert got["x-forwarded-proto"] == "http" and got["x-real-ip"] == "127.0.0.1"
            # Behind the TLS terminator (BEHIND_TLS_PROXY): Django must learn that the browser used HTTPS.
            assert seen(port, **{"X-Forwarded-Proto": "https"})[0]["x-forwarded-proto"] == "https"
            assert seen(port, **{"X-Forwarded-Proto": "https, http"})[0]["x-forwarded-proto"] == "http"
    finally:
        upstream.shutdown()
        upstream.server_close()


# --- The secret key -----------------------------------------------------------------------------------------------

def _start(argv: list[str], **env: str) -> subprocess.CompletedProcess:
    """A process started as a server would be: only the environment given (no SECRET_KEY unless given)."""
    base = {"PATH": os.environ["PATH"], "HOME": str(ROOT), "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run(argv, cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120)


def test_with_debug_off_the_platform_refuses_to_start_without_a_key_of_its_own():
    from config.settings import DEVELOPMENT_SECRET_KEY

    refused = "SECRET_KEY is missing or is the built-in development key"
    for env in ({}, {"SECRET_KEY": DEVELOPMENT_SECRET_KEY}):
        check = _start([sys.executable, "manage.py", "check"], **env)
        assert check.returncode != 0 and refused in check.stderr
        gunicorn = _start([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", "127.0.0.1:0",
                           "--workers", "1"], **env)
        assert gunicorn.returncode != 0 and refused in gunicorn.stderr
    # The development server (make run: DEBUG on) and a deployment with its own key start.
    assert _start([sys.executable, "manage.py", "check"], DEBUG="true").returncode == 0
    done = _start([sys.executable, "manage.py", "check"], SECRET_KEY=secrets.token_urlsafe(50))
    assert done.returncode == 0, done.stderr
    # Commands that only look at the code need no key: a missing migration is found on a bare checkout.
    migrations = _start([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"])
    assert migrations.returncode == 0 and "No changes detected" in migrations.stdout, migrations.stderr


# --- HTTPS, cookies and security headers --------------------------------------------------------------------------

def _compose_env(service: str, **given: str) -> dict[str, str]:
    """A service's environment as `docker compose up` resolves it: ${NAME:-default} takes the default unless given."""
    def resolve(match: re.Match) -> str:
        name, operator, word = match.groups()
        if name in given:
            return given[name]
        assert operator == "-", f"{name} must be given"
        return word

    return {name: re.sub(r"\$\{(\w+)(?::([-?])([^}]*))?\}", resolve, str(value))
            for name, value in COMPOSE["services"][service]["environment"].items()}


def _compose_settings() -> dict:
    """The security settings the web service runs with, read by importing config.settings in its environment."""
    import json

    names = ["DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER",
             "SECURE_HSTS_SECONDS"]
    probe = ("import json; from django.conf import settings as s; "
             f"print(json.dumps({{n: getattr(s, n) for n in {names}}}))")
    done = _start([sys.executable, "-c", probe], **_compose_env("web", SECRET_KEY=secrets.token_urlsafe(50)))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_docker_compose_serves_behind_tls_with_secure_cookies_and_hsts():
    web = _compose_settings()
    assert web["DEBUG"] is False
    assert web["SESSION_COOKIE_SECURE"] and web["CSRF_COOKIE_SECURE"] and web["LANGUAGE_COOKIE_SECURE"]
    assert web["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert web["SECURE_HSTS_SECONDS"] >= 180 * 24 * 3600
    # Django's deployment checklist finds nothing but the choices README.md explains: HSTS for this host only (other
    # hosts of the domain may serve HTTP), no preload, the TLS terminator redirects HTTP, the admin's preview frames.
    deploy = _start([sys.executable, "manage.py", "check", "--deploy"],
                    **_compose_env("web", SECRET_KEY=secrets.token_urlsafe(50)))
    assert deploy.returncode == 0, deploy.stderr
    assert set(re.findall(r"\((security\.\w+)\)", deploy.stdout + deploy.stderr)) <= {
        "security.W005", "security.W021", "security.W008", "security.W019"}


@pytest.mark.django_db
def test_behind_tls_the_browser_gets_secure_cookies_hsts_and_the_security_headers(client, settings):
    web = _compose_settings()
    for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE", "SECURE_HSTS_SECONDS"):
        setattr(settings, name, web[name])
    settings.SECURE_PROXY_SSL_HEADER = tuple(web["SECURE_PROXY_SSL_HEADER"])

    page = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")  # as the proxy passes it on
    assert page.status_code == 200
    assert page.cookies["csrftoken"]["secure"]
    assert page["Strict-Transport-Security"] == f"max-age={web['SECURE_HSTS_SECONDS']}"
    policy = dict(d.strip().split(" ", 1) for d in page["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'self'" and policy["default-src"] == "'self'"
    assert "camera=()" in page["Permissions-Policy"] and "geolocation=()" in page["Permissions-Policy"]
    assert client.get("/ngon-ngu/en/", HTTP_X_FORWARDED_PROTO="https").cookies["django_language"]["secure"]
    # HSTS is only ever said over HTTPS.
    assert "Strict-Transport-Security" not in client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="http")


@pytest.mark.django_db
def test_the_policy_built_once_per_process_stays_the_sites_for_pages_and_the_admins_for_the_admin(client,
                                                                                                   admin_user):
    def script_src(response):
        return dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))["script-src"]

    client.force_login(admin_user)
    for _round in range(2):  # the second round is served from the headers built in the first
        assert script_src(client.get("/accounts/login/")) == "'self'"
        assert "'unsafe-inline'" in script_src(client.get("/admin/"))
        assert script_src(client.get("/api/me")) == "'self'"
