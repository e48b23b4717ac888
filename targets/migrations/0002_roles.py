"""Create the role groups of PRODUCT.md §1. Their permissions are synchronised after every migrate
(targets.signals.sync_role_permissions), since permissions themselves only exist after post_migrate."""

from django.db import migrations

ROLE_GROUPS = ["系统管理员", "督查室", "单位负责人", "填报员"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, delete_groups)]
