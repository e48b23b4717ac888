"""The clause reader as tables: how a sentence of a plan becomes numeric goals (comparators, units,
measures, splits of several numbers, numbers that are not goals, deadlines)."""

import datetime as dt
from decimal import Decimal

import pytest

from targets.drafting.reader import sentence_goals
from targets.drafting.text import Span


def read(sentence: str, year: int = 2021):
    return [
        goal for goal in sentence_goals(sentence, Span(0, len(sentence)), year=year) if not goal.is_milestone
    ]


def one(sentence: str, year: int = 2021):
    goals = read(sentence, year)
    assert len(goals) == 1, [(goal.quote.of(sentence), goal.value, goal.unit) for goal in goals]
    return goals[0]


@pytest.mark.parametrize(
    ("sentence", "comparator", "value"),
    [
        ("地区生产总值增长7%", "at_least", "7"),  # plain growth: a floor
        ("一般公共预算收入增长2%以上", "at_least", "2"),
        ("城镇调查失业率控制在5.2%左右", "about", "5.2"),  # 左右 wins over 控制在
        ("居民消费价格涨幅控制在3%以内", "at_most", "3"),
        ("单位产值能耗降到0.8吨标准煤以下", "at_most", "0.8"),
        ("PM2.5平均浓度不超过35微克/立方米", "at_most", "35"),
        ("研发经费投入强度不低于2%", "at_least", "2"),
        ("力争网办率达到50%", "at_least", "50"),
        ("全年销售额突破5亿元", "at_least", "5"),
        ("新增就业岗位不少于3000个", "at_least", "3000"),
        ("化肥使用量比上年下降3%", "at_least", "3"),  # a decrease of at least 3%
        ("粮食产量稳定在90万吨以上", "at_least", "90"),
        ("“三公”经费只减不增", "at_most", "0"),
        ("“三公”经费不超过上年水平", "at_most", "0"),  # no growth, without a digit
        ("PM2.5平均浓度下降到32微克/立方米", "at_most", "32"),  # 下降到 a level: a ceiling
        ("单位产值能耗降至0.6吨标准煤", "at_most", "0.6"),
        ("坚决遏制重特大安全事故发生", "at_most", "0"),
    ],
)
def test_comparators(sentence, comparator, value):
    goal = one(sentence)
    assert (goal.comparator, goal.value) == (comparator, Decimal(value))
    assert goal.notes, "every goal says how it was read"


@pytest.mark.parametrize(
    ("sentence", "unit"),
    [
        ("第三产业增加值占GDP比重再提高1.5个百分点", "个百分点"),
        ("减少能源消耗8万吨标准煤", "万吨标准煤"),
        ("新增水土流失治理面积215平方公里", "平方公里"),
        ("新建改建农村公路288公里", "公里"),
        ("完成国土绿化30.7万亩", "万亩"),
        ("招商引资到位资金280亿元以上", "亿元"),
        ("新增亿元企业10户", "户"),
        ("新增国家高新技术企业2家", "家"),
        ("紧盯4114名未脱贫人口", "人"),  # 名 counts people
        ("城镇新增就业1.1万人", "万人"),
        ("全年接待游客300万人次", "万人次"),
        ("新建中小学7所", "所"),
        ("全年工业用电量力争突破6亿千瓦时", "亿千瓦时"),
        ("PM2.5平均浓度控制在36微克/立方米以内", "微克/立方米"),
        ("去库存周期控制在11个月以内", "个月"),
        ("普惠性幼儿园覆盖率达到８０％以上", "%"),  # full-width digits and sign
        ("粮食产量保持在12亿斤以上", "亿斤"),
        ("人均预期寿命再提高0.5岁", "岁"),
    ],
)
def test_units(sentence, unit):
    assert one(sentence).unit == unit


def test_full_width_digits_are_read_as_numbers():
    assert one("普惠性幼儿园覆盖率达到８０．５％以上").value == Decimal("80.5")


@pytest.mark.parametrize(
    ("sentence", "measure", "curve", "frequency"),
    [
        ("地区生产总值增长7%", "level", "quarterly", "quarterly"),
        ("第三产业增加值占GDP比重再提高1.5个百分点", "level", "quarterly", "quarterly"),
        ("湿地保护率达到60%以上", "level", "year_end", "annual"),
        ("粮食产量稳定在90万吨以上", "level", "year_end", "annual"),
        ("富硒作物面积达到25万亩", "level", "year_end", "annual"),
        ("居民消费价格涨幅控制在3%以内", "level", "quarterly", "quarterly"),
        ("新增规上企业15户", "cumulative", "linear", "monthly"),
        ("新建优质特色产品展示展销中心10个", "cumulative", "linear", "monthly"),
        ("完成国土绿化30.7万亩", "cumulative", "linear", "monthly"),
        ("培育富硒品牌25个", "cumulative", "linear", "monthly"),
        ("实施万向新元资源化循环利用等70个重点工业项目", "cumulative", "linear", "monthly"),
        ("电商交易额达到18亿元", "cumulative", "linear", "monthly"),
        ("全年完成年度投资计划的80%", "cumulative", "linear", "monthly"),  # a share of a plan done
    ],
)
def test_measures_curves_and_frequencies(sentence, measure, curve, frequency):
    goal = one(sentence)
    assert (goal.measure, goal.curve, goal.frequency) == (measure, curve, frequency)


