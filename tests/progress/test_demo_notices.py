"""The demo year (`load_demo_progress`, as `make run` loads it up to 3 July 2020) holds 督办 notices in
every standing the newcomer should see — closed, answered (one of them after 继续督办), 逾期未反馈 and just
issued — each to a different department, issued by the office and answered by the department's reviewer;
a second load adds nothing."""

import datetime as dt

import pytest

from progress.demo_history import demo_history_load
from progress.models import Notice, NoticeEvent
from progress.rules import notice_standing

pytestmark = pytest.mark.django_db

DEMO_DATE = dt.date(2020, 7, 3)


def test_the_demo_year_has_notices_in_every_standing(report_2020, manager_wang, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo_history_load(report=report_2020, until=DEMO_DATE)
    notices = list(Notice.objects.order_by("number").prefetch_related("events"))
    standings = [notice_standing(state=n.state, deadline=n.deadline, as_of=DEMO_DATE).value for n in notices]
    assert standings == ["closed", "answered", "answered", "overdue", "issued"]
    assert [n.number_label for n in notices] == [f"吴督〔2020〕{i}号" for i in range(1, 6)]
    assert [n.get_level_display() for n in notices] == ["督办", "挂牌督办", "催办", "督办", "督办"]
    assert [[e.step for e in n.events.all()] for n in notices][1] == ["issue", "answer", "press", "answer"]
    assert len({n.department_id for n in notices}) == 5
    assert all(n.issued_by == manager_wang for n in notices)
    for notice in notices:
        for event in notice.events.all():
            if event.step == "answer":
                assert event.by.membership.department_id == notice.department_id
    assert notices[4].deadline == dt.date(2020, 7, 7)  # the reminder's "due soon" on the demo date

    events = NoticeEvent.objects.count()
    demo_history_load(report=report_2020, until=DEMO_DATE)
    assert (Notice.objects.count(), NoticeEvent.objects.count()) == (5, events)
