from django.conf import settings

from wuzhong_tracker.celery import app


def test_celery_reads_the_celery_namespace_and_speaks_json_only():
    assert app.main == "wuzhong_tracker"
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.timezone == "Asia/Shanghai"
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT


def test_locale_and_time_zone():
    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ) == ("zh-hans", "Asia/Shanghai", True)
