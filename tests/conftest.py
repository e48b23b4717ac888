"""Shared fixtures. The bundled 2020 report is loaded once per test session (after the test database is
created), so every test starts from the real data and rolls back its own changes.

Also shared: the clock (`july_3rd_2020`, and `clock` to move it about), and the named people of the
supervision office and of the departments, each in the role group of their department:

| fixture          | person  | username        | department            | role     |
| ---------------- | ------- | --------------- | --------------------- | -------- |
| `manager_wang`   | 王督查  | wang_duchashi   | 督查室 (sees all)     | manager  |
| `official_zhang` | 张工信  | zhang_gongxin   | 工业和信息化局        | official |
| `reviewer_chen`  | 陈局长  | chen_gongxin    | 工业和信息化局        | reviewer |
| `official_zhao`  | 赵农业  | zhao_nongye     | 农业农村局            | official |
| `reviewer_zhou`  | 周局长  | zhou_nongye     | 农业农村局            | reviewer |
| `official_sun`   | 孙统计  | sun_tongji      | 统计局                | official |
| `reviewer_qian`  | 钱局长  | qian_tongji     | 统计局                | reviewer |
| `official_liu`   | 刘发改  | liu_fagai       | 发展和改革委员会      | official |
| `official_he`    | 何科技  | he_keji         | 科学技术局            | official |

Everyone has an address <username with a dot>@wuzhong.example (王督查: wang.ducha@wuzhong.example).

Passwords are hashed with MD5 throughout the test session (`fast_password_hasher`): the production hasher
(PBKDF2, a third of a second per hash) would spend half of the unit suite's time making people.
`tests/wuzhong_tracker/test_password_hashing.py` runs with the production hasher to prove it is the one
configured."""

import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import override_settings

from targets import roles
from targets.models import Department, Report
from tests.factories import UserFactory
from tests.robot_server import RobotServer

WUZHONG = ZoneInfo("Asia/Shanghai")
# What the settings say, read before `fast_password_hasher` replaces it for the session.
PRODUCTION_PASSWORD_HASHERS = list(settings.PASSWORD_HASHERS)


def department_user(code: str, role: str, username: str, email: str | None = None, **names):
    """A person in the role group `role` (roles.OFFICIAL, roles.REVIEWER) of the department with this code.
    Made once per username (UserFactory gets or creates), with the factory's address unless `email` is given."""
    fields = names if email is None else {"email": email, **names}
    return UserFactory(username=username, role=role, department=Department.objects.get(code=code), **fields)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped integration or browser test is a failure, whatever skipped it: a suite that
    did not run must not pass (service_unavailable already fails there; this catches every other skip)."""
    report = yield
    needs_the_real_thing = item.get_closest_marker("integration") or item.get_closest_marker("browser")
    if report.skipped and needs_the_real_thing and os.environ.get("CI", "").lower() == "true":
        report.outcome = "failed"
        report.longrepr = f"CI=true: {item.nodeid} was skipped ({report.longrepr}) — it must run in CI"
    return report


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():
    """MD5 for every password the tests make or check (see the module's docstring)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def production_password_hasher(settings):
    """The hashers the settings configure, for a test about them."""
    settings.PASSWORD_HASHERS = PRODUCTION_PASSWORD_HASHERS


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_report", verbosity=0)


@pytest.fixture(scope="session")
def live_server(live_server):
    """pytest-django's live server (the browser and fuzz suites), its connections with TCP_NODELAY. Django's
    development server writes a response's headers and body in separate small packets; on a kept-alive
    connection Nagle's algorithm then holds the body back until the client's delayed ACK, about 40 ms
    per request — most of the fuzz suite's time (a few thousand requests) was that wait."""
    original = WSGIRequestHandler.disable_nagle_algorithm
    WSGIRequestHandler.disable_nagle_algorithm = True  # read as each connection is set up
    yield live_server
    WSGIRequestHandler.disable_nagle_algorithm = original


# ---------------------------------------------------------------------------------------------- clock


@pytest.fixture
def july_3rd_2020(time_machine):
    """Friday 3 July 2020, 10:00 in Wuzhong, the clock standing still: the June figures are being reported
    and reviewed. Returns the time machine, for a test that moves on from there."""
    time_machine.move_to(dt.datetime(2020, 7, 3, 10, 0, tzinfo=WUZHONG), tick=False)
    return time_machine


@pytest.fixture
def clock(july_3rd_2020):
    """The clock at `july_3rd_2020`; `clock(day, hour=10, minute=0)` moves it to that time in Wuzhong, `day` a
    date or "YYYY-MM-DD". Entries and messages are dated by it."""

    def move_to(day: dt.date | str, hour: int = 10, minute: int = 0) -> None:
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        july_3rd_2020.move_to(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WUZHONG), tick=False)

    return move_to


# --------------------------------------------------------------------------------------------- people


@pytest.fixture
def report_2020(db) -> Report:
    return Report.objects.get(issuer="吴忠市人民政府", year=2020)


@pytest.fixture
def manager_wang(db):
    """王督查, of the supervision office (督查室): sees everything."""
    return UserFactory(
        username="wang_duchashi",
        first_name="督查",
        last_name="王",
        email="wang.ducha@wuzhong.example",
        role=roles.MANAGER,
    )


@pytest.fixture
def manager_client(client, manager_wang):
    """The test client, signed in as 王督查."""
    client.force_login(manager_wang)
    return client


@pytest.fixture
def administrator_li(db):
    return UserFactory(
        username="li_admin", first_name="管理员", last_name="李", role=roles.ADMINISTRATOR, is_superuser=True
    )


def _person(code: str, role: str, username: str, who: str):
    """The fixture of one named person of a department (see the table above)."""

    def person(db):
        email = f"{username.replace('_', '.')}@wuzhong.example"
        return department_user(code, role, username, email=email, last_name=who[0], first_name=who[1:])

    person.__doc__ = f"{who}: {username}, {role} of the department {code!r}."
    return pytest.fixture(person)


# Each fixture is named after the module attribute; 1.1.03 新增规上企业 is led by 工业和信息化局 with 统计局
# co-operating, 1.2.10 新增奶牛 led by 农业农村局, CPI 0.1.07 and GDP growth 0.1.01 by 发展和改革委员会, the
# milestone 5.3.09 开放吴忠科技馆 by 科学技术局.
official_zhang = _person("industry", roles.OFFICIAL, "zhang_gongxin", "张工信")
reviewer_chen = _person("industry", roles.REVIEWER, "chen_gongxin", "陈局长")
official_zhao = _person("agriculture", roles.OFFICIAL, "zhao_nongye", "赵农业")
reviewer_zhou = _person("agriculture", roles.REVIEWER, "zhou_nongye", "周局长")
official_sun = _person("stats", roles.OFFICIAL, "sun_tongji", "孙统计")
reviewer_qian = _person("stats", roles.REVIEWER, "qian_tongji", "钱局长")
official_liu = _person("ndrc", roles.OFFICIAL, "liu_fagai", "刘发改")
official_he = _person("science", roles.OFFICIAL, "he_keji", "何科技")


@pytest.fixture
def warm_caches(db):
    """Fill the per-process ContentType cache first, so that a query count does not depend on whether an
    earlier test in the same process happened to look the content types up (it flakes under xdist)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(*apps.get_models())


@pytest.fixture
def robot():
    """A group robot listening on 127.0.0.1 (tests/robot_server.py), answering `{"errcode": 0}` until told
    otherwise; stopped after the test."""
    server = RobotServer()
    server.start()
    yield server
    server.stop()
