"""The browser suite: Playwright drives the system chromium (Debian's `chromium`, installed by .ci/run with
apt; never a browser Playwright downloads) against the app served by pytest-django's `live_server`.

Where chromium is missing or cannot be launched, the tests are skipped with the reason printed (`-ra`),
except under CI=true, where that fails them (tests/services.py).

Each test signs its people in through the real login form, each in a browser context of their own, with
the clock at Friday 3 July 2020, 10:00 in Wuzhong and ticking (time-machine moves the clock of every
thread in the process, the live server's included), so that the status lights mean what they meant in
the middle of 2020. A screenshot of every step goes to test-artifacts/browser/<test name>/NN-step.png.
"""

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from targets.models import Report
from tests.conftest import WUZHONG
from tests.factories import PASSWORD
from tests.services import service_unavailable

CHROMIUM = os.environ.get("WUZHONG_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the session."""
    if not os.access(CHROMIUM, os.X_OK):
        service_unavailable(f"chromium not found at {CHROMIUM} (WUZHONG_CHROMIUM; apt-get install chromium)")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as error:
        service_unavailable(f"playwright is not installed: {error}")
    # Playwright's sync API keeps an asyncio event loop in this thread, so Django would refuse the ORM
    # calls that the tests make between browser steps ("You cannot call this from an async context").
    # Nothing here is async: the loop only waits on the browser while the test thread is blocked on it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        except Error as error:
            # The first line says what failed; the browser's exit line, or what it printed, says why.
            lines = [line.strip(" -") for line in error.message.splitlines() if line.strip()]
            why = [line for line in lines if "process did exit" in line or "[err]" in line][-3:]
            service_unavailable(f"chromium at {CHROMIUM} could not be launched: {' '.join([lines[0], *why])}")
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def report_loaded(browser, transactional_db):
    """The bundled report (after the browser, so that a missing chromium skips before the load). The live
    server needs committed data, so these tests are transactional, and the database is emptied after each
    one: the session's load (tests/conftest.py) is seen by the first browser test only, so load it again
    where it is gone."""
    if not Report.objects.filter(issuer="吴忠市人民政府", year=2020).exists():
        call_command("load_report", verbosity=0)


@pytest.fixture(autouse=True)
def mid_2020(time_machine):
    """Friday 3 July 2020, 10:00 in Wuzhong, ticking: the server's clock runs on while the pages load."""
    time_machine.move_to(dt.datetime(2020, 7, 3, 10, 0, tzinfo=WUZHONG), tick=True)


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def screenshot(request):
    """`screenshot(page, "step")` saves test-artifacts/browser/<test name>/NN-step.png, numbered in order."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    taken = 0

    def take(page, step: str) -> Path:
        nonlocal taken
        taken += 1
        path = folder / f"{taken:02d}-{step}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def sign_in(sign_in_with_password, request):
    """`sign_in("official_zhang")` opens a browser context of that named person's own, signs them in
    through the admin's login form and returns the page, on the admin index."""

    def open_as(person: str):
        return sign_in_with_password(request.getfixturevalue(person).username, PASSWORD, step=person)

    return open_as


@pytest.fixture
def sign_in_with_password(browser, live_server, screenshot):
    """`sign_in_with_password("agri_official", "agri_official-demo-2020")`: the same for an account that is
    not a named fixture (the demo accounts).

    Every page's console is watched: a script or style the Content-Security-Policy blocked fails the test
    at its end, whatever page it was on (the admin's own scripts, the report pages, the forms)."""
    contexts = []
    blocked = []

    def watch(message) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(f"{message.page.url if message.page else ''}: {message.text}")

    def open_as(username: str, password: str, step: str = ""):
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": 1440, "height": 900},
            accept_downloads=True,
        )
        contexts.append(context)
        context.on("console", watch)
        page = context.new_page()
        page.goto("/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        screenshot(page, f"{step or username}-login")
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")
        assert page.locator("#site-name").inner_text() == "吴忠市政府工作报告目标任务督查系统"
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert blocked == [], "the Content-Security-Policy blocked something"
