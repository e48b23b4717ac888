"""Milestones as tables: a verb of completion with its object and no number becomes a `done` target; a
clause that only promises continued effort does not."""

import datetime as dt

import pytest

from targets.drafting.reader import sentence_goals
from targets.drafting.text import Span


def milestones(sentence: str, year: int = 2021) -> list[str]:
    """The quotes of the milestones read from the sentence."""
    goals = sentence_goals(sentence, Span(0, len(sentence)), year=year)
    assert all(
        goal.comparator == "done" and goal.value is None and goal.measure == "cumulative" for goal in goals
    )
    return [goal.quote.of(sentence) for goal in goals]


@pytest.mark.parametrize(
    ("sentence", "quotes"),
    [
        ("编制食品产业发展规划", ["编制食品产业发展规划"]),
        ("高质量编制“十四五”规划", ["高质量编制“十四五”规划"]),
        ("制定奶产业发展规划和支持政策", ["制定奶产业发展规划", "支持政策"]),  # one verb, two objects
        ("开通银川至利通区城际公交和吴忠高铁站至青铜峡市区快速城际公交", ["开通银川至利通区城际公交", "吴忠高铁站至青铜峡市区快速城际公交"]),
        ("建立“不忘初心、牢记使命”长效机制", ["建立“不忘初心、牢记使命”长效机制"]),  # the comma inside quotes stays
        ("确保红寺堡区、同心县高标准通过国家复查复验", ["确保红寺堡区、同心县高标准通过国家复查复验"]),
        ("积极推进普及高中阶段教育工作，确保通过国家验收", ["确保通过国家验收"]),
        ("推进4G无线网络全覆盖和5G网络布局建设", ["推进4G无线网络全覆盖"]),  # an end state after a verb of effort
        ("推动吴忠市残疾人康复中心尽早运营", ["推动吴忠市残疾人康复中心尽早运营"]),
        ("紧盯黑恶积案清零、问题线索清零目标", ["黑恶积案清零", "问题线索清零"]),
        ("实施银西高速吴忠连接线改扩建、滨河大道改造等项目", ["实施银西高速吴忠连接线改扩建", "滨河大道改造"]),
        ("高标准筹办国际马拉松赛、第二届山地自行车挑战赛等品牌赛事", ["高标准筹办国际马拉松赛", "第二届山地自行车挑战赛"]),
        ("能耗“双控”、主要污染物减排完成自治区下达任务", ["能耗“双控”、主要污染物减排完成自治区下达任务"] * 2),
        ("全年取用水总量控制在自治区下达指标范围内", ["全年取用水总量控制在自治区下达指标范围内"]),
        ("力争青铜峡黄河大峡谷、盐州古城分别创建成5A、4A级旅游景区", ["力争青铜峡黄河大峡谷、盐州古城分别创建成5A、4A级旅游景区"] * 2),
        ("力争实现“四连冠”", ["力争实现“四连冠”"]),
        ("9月底前建成城南农贸市场并投入使用", ["9月底前建成城南农贸市场并投入使用"]),
        ("实现乡镇区域养老服务中心全覆盖", ["实现乡镇区域养老服务中心全覆盖"]),  # an end state of its own
        ("实现行政村5G网络全覆盖", ["实现行政村5G网络全覆盖"]),  # 5G is a name, not a number
    ],
)  # fmt: skip
def test_verbs_of_completion_make_milestones(sentence, quotes):
    assert milestones(sentence) == quotes


@pytest.mark.parametrize(
    "sentence",
    [
        "深入开展消费提升行动",  # continued effort
        "加快创建国家森林城市",
        "建立健全扫黑除恶常态化长效机制",  # 建立健全 keeps improving
        "推动线上线下同步销售",  # 上线 inside 线上线下 is no end state
        "支持建设宁夏贺兰山东麓葡萄酒北京和南京运营中心",  # nor 运营 inside 运营中心
        "进一步巩固、拓展、提升全国民族团结进步创建活动示范市创建成果",
        "推进基本医疗保险扩面提标，实现应保尽保",  # "…，实现X" states the purpose of the clause before
        "稳步实施散煤“双替代”项目和建成区内清洁供暖工程",  # 建成区 is the built-up area
        "实现“清水绿岸、鱼翔浅底”城市水环境治理目标",
    ],
)
def test_clauses_of_continued_effort_are_not_milestones(sentence):
    assert milestones(sentence) == []


def test_a_number_in_the_clause_makes_a_numeric_goal_not_a_milestone():
    goals = sentence_goals("建成美丽村庄8个", Span(0, 8), year=2021)
    assert [(goal.comparator, goal.unit) for goal in goals] == [("at_least", "个")]


@pytest.mark.parametrize(
    ("sentence", "curve", "frequency", "deadline"),
    [
        ("编制食品产业发展规划", "linear", "monthly", None),
        ("确保通过国家验收", "year_end", "annual", None),  # assessments land at the year's end
        ("9月底前建成城南农贸市场", "linear", "monthly", dt.date(2021, 9, 30)),
    ],
)
def test_milestone_schedules(sentence, curve, frequency, deadline):
    (goal,) = sentence_goals(sentence, Span(0, len(sentence)), year=2021)
    assert (goal.curve, goal.frequency, goal.deadline) == (curve, frequency, deadline)
    assert "里程碑" in goal.notes[0]
