"""The roles of PRODUCT.md §1 as Django groups, and which model permissions each holds.

The groups are created by a data migration (targets/migrations/0002_roles.py) and their permissions are
re-synchronised after every `migrate`, so that a model added by a later migration reaches its roles.
"""

from django.utils.translation import gettext_lazy as _

ADMINISTRATOR = "系统管理员"
MANAGER = "督查室"
REVIEWER = "单位负责人"
OFFICIAL = "填报员"

ROLE_DESCRIPTIONS = {
    ADMINISTRATOR: _("用户、责任单位、计划任务和阈值"),
    MANAGER: _("分配目标、查看全部进度与报表"),
    REVIEWER: _("审核本单位的进度填报"),
    OFFICIAL: _("填报本单位目标的进度"),
}

# app_label.codename patterns; "*" grants every permission of the model or app.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    ADMINISTRATOR: [
        "targets.*",
        "auth.*",
        "django_celery_beat.*",
        "authtoken.*",
    ],
    MANAGER: [
        "targets.view_report",
        "targets.view_chapter",
        "targets.view_keytask",
        "targets.view_department",
        "targets.view_target",
        "targets.change_target",
        "targets.view_baseline",
        "targets.view_targetdepartment",
        "targets.add_targetdepartment",
        "targets.change_targetdepartment",
        "targets.delete_targetdepartment",
        "targets.view_departmentmembership",
    ],
    REVIEWER: [
        "targets.view_report",
        "targets.view_chapter",
        "targets.view_keytask",
        "targets.view_target",
        "targets.view_baseline",
    ],
    OFFICIAL: [
        "targets.view_report",
        "targets.view_chapter",
        "targets.view_keytask",
        "targets.view_target",
        "targets.view_baseline",
    ],
}
