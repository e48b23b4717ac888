"""Baselines: the past year's figure of the same metric, found in the review part of the report.

Steps:
1. Read every figure of the review as a fact: the subject before it, its value and unit, whether it is a
   change (增长/下降/上涨) or a level, and the clause that states it. A clause that gives only the change
   ("…580.2亿元，增长7.1%") takes the subject and the start of the clause before it.
2. For a goal, keep the facts of a compatible unit and kind (a growth goal wants a change, a rate or count
   wants a level) and choose the one whose subject shares the longest run of characters with the goal's
   metric, if that run covers at least half of the metric's name.
"""

import functools
from dataclasses import dataclass
from decimal import Decimal

from targets.drafting.reader import (
    PERCENT_UNITS,
    counted_thing_end,
    growth_word,
    is_adjacent,
    number_tokens,
    run_head_start,
    runs,
    subject_clean,
    subjects_for,
)
from targets.drafting.text import Span, clauses, paragraphs, sentences

COUNT_FAMILY = {"个", "家", "户", "所", "项", "座", "处", "套", "间", "条", "批"}
PEOPLE_FAMILY = {"人", "万人"}
DECREASES = ("下降", "降低", "减少")
QUALIFIERS = ("同口径", "可比", "同比", "较年初", "比上年", "较上年")
# A subject that is only a verb takes the subject of the figure before it ("奶牛存栏20万头，新增2万头").
BARE_VERBS = ("新增", "增加", "减少", "新建", "累计")
INCREMENTS = ("新增", "新建", "新认证", "新引进")
STOCKS = ("存栏", "饲养量", "总数", "保有量", "余额", "总量")
GOAL_SUFFIXES = ("增速", "下降率", "压减比例", "比例", "提高", "增幅", "涨幅")
GOAL_VERBS = (
    "累计建设", "新认证", "新引进", "新增", "新建", "实施", "完成", "建设", "培育", "引进", "累计", "全年",
    "全市",
)  # fmt: skip


@dataclass(frozen=True)
class Fact:
    subject: str
    value: Decimal
    unit: str
    change: str  # "增长", "下降"… or "" for a level
    quote: Span


@dataclass(frozen=True)
class FoundBaseline:
    value: Decimal
    unit: str
    quote: Span
    note: str


def review_facts(text: str, review: Span) -> list[Fact]:
    """Every figure of the review with its subject (step 1 of the module docstring)."""
    facts: list[Fact] = []
    for paragraph in paragraphs(text):
        if paragraph.start < review.start or paragraph.end > review.end:
            continue
        for sentence in sentences(text, paragraph):
            previous: Fact | None = None
            for clause in clauses(text, sentence):
                segment_start = clause.start
                for run in runs(text, [token for token in number_tokens(text, clause) if not token.dropped]):
                    head_start = run_head_start(
                        text, clause, segment_start, run[0].start, listed=len(run) > 1
                    )
                    head = text[head_start : run[0].start]
                    trailing_end = counted_thing_end(text, clause, run[-1].end)
                    trailing = text[run[-1].end : trailing_end]
                    change = "" if head.endswith("到") else growth_word(head)
                    subject = subject_clean(head)
                    for word in QUALIFIERS:
                        subject = subject.replace(word, "")
                    if trailing and ("等" in head or subject in ("", *BARE_VERBS)):
                        subject = trailing  # "等5个展示展销中心", "新增13家四板挂牌企业"
                    token_subjects = subjects_for(subject, len(run), adjacent=is_adjacent(text, run))
                    for token, token_subject in zip(run, token_subjects, strict=True):
                        quote = Span(head_start, trailing_end if token is run[-1] else token.end)
                        if token_subject in ("", *BARE_VERBS) and previous is not None:
                            token_subject = previous.subject + token_subject
                            quote = Span(previous.quote.start, token.end)
                        if not token_subject:
                            continue
                        previous = Fact(token_subject, token.value, token.unit, change, quote)
                        facts.append(previous)
                    segment_start = max(trailing_end, run[-1].end)
    return facts


@functools.cache
def _bigrams(value: str) -> frozenset[str]:
    return frozenset(value[index : index + 2] for index in range(len(value) - 1))


def _compatible(goal_unit: str, fact_unit: str) -> bool:
    if goal_unit in PERCENT_UNITS or fact_unit in PERCENT_UNITS:
        return goal_unit == fact_unit == "%"
    return (
        goal_unit == fact_unit
        or {goal_unit, fact_unit} <= COUNT_FAMILY
        or {goal_unit, fact_unit} <= PEOPLE_FAMILY
    )


def _same_metric(full: str, core: str, subject: str) -> bool:
    """The review's subject names the goal's metric: it holds both ends of the goal's name (the head noun,
    企业/产量/中心…, and the first modifier, which tells 瓜菜种植面积 from 黄花菜种植面积) and more than half of
    its pairs of characters, or (when it says at least four characters) it is itself nearly all
    inside the goal's name ("规上工业增加值" in "规模以上工业增加值")."""
    core_pairs, subject_pairs = _bigrams(core), _bigrams(subject)
    if core[:2] in subject and core[-2:] in subject and len(core_pairs & subject_pairs) > len(core_pairs) / 2:
        return True
    return len(subject) >= 4 and len(subject_pairs & _bigrams(full)) >= 0.8 * len(subject_pairs)


def baseline_find(facts: list[Fact], *, metric: str, unit: str, text: str) -> FoundBaseline | None:
    """The past year's figure of the goal's metric (step 2 of the module docstring), or None."""
    full = metric.split("（")[0]
    name = next((full[: -len(suffix)] for suffix in GOAL_SUFFIXES if full.endswith(suffix)), full)
    core = name
    for verb in GOAL_VERBS:
        if core.startswith(verb) and len(core) > len(verb) + 1:
            core = core[len(verb) :]
            break
    if len(core) < 2:
        return None
    wants_change = unit == "%" and metric.endswith(("增速", "下降率", "涨幅", "增幅"))
    best: tuple[tuple[bool, float], Fact] | None = None
    for fact in facts:
        if not _compatible(unit, fact.unit) or (unit == "%" and bool(fact.change) != wants_change):
            continue
        if not _same_metric(full, core, fact.subject):
            continue
        if (
            full.startswith(INCREMENTS)
            and any(word in fact.subject for word in STOCKS)
            and not any(word in fact.subject for word in INCREMENTS)
        ):
            continue  # "新增肉牛" is not the herd ("肉牛、肉羊饲养量达到42万头")
        name_pairs, subject_pairs = _bigrams(name), _bigrams(fact.subject)
        # The same unit first (1800户 wants 1350户, not the 9个 beside it), then the closest name.
        score = (
            fact.unit == unit,
            2 * len(name_pairs & subject_pairs) / (len(name_pairs) + len(subject_pairs) or 1),
        )
        if best is None or score > best[0]:
            best = (score, fact)
    if best is None:
        return None
    fact = best[1]
    value = -fact.value if fact.change in DECREASES and metric.endswith("增速") else fact.value
    return FoundBaseline(
        value=value,
        unit=fact.unit,
        quote=fact.quote,
        note=f"基数取自上年工作回顾“{fact.quote.of(text)}”（按指标名称对应，请核实口径）。",
    )
