"""The structure of a draft: header, the review and plan sections, chapters (一、… and unnumbered
headings), the headline paragraph as chapter 0, key tasks from lead sentences, codes, and the refusals."""

import datetime as dt
from decimal import Decimal

import pytest

from targets.drafting import DraftError, keyword_table_load, report_draft, report_text_normalise

REPORT = """2021年青禾县政府工作报告
——2021年1月12日在青禾县第十七届人民代表大会第六次会议上
各位代表：
过去一年工作回顾
全年地区生产总值完成98.6亿元，增长3.8%。新增规上工业企业6家。
2021年政府工作的总体要求和主要预期目标
今年是“十四五”开局之年。
全县经济社会发展的主要预期目标是：地区生产总值增长7%左右，一般公共预算收入增长5%。
一、坚持项目为王，持续扩大有效投资
把项目建设作为稳增长的“压舱石”，确保完成全年目标。
扩大重点项目投资。全年实施重点项目126个，完成投资90亿元以上。
做强绿色工业。新增规上工业企业8家。
做强绿色工业园区。建成县工业园区污水处理厂二期。
切实加强政府自身建设
厉行勤俭节约。“三公”经费只减不增。
各位代表，让我们为全面建设社会主义现代化新青禾而努力奋斗！
"""


@pytest.fixture(scope="module")
def keywords():
    return keyword_table_load()


def test_header_and_sections(keywords):
    draft = report_draft(REPORT, year=2021, keywords=keywords)
    assert (draft.title, draft.issuer, draft.delivered_on, draft.occasion) == (
        "2021年青禾县政府工作报告",
        "青禾县人民政府",
        dt.date(2021, 1, 12),
        "青禾县第十七届人民代表大会第六次会议",
    )
    assert (draft.review_heading, draft.plan_heading) == (
        "过去一年工作回顾",
        "2021年政府工作的总体要求和主要预期目标",
    )
    assert draft.warnings == ()


def test_chapters_key_tasks_and_codes(keywords):
    draft = report_draft(REPORT, year=2021, keywords=keywords)
    outline = [
        (
            chapter.number,
            chapter.title,
            [(task.number, task.title, [t.code for t in task.targets]) for task in chapter.tasks],
        )
        for chapter in draft.chapters
    ]
    assert outline == [
        (0, "主要预期目标", [(1, "全县经济社会发展的主要预期目标", ["0.1.01", "0.1.02"])]),
        (1, "坚持项目为王，持续扩大有效投资", [
            (1, "扩大重点项目投资", ["1.1.01", "1.1.02"]),
            # Another paragraph starts with 做强绿色工业, so the title is lengthened until it names one.
            (2, "做强绿色工业。", ["1.2.01"]),
            (3, "做强绿色工业园区", ["1.3.01"]),
        ]),
        (2, "切实加强政府自身建设", [(1, "厉行勤俭节约", ["2.1.01"])]),
    ]  # fmt: skip
    # The chapter's opening paragraph is no key task: its "确保完成全年目标" is not drafted.
    assert all("确保" not in target.quote for target in draft.targets)


def test_baselines_come_from_the_review(keywords):
    draft = report_draft(REPORT, year=2021, keywords=keywords)
    baselines = {target.code: target.baseline for target in draft.targets if target.baseline}
    assert {code: (b.value, b.unit, b.quote) for code, b in baselines.items()} == {
        "0.1.01": (Decimal("3.8"), "%", "全年地区生产总值完成98.6亿元，增长3.8%"),
        "1.2.01": (Decimal(6), "家", "新增规上工业企业6家"),
    }


def test_indented_crlf_text_drafts_the_same_once_normalised(keywords):
    word_style = "\r\n".join("\u3000\u3000" + line for line in REPORT.splitlines())
    plain = report_draft(REPORT, year=2021, keywords=keywords)
    assert (
        report_draft(report_text_normalise(word_style), year=2021, keywords=keywords).targets == plain.targets
    )


def test_a_title_of_another_year_is_refused(keywords):
    with pytest.raises(DraftError, match=r"2021年.*与指定的年度2022不一致"):
        report_draft(REPORT, year=2022, keywords=keywords)


def test_a_text_without_the_year_s_plan_is_refused(keywords):
    without_plan = REPORT.replace("2021年政府工作的总体要求和主要预期目标", "下一步工作")
    with pytest.raises(DraftError, match="找不到2021年的目标任务部分"):
        report_draft(without_plan, year=2021, keywords=keywords)


def test_missing_header_facts_are_filled_in_and_flagged(keywords):
    text = REPORT.replace("——2021年1月12日在青禾县第十七届人民代表大会第六次会议上\n", "")
    draft = report_draft(text, year=2021, keywords=keywords)
    assert draft.delivered_on == dt.date(2021, 1, 1)
    assert any("报告日期" in warning for warning in draft.warnings)


def test_a_chapter_without_sub_headings_is_drafted_paragraph_by_paragraph(keywords):
    text = (
        REPORT.replace("扩大重点项目投资。全年", "全年")
        .replace("做强绿色工业。新增", "新增")
        .replace("做强绿色工业园区。建成", "建成")
    )
    draft = report_draft(text, year=2021, keywords=keywords)
    assert [task.title for task in draft.chapters[1].tasks] == [
        "把项目建设作为稳增长的“压舱石”",
        "全年实施重点项目126个",
        "新增规上工业企业8家",
        "建成县工业园区污水处理厂二期",
    ]
    assert any("没有小标题" in warning for warning in draft.warnings)
