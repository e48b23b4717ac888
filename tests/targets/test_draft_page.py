"""报告草稿 (#17.3): the office uploads a report's text, reviews the drafted table (each sentence
highlighted), edits and drops rows, and publishes; a file that is not a plain-text report, and a draft the
loader refuses, are refused with Chinese messages naming the file, the row and the field, and change
nothing."""

from pathlib import Path

import pytest

from targets.models import Department, Report, ReportDraft, Target

pytestmark = pytest.mark.django_db

QINGHE_TEXT = (
    Path(__file__).resolve().parents[2] / "targets/data/examples/qinghe_2021_government_work_report.txt"
)


@pytest.fixture
def draft(manager_client, clock) -> ReportDraft:
    clock("2021-01-20")
    manager_client.post("/admin/drafts/", {"year": "2021", "source": QINGHE_TEXT.open("rb")})
    return ReportDraft.objects.get()


def rows(draft: ReportDraft) -> dict[str, dict]:
    draft.refresh_from_db()
    return {
        target["code"]: target
        for chapter in draft.data["chapters"]
        for task in chapter["tasks"]
        for target in task["targets"]
    }


def test_the_table_highlights_each_sentence(manager_client, draft):
    page = manager_client.get(f"/admin/drafts/{draft.pk}/").content.decode()
    assert "49 个目标" in page
    assert "全年实施重点项目126个</mark>，完成投资90亿元以上。" in page.replace("<mark>", "")
    assert "<mark>完成投资90亿元以上</mark>。" in page
    assert "建议（待确认）" in page  # links to 2020's targets of the same metric are proposals


def test_a_gbk_text_is_drafted_like_the_utf8_one(manager_client, clock):
    clock("2021-01-20")
    gbk = QINGHE_TEXT.read_text(encoding="utf-8").encode("gbk")
    manager_client.post("/admin/drafts/", {"year": "2021", "source": _upload(gbk, "青禾.txt")})
    assert len(rows(ReportDraft.objects.get())) == 49


def _upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/plain")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "青禾县政府工作报告".encode("utf-16"),
            "文件“报告.txt”：文件是 UTF-16 编码：请另存为 UTF-8 或 GBK 纯文本后再上传。",
        ),
        (b"PK\x03\x04 word", "文件“报告.txt”：这是 Word/Office 文档，不是纯文本"),
        (
            "2021年青禾县政府工作报告\n没有目标的正文。".encode(),
            "文件“报告.txt”无法起草：找不到2021年的目标任务部分",
        ),
    ],
)
def test_a_file_that_is_not_a_report_text_is_refused(manager_client, clock, content, message):
    clock("2021-01-20")
    response = manager_client.post("/admin/drafts/", {"year": "2021", "source": _upload(content, "报告.txt")})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReportDraft.objects.exists()


