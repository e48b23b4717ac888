"""The digest job runs every day at 08:30 and sends on the week's first working day (Monday, or the next
working day after a Monday holiday): the working calendar decides, not cron (progress.notifications.digest_due).
"""

from django.db import migrations

NAME = "督查周报摘要"


def every_day(apps, schema_editor):
    _reschedule(apps, "*", "每天08:30运行，在每周第一个工作日（周一；周一放假则顺延）向督查室发送周报摘要。")


def mondays_only(apps, schema_editor):
    _reschedule(apps, "1", "每周一08:30向督查室发送周报摘要。")


def _reschedule(apps, day_of_week: str, description: str) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    task = PeriodicTask.objects.filter(name=NAME, task="progress.send_digest").select_related("crontab").first()
    if task is None or task.crontab is None:
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=task.crontab.minute, hour=task.crontab.hour, day_of_week=day_of_week, day_of_month="*",
        month_of_year="*", timezone="Asia/Shanghai",
    )  # fmt: skip
    task.crontab = crontab
    task.description = description
    task.save()


class Migration(migrations.Migration):
    dependencies = [("progress", "0006_stale_status_schedule")]

    operations = [migrations.RunPython(every_day, mondays_only)]
