"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser) against a live server."""
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in this thread; the ORM calls made by fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    if not os.path.exists(CHROMIUM) and not os.environ.get("E2E_REQUIRED"):
        skip = pytest.mark.skip(reason="Debian's chromium is not installed (apt-get install chromium)")
        for item in items:
            if item.get_closest_marker("e2e"):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Playwright's wait_for_function evaluates its expression with eval, which the site's Content-Security-Policy
        # forbids: test contexts bypass the policy unless they ask otherwise (test_security_headers.py checks it).
        new_context = browser.new_context
        browser.new_context = lambda **options: new_context(**{"bypass_csp": True, **options})
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db, settings):
    """The demo unit tree and accounts, with a small synthetic roster."""
    from org import demo as demo_data

    demo_data.seed_units()
    demo_data.seed_officials(1200)
    demo_data.seed_accounts()
    from content import demo as content_demo

    content_demo.seed_site()
    return settings.DEMO_PASSWORD


def sign_in(page, base_url: str, login: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base_url}/toi/")


# --- The exam room: the exams the room tests sit, and the steps every sitting starts with ------------------------

# What the proxy (deploy/nginx) answers an API call when the application cannot answer.
PROXY_BUSY_JSON = (Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "errors" / "50x.json").read_text()


@pytest.fixture
def exam(demo):
    """Six of 12 single-choice questions, options in the bank's order (the right one first)."""
    from tests.factories import ExamFactory, TopicFactory

    bank = TopicFactory(name="Một cửa", choices=12,
                        choices__text="Câu hỏi số {i} về tiếp nhận hồ sơ tại Bộ phận Một cửa?",
                        choices__wrong=("Sai A{i}", "Sai B{i}"))
    return ExamFactory(title="Sát hạch công chức một cửa", time_limit_minutes=20, published=True,
                       shuffle_options=False, bank=bank, bank__draw_count=6)


@pytest.fixture
def short_answer_exam(demo):
    from tests.factories import ExamFactory, TopicFactory

    bank = TopicFactory(name="Trả lời ngắn",
                        gift="::Viết tắt::Bộ phận tiếp nhận và trả kết quả thường gọi là bộ phận gì?{=Một cửa}")
    return ExamFactory(title="Trả lời ngắn", time_limit_minutes=20, published=True, bank=bank, bank__draw_count=1)


def start_sitting(page, live_server, demo, ready: str = "#q6") -> None:
    """The demo official signs in, opens "Bài thi của tôi" and starts the exam; returns once `ready` shows."""
    sign_in(page, live_server.url, "official", demo)
    page.goto(f"{live_server.url}/thi/")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_selector(ready)


def answer(page, slot, option):
    """Pick the option shown at `option` (0 = first) of a single-choice question."""
    page.locator(f"#q{slot} input[type=radio]").nth(option).check()


def submit(page) -> None:
    """Submit from the room: its button, then "Nộp bài ngay" in the room's own dialog (never the browser's confirm)."""
    page.get_by_role("button", name="Nộp bài", exact=True).click()
    page.get_by_role("dialog", name="Nộp bài thi?").get_by_role("button", name="Nộp bài ngay").click()
