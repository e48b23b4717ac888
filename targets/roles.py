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
    MANAGER: _("分配目标、查看全部进度与报表、下发督办单"),
    REVIEWER: _("审核本单位的进度填报、反馈督办单"),
    OFFICIAL: _("填报本单位目标的进度"),
}

# What officials and reviewers may do; which rows they may do it to is decided by the selectors
# (their department's targets and entries only).
_DEPARTMENT_PERMISSIONS = [
    "targets.view_report",
    "targets.view_chapter",
    "targets.view_keytask",
    "targets.view_target",
    "targets.view_baseline",
    "progress.view_progressentry",
    "progress.add_progressentry",
    "progress.change_progressentry",
    "progress.view_evidencefile",
    "progress.add_evidencefile",
    "progress.view_mytarget",
    "progress.view_statuschange",
    "progress.view_notice",
]

# app_label.codename patterns; "*" grants every permission of the model or app.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    ADMINISTRATOR: [
        "targets.*",
        "progress.*",
        "auth.*",
        "django_celery_beat.*",
        "authtoken.*",
        "axes.*",  # sign-in lockouts: read them, and delete one to unlock early
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
        "progress.view_progressentry",
        "progress.view_evidencefile",
        "progress.view_mytarget",
        "progress.view_targetstatus",
        "progress.view_statuschange",
        "progress.view_message",
        # 督办: issue a notice (add), close it or press again (change).
        "progress.view_notice",
        "progress.add_notice",
        "progress.change_notice",
        # The next year's report: upload its text, review the draft, publish it (targets/draft_review.py).
        "targets.view_reportdraft",
        "targets.add_reportdraft",
        "targets.change_reportdraft",
    ],
    REVIEWER: [*_DEPARTMENT_PERMISSIONS, "progress.review_progressentry", "progress.answer_notice"],
    OFFICIAL: _DEPARTMENT_PERMISSIONS,
}


def sees_everything(user) -> bool:
    """Managers and administrators see every department's targets and entries (PRODUCT.md §1)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or _has_group(user, MANAGER) or _has_group(user, ADMINISTRATOR)


def is_reviewer(user) -> bool:
    return user.is_authenticated and user.is_active and _has_group(user, REVIEWER)


def department_of(user):
    """The user's department, or None (managers and administrators usually have none); one query, cached
    on the user object for the request."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_wz_department"):
        from targets.models import Department

        user._wz_department = Department.objects.filter(memberships__user=user).first()
    return user._wz_department


def _has_group(user, name: str) -> bool:
    # Cached on the user object: the admin asks several times per request.
    if not hasattr(user, "_wz_group_names"):
        user._wz_group_names = set(user.groups.values_list("name", flat=True))
    return name in user._wz_group_names


def display_name(user) -> str:
    """A person as colleagues name them: the full name, surname first (张三), else the username."""
    return f"{user.last_name}{user.first_name}".strip() or user.username
