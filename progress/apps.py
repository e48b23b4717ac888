from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = "进度与状态"

    def ready(self) -> None:
        # progress.tasks registers the Celery tasks that progress.enqueueing enqueues by name.
        from progress import tasks  # noqa: F401
        from progress.statuses import definitions_changed_receiver
        from targets.signals import definitions_changed

        definitions_changed.connect(definitions_changed_receiver, dispatch_uid="progress.statuses")
