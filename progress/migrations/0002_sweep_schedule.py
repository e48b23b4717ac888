"""The daily status sweep as a django-celery-beat schedule, editable in the admin (周期任务)."""

from django.db import migrations

SWEEP_NAME = "每日目标状态巡检"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # 00:30 Asia/Shanghai: after midnight so that "as of today" is the new day, before anyone is at work.
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="0", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=SWEEP_NAME,
        defaults={"task": "progress.sweep_statuses", "crontab": schedule, "description": "评估全部目标，保存状态变化和当日快照。"},
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SWEEP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("progress", "0001_initial"), ("django_celery_beat", "0018_improve_crontab_helptext")]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
