"""Departments proposed from the keyword table that ships with the project: the longest keyword leads,
other rules found co-operate, the proposal is said to be one, and the table names only the departments of
the bundled 2020 file (so that a new year's report loads next to it without renaming anyone)."""

import pytest
import yaml

from targets.drafting import keyword_table_load, keyword_table_parse
from targets.drafting.departments import DEFAULT_KEYWORDS_FILE, KeywordTableInvalid, departments_propose
from targets.loader import DEFAULT_DATA_FILE


@pytest.fixture(scope="module")
def table():
    return keyword_table_load()


@pytest.mark.parametrize(
    ("texts", "departments"),
    [
        (("粮食产量稳定在90万吨以上",), ("农业农村局",)),
        (("新增奶牛3万头",), ("农业农村局",)),
        (("规模以上工业增加值增长9.5%",), ("工业和信息化局", "统计局")),
        (("地区生产总值增长7%",), ("发展和改革委员会", "统计局")),
        (("城镇新增就业1.1万人",), ("人力资源和社会保障局",)),
        (("新建吴忠九中、同心十小等7所中小学",), ("教育局",)),
        # Nothing in the quote: the sentence, then the task's title, are tried next.
        (("等30个", "实施青铝绿色高效智能化升级等30个重点改造项目"), ("工业和信息化局",)),
        (("等30个", "等30个", "推进乡村振兴"), ("农业农村局",)),
    ],
)
def test_keywords_propose_departments(table, texts, departments):
    proposal = departments_propose(table, *texts)
    assert proposal.departments[: len(departments)] == departments
    assert "建议" in proposal.note and "请审核" in proposal.note


def test_without_a_keyword_the_fallback_is_proposed_and_said_to_need_a_choice(table):
    proposal = departments_propose(table, "旗帜鲜明讲政治")
    assert proposal.departments == ("市政府办公室",)
    assert "请指定" in proposal.note


def test_at_most_three_departments_are_proposed(table):
    assert len(departments_propose(table, "粮食、工业、旅游、教育、就业和医保").departments) == 3


def test_the_shipped_table_uses_the_departments_of_the_2020_file(table):
    bundled = yaml.safe_load(DEFAULT_DATA_FILE.read_text(encoding="utf-8"))["departments"]
    assert set(table.departments) == {(item["code"], item["name"]) for item in bundled}


def test_a_table_naming_an_unlisted_department_is_refused():
    data = yaml.safe_load(DEFAULT_KEYWORDS_FILE.read_text(encoding="utf-8"))
    data["rules"].append({"keywords": ["机场"], "departments": ["民航局"]})
    with pytest.raises(KeywordTableInvalid, match="民航局"):
        keyword_table_parse(data)


def test_a_malformed_table_is_refused():
    with pytest.raises(KeywordTableInvalid, match="格式错误"):
        keyword_table_parse({"departments": [], "rules": [{"keywords": ["粮食"]}], "fallback": "x"})
