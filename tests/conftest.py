"""Shared fixtures. The bundled 2020 report is loaded once per test session (after the test database is
created), so every test starts from the real data and rolls back its own changes."""

import pytest
from django.core.management import call_command

from targets import roles
from targets.models import Report
from tests.factories import UserFactory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_report", verbosity=0)


@pytest.fixture
def report_2020(db) -> Report:
    return Report.objects.get(issuer="吴忠市人民政府", year=2020)


@pytest.fixture
def manager_wang(db):
    """王督查, of the supervision office (督查室): sees everything."""
    return UserFactory(username="wang_duchashi", first_name="督查", last_name="王", role=roles.MANAGER)


@pytest.fixture
def administrator_li(db):
    return UserFactory(
        username="li_admin", first_name="管理员", last_name="李", role=roles.ADMINISTRATOR, is_superuser=True
    )
