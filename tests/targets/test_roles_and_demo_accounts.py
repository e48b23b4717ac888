"""Roles are groups made by a migration with their permissions; `make run`'s demo accounts cover them."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from targets import roles

pytestmark = pytest.mark.django_db


def _codenames(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def test_each_role_group_exists_with_its_permissions():
    assert {roles.ADMINISTRATOR, roles.MANAGER, roles.REVIEWER, roles.OFFICIAL} <= set(
        Group.objects.values_list("name", flat=True)
    )
    assert "targets.change_target" in _codenames(roles.MANAGER)
    assert "targets.change_target" not in _codenames(roles.OFFICIAL)
    assert "targets.view_target" in _codenames(roles.OFFICIAL)
    assert "django_celery_beat.change_periodictask" in _codenames(roles.ADMINISTRATOR)


def test_demo_accounts_are_created_with_roles_and_departments_and_printed(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("create_demo_accounts", stdout=out)

    official = get_user_model().objects.get(username="agri_official")
    assert official.check_password("agri_official-demo-2020")
    assert official.membership.department.name == "农业农村局"
    assert list(official.groups.values_list("name", flat=True)) == [roles.OFFICIAL]
    assert get_user_model().objects.get(username="admin").is_superuser
    assert "用户名 manager" in out.getvalue()
    assert "manager-demo-2020" in out.getvalue()
    every_role = {
        name for user in get_user_model().objects.all() for name in user.groups.values_list("name", flat=True)
    }
    assert every_role == {roles.ADMINISTRATOR, roles.MANAGER, roles.REVIEWER, roles.OFFICIAL}


def test_demo_accounts_are_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("create_demo_accounts")
    assert not get_user_model().objects.filter(username="manager").exists()
