"""Department scoping in the admin, role by role: what each person sees, may open, may post, may download.

Officials and reviewers see the targets their department leads or co-operates on and the entries of those
targets, nothing else, whatever URL they type; managers and administrators see everything (PRODUCT.md §1,
issue 3 "Done when"). The add form as an official: a valid entry with its evidence, every refused input,
and a correction that keeps the old figure in the history.
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from progress import services, statuses
from progress.models import EvidenceFile, ProgressEntry, ReviewState, StatusChange
from targets.models import Target, TargetDepartment

pytestmark = pytest.mark.django_db

JUNE_END = dt.date(2020, 6, 30)
PDF_BYTES = b"%PDF-1.4\n% the June ledger of new industrial enterprises\n"

# The entry of each department in `june_entries`: 1.1.03 新增规上企业 (industry leads, stats and the
# counties co-operate), 1.2.10 新增奶牛 (agriculture leads), 0.1.07 CPI (ndrc leads; industry and agriculture
# have nothing to do with it).
ENTRY_TARGET = {"industry": "1.1.03", "agriculture": "1.2.10", "ndrc": "0.1.07"}
ENTRY_VALUE = {"industry": "7", "agriculture": "0.5", "ndrc": "2.8"}

# person fixture → the department whose targets they see (None: everything).
EVERY_ROLE = [
    pytest.param("official_zhang", "industry", id="official-industry"),
    pytest.param("official_zhao", "agriculture", id="official-agriculture"),
    pytest.param("reviewer_chen", "industry", id="reviewer-industry"),
    pytest.param("manager_wang", None, id="manager"),
    pytest.param("administrator_li", None, id="administrator"),
]
# person fixture → a department whose entry they must not see.
FOREIGN_ENTRIES = [
    pytest.param("official_zhang", "agriculture", id="official-industry-vs-agriculture"),
    pytest.param("official_zhang", "ndrc", id="official-industry-vs-ndrc"),
    pytest.param("official_zhao", "industry", id="official-agriculture-vs-industry"),
    pytest.param("reviewer_chen", "agriculture", id="reviewer-industry-vs-agriculture"),
]


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _pdf(name: str = "a.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def june_entries(report_2020, july_3rd_2020, media_root, official_zhang, official_zhao, official_liu) -> dict:
    """One June entry with one PDF per department, submitted by its own official through the service."""
    officials = {"industry": official_zhang, "agriculture": official_zhao, "ndrc": official_liu}
    return {
        department: services.progress_entry_submit(
            target=Target.objects.get(report=report_2020, code=ENTRY_TARGET[department]),
            period_end=JUNE_END,
            value=ENTRY_VALUE[department],
            by=official,
            evidence=[_pdf()],
        )
        for department, official in officials.items()
    }


# ------------------------------------------------------------------------------------------ helpers


def _visible_codes(report, department_code: str | None) -> set[str]:
    """The expected set, from the assignments themselves: lead or co-operating (everything if None)."""
    if department_code is None:
        codes = set(Target.objects.filter(report=report).values_list("code", flat=True))
        assert len(codes) == 138
        return codes
    codes = set(
        TargetDepartment.objects.filter(target__report=report, department__code=department_code).values_list(
            "target__code", flat=True
        )
    )
    # Guards against an expectation that has gone empty or wrong: a lead and a co-operating target each.
    anchors = {"industry": {"1.1.03", "0.1.08"}, "agriculture": {"1.2.01", "5.1.02"}}[department_code]
    assert anchors <= codes
    assert "0.1.07" not in codes
    return codes


def _entry_codes(department_code: str | None) -> set[str]:
    return set(ENTRY_TARGET.values()) if department_code is None else {ENTRY_TARGET[department_code]}


def _inline_management(page) -> dict:
    """The hidden fields of the page's inlines (management form, each row's id and entry), as the browser
    posts them back."""
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(formset.total_form_count())
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        for form in formset.forms:
            for field in form.hidden_fields():
                if field.value() is not None:
                    data[field.html_name] = str(field.value())
    return data


def _add_data(client, target: Target, **overrides) -> dict:
    page = client.get(reverse("admin:progress_progressentry_add"))
    assert page.status_code == 200
    return {
        "target": str(target.pk),
        "period_end": "2020-06-30",
        "value": "7",
        "provenance": "estimate",
        "note": "6月新增规上企业7户",
        **_inline_management(page),
        **overrides,
    }


def _change_data(client, entry: ProgressEntry, **overrides) -> dict:
    page = client.get(reverse("admin:progress_progressentry_change", args=[entry.pk]))
    assert page.status_code == 200
    return {"value": "8", "provenance": "estimate", "note": "更正", **_inline_management(page), **overrides}


# ------------------------------------------------------------------------------------- 我的目标 and lists


@pytest.mark.parametrize(("person", "department_code"), EVERY_ROLE)
def test_my_targets_shows_exactly_the_targets_of_the_users_department(
    login, report_2020, person, department_code
):
    response = login(person).get(reverse("admin:progress_mytarget_changelist"), {"all": ""})

    assert response.status_code == 200
    shown = [target.code for target in response.context["cl"].result_list]
    assert len(shown) == len(set(shown))
    assert set(shown) == _visible_codes(report_2020, department_code)


@pytest.mark.parametrize(("person", "department_code"), EVERY_ROLE)
def test_entry_changelist_shows_only_the_entries_of_the_users_targets(
    login, june_entries, person, department_code
):
    response = login(person).get(reverse("admin:progress_progressentry_changelist"))

    assert response.status_code == 200
    assert {entry.target.code for entry in response.context["cl"].result_list} == _entry_codes(
        department_code
    )


@pytest.mark.parametrize(("person", "department_code"), EVERY_ROLE)
def test_status_changes_list_shows_only_the_users_targets(login, june_entries, person, department_code):
    for entry in june_entries.values():
        statuses.target_status_refresh(target_id=entry.target_id)
    assert StatusChange.objects.filter(target__code__in=ENTRY_TARGET.values()).count() >= 3

    response = login(person).get(reverse("admin:progress_statuschange_changelist"))

    assert response.status_code == 200
    assert {change.target.code for change in response.context["cl"].result_list} == _entry_codes(
        department_code
    )


# ------------------------------------------------------------------------------ another department's entry


@pytest.mark.parametrize(("person", "foreign"), FOREIGN_ENTRIES)
def test_another_departments_entry_page_does_not_open(login, june_entries, person, foreign):
    entry = june_entries[foreign]

    response = login(person).get(reverse("admin:progress_progressentry_change", args=[entry.pk]))

    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response.url in (reverse("admin:index"), reverse("admin:progress_progressentry_changelist"))
    assert entry.target.metric not in response.content.decode()


@pytest.mark.parametrize(("person", "foreign"), FOREIGN_ENTRIES)
def test_another_departments_entry_history_does_not_open(login, june_entries, person, foreign):
    entry = june_entries[foreign]

    response = login(person).get(reverse("admin:progress_progressentry_history", args=[entry.pk]))

    assert response.status_code in (302, 403, 404)


@pytest.mark.parametrize(("person", "foreign"), FOREIGN_ENTRIES)
def test_posting_a_change_to_another_departments_entry_changes_nothing(login, june_entries, person, foreign):
    entry = june_entries[foreign]
    history_before = entry.history.count()

    response = login(person).post(
        reverse("admin:progress_progressentry_change", args=[entry.pk]),
        {
            "value": "99",
            "provenance": "estimate",
            "note": "改别人的数",
            "evidence-TOTAL_FORMS": "1",
            "evidence-INITIAL_FORMS": "1",
        },
    )

    assert response.status_code in (302, 403, 404)
    entry.refresh_from_db()
    assert (entry.value, entry.revision, entry.note) == (Decimal(ENTRY_VALUE[foreign]), 1, "")
    assert entry.history.count() == history_before


@pytest.mark.parametrize(("person", "foreign"), FOREIGN_ENTRIES)
def test_another_departments_evidence_is_not_found(login, june_entries, person, foreign):
    evidence = june_entries[foreign].evidence.get()

    response = login(person).get(reverse("evidence-download", args=[evidence.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("person", "department"),
    [
        pytest.param("official_zhang", "industry", id="official-industry"),
        pytest.param("official_zhao", "agriculture", id="official-agriculture"),
        pytest.param("reviewer_chen", "industry", id="reviewer-industry"),
        pytest.param("manager_wang", "ndrc", id="manager"),
        pytest.param("administrator_li", "agriculture", id="administrator"),
    ],
)
def test_visible_evidence_downloads_as_an_attachment(login, june_entries, person, department):
    evidence = june_entries[department].evidence.get()

    response = login(person).get(reverse("evidence-download", args=[evidence.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="a.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES


# ------------------------------------------------------------------------------------------ the add form


@pytest.mark.parametrize(
    ("person", "department_code"),
    [param for param in EVERY_ROLE if param.id != "manager"],
)
def test_add_form_offers_only_the_users_targets(login, report_2020, person, department_code):
    response = login(person).get(reverse("admin:progress_progressentry_add"))

    assert response.status_code == 200
    choices = response.context["adminform"].form.fields["target"].queryset
    assert {target.code for target in choices} == _visible_codes(report_2020, department_code)


def test_manager_has_no_add_form(login, report_2020):
    response = login("manager_wang").get(reverse("admin:progress_progressentry_add"))

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("person", "foreign_code"),
    [
        pytest.param("official_zhang", "1.2.10", id="industry-posts-agriculture"),
        pytest.param("official_zhang", "0.1.07", id="industry-posts-ndrc"),
        pytest.param("official_zhao", "1.1.03", id="agriculture-posts-industry"),
    ],
)
def test_adding_an_entry_for_another_departments_target_is_refused(
    login, report_2020, media_root, person, foreign_code
):
    client = login(person)
    target = Target.objects.get(report=report_2020, code=foreign_code)

    response = client.post(
        reverse("admin:progress_progressentry_add"), _add_data(client, target, value="1", evidence=_pdf())
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["target"] == [
        "选择一个有效的选项： 该选择不在可用的选项中。"
    ]
    assert "选择一个有效的选项" in response.content.decode()
    assert not ProgressEntry.objects.filter(target=target).exists()
    assert not EvidenceFile.objects.exists()


def test_official_adds_an_entry_with_its_evidence(login, report_2020, media_root, official_zhang):
    client = login("official_zhang")
    target = Target.objects.get(report=report_2020, code="1.1.03")

    response = client.post(
        reverse("admin:progress_progressentry_add"), _add_data(client, target, evidence=_pdf("六月台账.pdf"))
    )

    assert response.status_code == 302
    entry = ProgressEntry.objects.get(target=target, period_end=JUNE_END)
    assert (entry.value, entry.revision, entry.department.code) == (Decimal(7), 1, "industry")
    assert (entry.submitted_by, entry.review_state) == (official_zhang, ReviewState.SUBMITTED)
    evidence = entry.evidence.get()
    assert (evidence.original_name, evidence.size, evidence.uploaded_by) == (
        "六月台账.pdf",
        len(PDF_BYTES),
        official_zhang,
    )
    with evidence.file.open("rb") as stored:
        assert stored.read() == PDF_BYTES


ELEVEN_MB = 11 * 1024 * 1024


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"value": "N/A"}, "“N/A”不是数字", id="not-a-number"),
        pytest.param({"value": "见说明"}, "“见说明”不是数字", id="see-description"),
        pytest.param(
            {"value": "NaN"},
            "数值必须是有限的数字（不能是 NaN 或 Infinity）。",
            id="nan",
        ),
        pytest.param(
            {"value": "Infinity"},
            "数值必须是有限的数字（不能是 NaN 或 Infinity）。",
            id="infinity",
        ),
        pytest.param({"value": ""}, "请填写数值。", id="empty"),
        pytest.param({"value": "-1"}, "的数值不能为负数", id="negative-count"),
        pytest.param({"period_end": "2020-06-15"}, "2020-06-15不是该目标（月报）的报告期末", id="mid-month"),
        pytest.param({"period_end": "2020-07-31"}, "报告期末2020-07-31尚未到来，不能提前填报。", id="future"),
        pytest.param({"period_end": "2019-12-31"}, "报告期末必须在2020年内。", id="last-year"),
        pytest.param(
            {"evidence": SimpleUploadedFile("a.exe", b"MZ\x90\x00", content_type="application/octet-stream")},
            "文件“a.exe”的类型不允许；只能上传 PDF、DOCX、XLSX、JPG、PNG。",
            id="exe",
        ),
        pytest.param(
            {
                "evidence": SimpleUploadedFile(
                    "a.pdf", b"%PDF-1.4\n" + b"0" * ELEVEN_MB, content_type="application/pdf"
                )
            },
            "超过10 MB的上限。",
            id="eleven-mb-pdf",
        ),
        pytest.param(
            {
                "evidence": SimpleUploadedFile(
                    "a.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
                )
            },
            "文件“a.pdf”的内容与扩展名.pdf不符。",
            id="exe-renamed-pdf",
        ),
    ],
)
def test_invalid_add_shows_the_chinese_error_and_saves_nothing(
    login, report_2020, media_root, overrides, message
):
    client = login("official_zhang")
    target = Target.objects.get(report=report_2020, code="1.1.03")
    data = _add_data(client, target, evidence=_pdf())
    data.update(overrides)

    response = client.post(reverse("admin:progress_progressentry_add"), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProgressEntry.objects.filter(target=target).exists()
    assert not EvidenceFile.objects.exists()
    assert not any(path.is_file() for path in Path(media_root).rglob("*"))


def test_a_second_entry_for_the_same_period_is_refused(login, report_2020, june_entries):
    client = login("official_zhang")
    target = june_entries["industry"].target

    response = client.post(reverse("admin:progress_progressentry_add"), _add_data(client, target, value="9"))

    assert response.status_code == 200
    assert "该目标2020年6月已有填报（数值7，待审核）；如需更正，请修改原填报。" in response.content.decode()
    assert list(ProgressEntry.objects.filter(target=target).values_list("value", flat=True)) == [Decimal(7)]


def test_correction_raises_the_revision_and_keeps_the_old_figure(login, june_entries):
    client = login("official_zhang")
    entry = june_entries["industry"]

    response = client.post(
        reverse("admin:progress_progressentry_change", args=[entry.pk]),
        _change_data(client, entry, value="8"),
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.value, entry.revision) == (Decimal(8), 2)
    assert {(record.revision, record.value) for record in entry.history.all()} == {
        (1, Decimal(7)),
        (2, Decimal(8)),
    }


def test_invalid_correction_shows_the_chinese_error_and_keeps_the_entry(login, june_entries):
    client = login("official_zhang")
    entry = june_entries["industry"]

    response = client.post(
        reverse("admin:progress_progressentry_change", args=[entry.pk]),
        _change_data(client, entry, value="N/A"),
    )

    assert response.status_code == 200
    assert "“N/A”不是数字" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.value, entry.revision) == (Decimal(7), 1)


def test_department_filter_cannot_widen_an_officials_entry_list(login, june_entries):
    response = login("official_zhang").get(
        reverse("admin:progress_progressentry_changelist"), {"department": "agriculture"}
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
