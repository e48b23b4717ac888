from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = "目标任务"

    def ready(self) -> None:
        from targets.signals import sync_role_permissions

        # Permissions are created in post_migrate too; syncing after them keeps each role complete.
        post_migrate.connect(sync_role_permissions, dispatch_uid="targets.sync_role_permissions")
