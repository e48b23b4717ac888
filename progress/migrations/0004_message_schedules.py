"""The message jobs as django-celery-beat schedules, editable in the admin (周期任务) without a deploy."""

from django.db import migrations

CRONTABS = {
    # name: (task, minute, hour, day_of_week, description)
    "督查周报摘要": ("progress.send_digest", "30", "8", "1", "每周一08:30向督查室发送周报摘要。"),
    "催报提醒": ("progress.send_reminders", "0", "9", "*", "每天09:00运行；节假日不发送，调休工作日照常（由工作日历判断）。"),
}
INTERVALS = {
    # name: (task, minutes, description)
    "亮灯预警巡检": ("progress.sweep_alerts", 15, "每15分钟处理状态变化，目标转为滞后或逾期时发送预警。"),
    "发件箱巡检": ("progress.flush_outbox", 1, "每分钟发送到期的消息和重试；标记中断的发送。"),
}


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, minute, hour, day_of_week, description) in CRONTABS.items():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week=day_of_week, day_of_month="*", month_of_year="*",
            timezone="Asia/Shanghai",
        )  # fmt: skip
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab, "description": description})
    for name, (task, minutes, description) in INTERVALS.items():
        interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": interval, "description": description}
        )


def delete_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[*CRONTABS, *INTERVALS]).delete()


class Migration(migrations.Migration):
    dependencies = [("progress", "0003_outbox"), ("django_celery_beat", "0018_improve_crontab_helptext")]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
