"""A department whose every typed-in text is an attack: HTML and markdown in its name, its people's names,
its target's metric and unit, its notes, its return reason and its evidence file name (the escaping tests)."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from progress import services, statuses
from progress.models import EvidenceFile, ProgressEntry, StatusChange
from targets import roles
from targets.models import Department, Target
from tests.factories import DepartmentFactory, TargetFactory, UserFactory

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
UNIT_TAG = "<i onclick=alert(3)>"
LINK = "[点我](http://evil.example/)"
# What an HTML page, an email's HTML part or a robot's markdown must never contain as is.
RAW = ("<script>alert(", "<img src=x", "<i onclick")
# What shows that the hostile text is on the page at all, made harmless.
ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;")


@dataclass
class Hostile:
    department: Department
    official: object
    reviewer: object
    target: Target
    returned: ProgressEntry  # May, returned with a hostile reason
    june: ProgressEntry  # June, with a hostile note and evidence file name
    evidence: EvidenceFile
    change: StatusChange  # the target turning lagging


@pytest.fixture
def hostile(july_3rd_2020, settings, tmp_path) -> Hostile:
    settings.MEDIA_ROOT = tmp_path / "media"
    department = DepartmentFactory(code="hostile", name=f"测试局{SCRIPT}")
    official = UserFactory(
        username="hostile_official", first_name=IMG, last_name=SCRIPT, email="hostile.official@wuzhong.example",
        role=roles.OFFICIAL, department=department,
    )  # fmt: skip
    reviewer = UserFactory(
        username="hostile_reviewer", first_name=LINK, last_name=IMG, email="hostile.reviewer@wuzhong.example",
        role=roles.REVIEWER, department=department,
    )  # fmt: skip
    target = TargetFactory(metric=f"指标{SCRIPT}{IMG}{LINK}", unit=UNIT_TAG[:20], lead=department)
    returned = services.progress_entry_submit(
        target=target, period_end=dt.date(2020, 5, 31), value="1", by=official, note=f"五月{IMG}"
    )
    services.progress_entry_return(entry=returned, by=reviewer, reason=f"退回{SCRIPT}{IMG}")
    june = services.progress_entry_submit(
        target=target,
        period_end=dt.date(2020, 6, 30),
        value="2",  # 15 by December: far behind 序时进度, lagging
        by=official,
        note=f"六月{SCRIPT}{LINK}",
        evidence=[SimpleUploadedFile(f"{IMG}.pdf", b"%PDF-1.4\n")],
    )
    statuses.target_status_refresh(target_id=target.pk)
    change = StatusChange.objects.get(target=target, axis="performance")
    assert change.new == "lagging"
    returned.refresh_from_db()
    return Hostile(department, official, reviewer, target, returned, june, june.evidence.get(), change)
