"""No English from Django's or a library's own UI on any page an official, a reviewer or a manager opens:
each page's visible text (tags, scripts and styles removed) is searched for known English strings."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from progress.services import progress_entry_correct, progress_entry_return, progress_entry_submit
from targets.models import Target

pytestmark = pytest.mark.django_db

# Strings of Django's admin, django-simple-history, django-import-export and the status codes, as they
# appear when a catalogue lacks them or a value is shown raw.
ENGLISH = [
    "Model name", "Add link", "Change or view", "Deleted", "Select ", " to change", " to view", "Error:",
    "None", "Changed by", "Change reason", "Date/time", "Comment", "Changes", "History", "Save", "Delete",
    "Filter", "Show counts", "Action", "Home", "Log out", "View site", "Not Found", "Forbidden", "Axes",
    "Periodic", "Token", "on_track", "at_risk", "lagging", "overdue", "no_data", "not_due", "on_time",
    "late", "submitted", "approved", "returned", "estimate", "official", "True", "False", "entries",
]  # fmt: skip


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style|svg|template)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def day_of_work(july_3rd_2020, official_zhang, reviewer_chen):
    """A June entry returned and corrected (its history has every kind of change), and an approved May one."""
    target = Target.objects.get(report__year=2020, code="1.1.03")
    june = progress_entry_submit(target=target, period_end=dt.date(2020, 6, 30), value="7", by=official_zhang)
    progress_entry_return(entry=june, by=reviewer_chen, reason="请附名单")
    progress_entry_correct(entry=june, value="8", by=official_zhang)
    return target, june


def pages(target, entry) -> list[str]:
    return [
        reverse("admin:index"),
        reverse("admin:progress_mytarget_changelist"),
        reverse("admin:progress_progressentry_changelist"),
        reverse("admin:progress_progressentry_changelist") + "?review_state__exact=all",
        reverse("admin:progress_progressentry_add") + f"?target={target.pk}",
        reverse("admin:progress_progressentry_change", args=[entry.pk]),
        reverse("admin:progress_progressentry_history", args=[entry.pk]),
        reverse("admin:progress_statuschange_changelist"),
        reverse("boards-target", args=[target.pk]),
        reverse("boards-lagging"),
        reverse("boards-scoreboard"),
        reverse("boards-overview"),
        reverse("boards-bulletin"),
        reverse("admin:targets_target_changelist"),
        reverse("admin:targets_target_history", args=[target.pk]),
        "/admin/no-such-page/",
    ]


@pytest.mark.parametrize("person", ["official_zhang", "reviewer_chen", "manager_wang"])
def test_no_english_on_the_pages_people_open(login, day_of_work, person, settings):
    settings.DEBUG = False  # the production 404 page
    client = login(person)
    target, entry = day_of_work
    found = {}
    for url in pages(target, entry):
        response = client.get(url, follow=True)
        assert response.status_code in (200, 403, 404), url  # a manager may not add entries
        text = visible_text(response.content.decode())
        hits = [word for word in ENGLISH if word in text]
        if hits:
            found[url] = hits
    assert found == {}
