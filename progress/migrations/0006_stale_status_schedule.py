"""The catch-up for entries whose recomputation could not be queued, as a django-celery-beat schedule."""

from django.db import migrations

NAME = "待重算状态巡检"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "progress.recompute_stale_statuses",
            "interval": interval,
            "description": "每5分钟重算填报后未能及时重算的目标状态（如填报时消息队列不可用）。",
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("progress", "0005_stale_statuses_and_sweep_runs")]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