def test_cumulative_notes_flag_counts_that_may_include_earlier_years():
    assert "累计" in "".join(one("累计建设富硒农产品生产基地75个").notes)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "城乡居民人均可支配收入分别增长7.5%、8.5%",
            [("城镇居民人均可支配收入增速", "7.5", "%", "at_least"), ("农村居民人均可支配收入增速", "8.5", "%", "at_least")],
        ),
        (
            "城镇、农村居民人均可支配收入分别增长7%和8%",  # short qualifiers share what follows the last
            [("城镇居民人均可支配收入增速", "7", "%", "at_least"), ("农村居民人均可支配收入增速", "8", "%", "at_least")],
        ),
        (
            "酿酒葡萄、黄花菜、瓜菜种植面积稳定在23万亩、16万亩、36万亩",
            [("酿酒葡萄种植面积", "23", "万亩", "at_least"), ("黄花菜种植面积", "16", "万亩", "at_least"),
             ("瓜菜种植面积", "36", "万亩", "at_least")],
        ),
        (
            "化肥、农药使用量分别控制在3万吨和0.2万吨以内",  # the last 以内 binds both
            [("化肥使用量", "3", "万吨", "at_most"), ("农药使用量", "0.2", "万吨", "at_most")],
        ),
        (
            "实施碧桂园、阳光瑞晨等52个378万平方米房地产项目",  # two measures of the same projects
            [("实施房地产项目", "52", "个", "at_least"), ("实施房地产项目面积", "378", "万平方米", "at_least")],
        ),
        (
            "新增亿元企业10户、规上企业15户",
            [("新增亿元企业", "10", "户", "at_least"), ("规上企业", "15", "户", "at_least")],
        ),
    ],
)  # fmt: skip
def test_several_numbers_in_one_sentence_are_split(sentence, expected):
    assert [(goal.metric, goal.value, goal.unit, goal.comparator) for goal in read(sentence)] == [
        (metric, Decimal(value), unit, comparator) for metric, value, unit, comparator in expected
    ]


@pytest.mark.parametrize(
    ("sentence", "metric"),
    [
        ("城镇调查失业率全年控制在5.5%以内", "城镇调查失业率"),
        ("赤字率拟按3%左右安排", "赤字率"),
        ("将1.2亿元专项资金纳入直达机制", "专项资金纳入直达机制"),
        ("确保4月份339个新建项目开工70%以上", "339个新建项目开工比例"),
        ("紧盯4114名未脱贫人口", "未脱贫人口"),
        ("单位地区生产总值能耗降低3%", "单位地区生产总值能耗下降率"),
    ],
)
def test_metrics_leave_out_adverbs_dates_and_comparator_words(sentence, metric):
    assert one(sentence).metric == metric


def test_the_quote_is_the_shortest_clause_that_carries_the_number():
    sentence = "加快工业转型升级，新增亿元企业10户、规上企业15户，规模以上工业增加值增长9.5%"
    assert [goal.quote.of(sentence) for goal in read(sentence)] == [
        "新增亿元企业10户",
        "规上企业15户",
        "规模以上工业增加值增长9.5%",
    ]


def test_households_and_people_of_one_group_count_once_as_people():
    sentence = "紧盯收入在5000元以下1687户6168人“边缘户”、1012户3678人“脱贫监测户”"
    assert [(goal.value, goal.unit) for goal in read(sentence)] == [
        (Decimal(6168), "人"),
        (Decimal(3678), "人"),
    ]


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("确保4月份339个新建项目开工70%以上", ["70%"]),  # 339 is the base of the percentage
        ("巩固提升40个展示展销中心运营管理水平", []),  # the scope of an improvement
        ("承办好第35届宁夏青少年科技创新大赛", []),  # an ordinal
        ("PM2.5和PM10平均浓度持续下降", []),  # names next to Latin letters
        ("推进4G无线网络全覆盖和5G网络布局建设", []),
        ("认真落实自治区“1+16”政策和吴忠市25条措施", []),  # quotes, and the count of a policy's articles
        ("实施年产5万吨果蔬深加工等24个工业项目", ["24个"]),  # a capacity describes a project
        ("实施宝瑞隆等5000万元以上工业项目80个", ["80个"]),  # a qualifier before a noun
        ("高标准筹办2020宁夏黄河金岸国际马拉松赛", []),  # no unit: part of a name
        ("力争到2025年，有色金属新材料产业产值突破500亿元", []),  # a later year's goal
        ("2025年前建成千亿级产业集群，今年新增规上企业10家", ["10家"]),  # back to this year
        ("在去年完成投资118亿元的基础上，今年安排重点项目80个", ["80个"]),  # the ground it starts from
    ],
)
def test_numbers_that_are_not_goals_are_left_out(sentence, kept):
    assert [f"{goal.value.normalize():f}{goal.unit}" for goal in read(sentence)] == kept


@pytest.mark.parametrize(
    ("sentence", "deadlines"),
    [
        (
            "确保4月份339个新建项目开工70%以上，114个续建项目全部复工",
            [dt.date(2021, 4, 30), dt.date(2021, 4, 30)],
        ),
        (
            "确保6月底前42个新建项目全部开工，上半年完成年度投资计划的50%",
            [dt.date(2021, 6, 30), dt.date(2021, 6, 30)],
        ),
        ("一季度完成投资20亿元", [dt.date(2021, 3, 31)]),
        ("十月底前新建公厕12座", [dt.date(2021, 10, 31)]),
        ("3月底前新建公厕12座，全年新增就业2000人", [dt.date(2021, 3, 31), None]),  # 全年 ends the carry
        ("新增就业2000人，确保4月份新建公厕12座", [None, dt.date(2021, 4, 30)]),  # a month binds what follows
        ("去库存周期控制在11个月以内", [None]),  # 个月 is a length, not a month
    ],
)
def test_deadlines_come_from_a_month_named_in_the_sentence(sentence, deadlines):
    assert [goal.deadline for goal in read(sentence)] == deadlines


def test_a_month_of_the_february_of_a_leap_year_ends_on_the_29th():
    assert one("2月底前新建公厕12座", year=2024).deadline == dt.date(2024, 2, 29)