def test_a_row_is_edited_and_its_departments_assigned(manager_client, draft):
    response = manager_client.post(
        f"/admin/drafts/{draft.pk}/rows/1.1.01/",
        {
            "metric": "实施县级重点项目", "comparator": "at_least", "value": "130", "unit": "个",
            "measure": "cumulative", "curve": "linear", "frequency": "monthly", "deadline": "2021-11-30",
            "lead": "发展和改革委员会", "cooperating": ["财政局", "统计局"], "previous_target": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    row = rows(draft)["1.1.01"]
    assert (row["metric"], row["value"], row["deadline"]) == ("实施县级重点项目", 130, "2021-11-30")
    assert row["departments"] == ["发展和改革委员会", "财政局", "统计局"]
    assert draft.history.order_by("-history_id").first().history_change_reason == "修改目标 1.1.01"


def test_an_edit_that_misses_a_value_names_the_field(manager_client, draft):
    response = manager_client.post(
        f"/admin/drafts/{draft.pk}/rows/1.1.01/",
        {"metric": "实施重点项目", "comparator": "at_least", "value": "", "unit": "个", "measure": "cumulative",
         "curve": "linear", "frequency": "monthly", "lead": "发展和改革委员会"},
    )  # fmt: skip
    assert "数值目标必须有目标值。" in response.content.decode()
    assert rows(draft)["1.1.01"]["value"] == 126


def test_a_row_is_dropped(manager_client, draft):
    manager_client.post(f"/admin/drafts/{draft.pk}/", {"action": "drop", "code": "1.1.02"})
    assert "1.1.02" not in rows(draft) and len(rows(draft)) == 48


def test_a_dropped_row_is_listed_and_restored_in_its_place(manager_client, draft):
    order = list(rows(draft))
    manager_client.post(f"/admin/drafts/{draft.pk}/", {"action": "drop", "code": "1.1.02"})
    page = manager_client.get(f"/admin/drafts/{draft.pk}/").content.decode()
    assert "已删除的目标（1）" in page and 'id="dropped-1.1.02"' in page

    response = manager_client.post(f"/admin/drafts/{draft.pk}/", {"action": "restore", "code": "1.1.02"})

    assert response.status_code == 302
    assert list(rows(draft)) == order
    assert "已删除的目标" not in manager_client.get(f"/admin/drafts/{draft.pk}/").content.decode()
    assert [record.history_change_reason for record in draft.history.order_by("history_id")][-2:] == [
        "删除目标 1.1.02",
        "恢复目标 1.1.02",
    ]
    page = manager_client.post(
        f"/admin/drafts/{draft.pk}/", {"action": "restore", "code": "1.1.02"}, follow=True
    ).content.decode()
    assert "草稿中没有已删除的目标 1.1.02。" in page


def test_a_dropped_row_is_not_published(manager_client, draft):
    manager_client.post(f"/admin/drafts/{draft.pk}/", {"action": "drop", "code": "1.1.02"})

    manager_client.post(f"/admin/drafts/{draft.pk}/", {"action": "publish"})

    report = Report.objects.get(year=2021)
    assert report.targets.count() == 48
    assert not report.targets.filter(code="1.1.02").exists()


def test_publish_errors_name_the_row_and_field_and_change_nothing(manager_client, draft):
    # A cumulative goal "at most" is refused by the loader's own check.
    manager_client.post(
        f"/admin/drafts/{draft.pk}/rows/1.1.01/",
        {"metric": "实施重点项目", "comparator": "at_most", "value": "126", "unit": "个", "measure": "cumulative",
         "curve": "linear", "frequency": "monthly", "lead": "发展和改革委员会"},
    )  # fmt: skip
    counts = (Report.objects.count(), Target.objects.count(), Department.objects.count())

    page = manager_client.post(f"/admin/drafts/{draft.pk}/", {"action": "publish"}).content.decode()

    assert "未发布：发现 1 个问题，数据库未作任何修改。" in page
    assert "目标 1.1.01 · comparator：累计类目标只能是“不低于”（at_least）或里程碑（done）。" in page
    assert (Report.objects.count(), Target.objects.count(), Department.objects.count()) == counts
    draft.refresh_from_db()
    assert not draft.is_published


def test_a_year_the_issuer_has_is_not_overwritten(manager_client, draft):
    manager_client.post(f"/admin/drafts/{draft.pk}/", {"action": "publish"})
    manager_client.post("/admin/drafts/", {"year": "2021", "source": QINGHE_TEXT.open("rb")})
    second = ReportDraft.objects.exclude(pk=draft.pk).get()

    page = manager_client.post(f"/admin/drafts/{second.pk}/", {"action": "publish"}).content.decode()

    assert "青禾县人民政府的2021年报告已经存在：发布只新增报告，不覆盖已有的" in page
    assert Report.objects.filter(year=2021).count() == 1


def test_a_published_draft_is_read_only(manager_client, draft):
    manager_client.post(f"/admin/drafts/{draft.pk}/", {"action": "publish"})
    manager_client.post(f"/admin/drafts/{draft.pk}/", {"action": "drop", "code": "1.1.02"})
    assert "1.1.02" in rows(draft)


def test_officials_cannot_draft(client, official_zhang):
    client.force_login(official_zhang)
    assert client.get("/admin/drafts/").status_code == 403
    assert (
        client.post("/admin/drafts/", {"year": "2021", "source": QINGHE_TEXT.open("rb")}).status_code == 403
    )


def test_the_table_costs_the_same_at_any_number_of_rows(manager_client, draft, django_assert_num_queries):
    # The session, the user and their groups, the draft, the links to last year's targets, the messages.
    manager_client.get(f"/admin/drafts/{draft.pk}/")
    with django_assert_num_queries(6):
        manager_client.get(f"/admin/drafts/{draft.pk}/")  # 49 rows, 12 proposed links
    for code in list(rows(draft))[5:]:
        manager_client.post(f"/admin/drafts/{draft.pk}/", {"action": "drop", "code": code})
    manager_client.get(f"/admin/drafts/{draft.pk}/")  # the messages of the drops, shown once
    with django_assert_num_queries(6):
        manager_client.get(f"/admin/drafts/{draft.pk}/")  # 5 rows
