"""/healthz: is every part of the service working? For load balancers, Docker and the monitoring.

200 when the database answers, the broker answers, beat ticked recently and the last sweep is recent; 503
with the reasons otherwise. `warnings` says what needs the office's attention without making the service
unhealthy (lead departments without any recipient). Unauthenticated and free of data: it says what is wrong, never what is stored.
"""

import datetime as dt
from dataclasses import asdict, dataclass

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_celery_beat.models import PeriodicTask

from progress.models import SweepRun
from progress.notifications import unreachable_departments


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str
    age_seconds: int | None = None


def age_check(last: dt.datetime | None, now: dt.datetime, max_age: int, *, what: str) -> Check:
    """Judge how long ago something last happened against the most it may be."""
    if last is None:
        return Check(ok=False, detail=f"{what}从未运行")
    age = max(0, int((now - last).total_seconds()))
    if age > max_age:
        return Check(ok=False, detail=f"{what}已 {age} 秒未运行（上限 {max_age} 秒）", age_seconds=age)
    return Check(ok=True, detail=f"{what}于 {age} 秒前运行", age_seconds=age)


def database_check() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return Check(ok=False, detail=f"数据库不可用：{error}".strip())
    return Check(ok=True, detail="数据库正常")


def broker_check() -> Check:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return Check(ok=True, detail="未配置消息队列：任务在请求内直接执行（内嵌模式）")
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        return Check(ok=False, detail=f"消息队列不可用：{error}")
    finally:
        client.close()
    return Check(ok=True, detail="消息队列正常")


def beat_check(now: dt.datetime) -> Check:
    """The last time beat sent any scheduled task (the outbox flush is due every minute)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return Check(ok=True, detail="内嵌模式不运行定时任务（beat）")
    last = PeriodicTask.objects.filter(enabled=True).aggregate(last=Max("last_run_at"))["last"]
    return age_check(last, now, settings.HEALTH_BEAT_MAX_AGE, what="定时调度（beat）")


def sweep_check(now: dt.datetime) -> Check:
    last = SweepRun.objects.aggregate(last=Max("finished_at"))["last"]
    return age_check(last, now, settings.HEALTH_SWEEP_MAX_AGE, what="每日状态评估")


def recipient_warnings() -> list[str]:
    """What the office should fix without the service being down: lead departments nobody hears from (a
    count only — the names are in the admin and the digest, not on an unauthenticated page)."""
    count = len(unreachable_departments())
    if not count:
        return []
    return [
        f"{count}个牵头单位没有接收人（无留有邮箱的人员、无群机器人），其催报提醒和亮灯预警无人接收；名单见后台"
    ]


@never_cache
@require_GET
def healthz(request):
    now = timezone.now()
    checks = {"database": database_check(), "broker": broker_check()}
    if checks["database"].ok:
        checks["beat"] = beat_check(now)
        checks["sweep"] = sweep_check(now)
    else:
        unknown = Check(ok=False, detail="数据库不可用，无法读取")
        checks["beat"] = checks["sweep"] = unknown
    healthy = all(check.ok for check in checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unhealthy",
            "checks": {name: asdict(check) for name, check in checks.items()},
            "reasons": [check.detail for check in checks.values() if not check.ok],
            "warnings": recipient_warnings() if checks["database"].ok else [],
        },
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )
