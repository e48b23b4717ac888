from django.apps import AppConfig


class WuzhongTrackerConfig(AppConfig):
    """The project's wiring as an app, so that its signal receivers (the sign-in device cookie) connect."""

    name = "wuzhong_tracker"
    verbose_name = "吴忠目标任务督查系统"

    def ready(self) -> None:
        from wuzhong_tracker import sign_in  # noqa: F401  (connects the receivers)
