from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.dispatch import Signal

from targets.roles import ROLE_PERMISSIONS

# Sent with `target_ids` when what judges these targets changed (a definition, or their report's thresholds),
# so that whatever stored a judgement of them (progress, which builds on targets) can mark it stale.
definitions_changed = Signal()


def sync_role_permissions(**kwargs) -> None:
    """Give each role group exactly the permissions targets/roles.py lists (post_migrate receiver)."""
    for group_name, patterns in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        condition = Q(pk__in=[])
        for pattern in patterns:
            app_label, codename = pattern.split(".", 1)
            if codename == "*":
                condition |= Q(content_type__app_label=app_label)
            else:
                condition |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(condition))
