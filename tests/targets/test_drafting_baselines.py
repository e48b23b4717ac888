"""Baselines from the review of the past year: the figure of the same metric, with the clause that states
it, or none when no figure of the review names that metric."""

from decimal import Decimal

import pytest

from targets.drafting.baselines import baseline_find, review_facts
from targets.drafting.text import Span

REVIEW = (
    "全年实现地区生产总值580.2亿元，增长7.1%；社会消费品零售总额36.4亿元，下降1.2%。"
    "全年新增规上企业20家、产值过亿元企业10家，规上工业增加值增长13.5%。"
    "全市奶牛存栏20万头，新增2万头。"
    "酿酒葡萄、黄花菜、中药材等种植面积分别达到23万亩、16万亩、24万亩。"
    "改造城镇老旧小区9个1350户。新建厦门江头、贵阳观山湖等5个展示展销中心。"
    "全市优良天数比例86.6%，城镇登记失业率3.05%。"
)


def find(metric: str, unit: str):
    found = baseline_find(review_facts(REVIEW, Span(0, len(REVIEW))), metric=metric, unit=unit, text=REVIEW)
    return None if found is None else (found.value, found.unit, found.quote.of(REVIEW))


@pytest.mark.parametrize(
    ("metric", "unit", "expected"),
    [
        # A clause with only the change takes the subject and the start of the clause before it.
        ("地区生产总值增速", "%", ("7.1", "%", "全年实现地区生产总值580.2亿元，增长7.1%")),
        # A fall is a negative growth.
        ("社会消费品零售总额增速", "%", ("-1.2", "%", "社会消费品零售总额36.4亿元，下降1.2%")),
        ("新增规上企业", "户", ("20", "家", "全年新增规上企业20家")),  # 户 and 家 both count firms
        ("新增亿元企业", "户", ("10", "家", "产值过亿元企业10家")),
        ("规模以上工业增加值增速", "%", ("13.5", "%", "规上工业增加值增长13.5%")),
        ("新增奶牛", "万头", ("2", "万头", "全市奶牛存栏20万头，新增2万头")),  # the increase, not the stock
        (
            "黄花菜种植面积",
            "万亩",
            ("16", "万亩", "酿酒葡萄、黄花菜、中药材等种植面积分别达到23万亩、16万亩"),
        ),
        ("改造城镇老旧小区（户）", "户", ("1350", "户", "改造城镇老旧小区9个1350户")),  # the same unit first
        ("新建优质特色产品展示展销中心", "个", ("5", "个", "贵阳观山湖等5个展示展销中心")),
        ("空气质量优良天数比例", "%", ("86.6", "%", "全市优良天数比例86.6%")),
    ],
)
def test_the_same_metric_in_the_review_gives_the_baseline(metric, unit, expected):
    value, found_unit, quote = expected
    assert find(metric, unit) == (Decimal(value), found_unit, quote)


@pytest.mark.parametrize(
    ("metric", "unit"),
    [
        ("瓜菜种植面积", "万亩"),  # another crop's area is not this one's
        ("新增肉牛", "万头"),
        ("城镇调查失业率", "%"),  # a different survey: half the name is not enough
        ("社会消费品零售总额占比", "%"),  # a share wants a level, and the review gives only the change
        ("第三产业增加值占GDP比重提高", "个百分点"),
    ],
)
def test_no_baseline_without_the_same_metric(metric, unit):
    assert find(metric, unit) is None
