"""The clause reader: how one sentence of a report's plan becomes numeric goals and milestones.

A pure function of the text (`sentence_goals`); every rule below is a reading convention of the genre, the
same ones the hand-made 2020 file states (docs/data-format.md, "Conventions used when encoding"), and each
goal carries the notes that say which rule read it.

Steps for a sentence:
1. Find every number with a unit (`number_tokens`) and drop the ones that only name or describe something:
   ordinals (第35届), names in quotes (“1+16”), codes next to Latin letters (PM2.5, 4G, 5A), capacities
   (年产5万吨), qualifiers (收入在5000元以下…), policy counts (25条措施).
2. Group numbers that stand together (23万亩、16万亩、36万亩; 15%和20%以上; 52个378万平方米) into runs;
   "N户M人" counts one group twice, so only the people are kept.
3. Drop counts that only give the scope of a percentage (339个新建项目开工70%以上) or of an improvement
   (巩固提升40个展示展销中心运营管理水平).
4. Read each remaining number: comparator, metric, measure, curve, frequency, quote (the shortest clause
   that carries it).
5. Goals without a digit: "只减不增" (at most 0%), "遏制…事故发生" (at most 0 起).
6. Milestones: in clauses without a goal, a verb of completion with its object (编制, 建成, 开通, 确保…通过…),
   unless the clause only promises continued effort (深入/加快/推进… with no end state).
7. Deadlines: a month or quarter named in a clause applies to it and to the clauses after it in the
   sentence, unless they say 全年.
"""

import calendar
import datetime as dt
import itertools
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from targets.drafting.text import CLOSING, OPENING, PUNCTUATION, Span, clauses, quote_depth_at, segments

AT_LEAST, AT_MOST, ABOUT, DONE = "at_least", "at_most", "about", "done"
LEVEL, CUMULATIVE = "level", "cumulative"

# ------------------------------------------------------------------------------------------ units
_SCALED = [
    "元", "吨", "吨标准煤", "亩", "斤", "人", "人次", "户", "头", "只", "羽", "平方米", "立方米", "千瓦时", "千瓦", "株",
    "册", "套", "辆",
]  # fmt: skip
_PLAIN = [
    "个百分点", "个月", "微克/立方米", "平方公里", "公顷", "公里", "千米", "米", "名", "家", "个", "所", "条", "项", "座",
    "间", "处", "批", "场", "次", "件", "台", "张", "起", "天", "岁", "兆瓦", "%", "％", "‰",
]  # fmt: skip
UNITS = sorted(
    {*_PLAIN, *_SCALED, *(f"{scale}{unit}" for scale in ("万", "亿", "万亿") for unit in _SCALED)},
    key=len,
    reverse=True,
)
# Units that count things; a count right before a percentage is the percentage's base, not a goal.
COUNT_UNITS = {
    "个", "家", "所", "条", "项", "座", "间", "处", "批", "场", "件", "台", "张", "户", "名", "人", "套",
}  # fmt: skip
PERCENT_UNITS = {"%", "个百分点", "‰"}
AREA_UNITS = {"万平方米", "平方米", "万亩", "亩", "平方公里", "公顷"}
UNIT_SPELLING = {"％": "%", "名": "人"}

NUMBER = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
SUFFIXES = {"以上": AT_LEAST, "以内": AT_MOST, "以下": AT_MOST, "左右": ABOUT}
# Words before a number that say how it binds; the longest is tried first (不超过 before 超过).
_PREFIX_COMPARATORS = [
    ("不低于", AT_LEAST), ("不少于", AT_LEAST), ("力争", AT_LEAST), ("突破", AT_LEAST), ("达到", AT_LEAST),
    ("超过", AT_LEAST), ("提高到", AT_LEAST), ("保持在", AT_LEAST), ("稳定在", AT_LEAST),
    ("控制在", AT_MOST), ("不超过", AT_MOST), ("不高于", AT_MOST), ("低于", AT_MOST), ("下降到", AT_MOST),
    ("降低到", AT_MOST), ("降至", AT_MOST), ("压减到", AT_MOST), ("减少到", AT_MOST),
]  # fmt: skip
PREFIX_COMPARATORS = sorted(_PREFIX_COMPARATORS, key=lambda pair: len(pair[0]), reverse=True)
CAPACITY_WORDS = (
    "年产", "日产", "年处理", "日处理", "年加工", "日供", "装机", "总投资", "总长", "全长", "占地", "总面积",
)  # fmt: skip
DOCUMENT_NOUNS = ("措施", "政策", "意见", "条例", "规定", "办法", "文件", "要求", "行动计划", "规划")
# The shared noun at the end of a listed subject ("酿酒葡萄、黄花菜、瓜菜种植面积").
LIST_TAILS = tuple(
    sorted(
        ("种植面积", "面积", "产量", "总额", "收入", "增加值", "人数", "数量", "比例", "比重", "覆盖率", "率", "使用量",
         "排放量", "饲养量", "出栏量", "存栏量", "用量", "总量", "销售额", "交易额", "浓度"),
        key=len,
        reverse=True,
    )
)  # fmt: skip
RUN_JOINERS = {"", "、", "和", "及", "与", "、和"}
ACCUMULATING_VERBS = (
    "新增", "新建", "完成", "实施", "建设", "培育", "治理", "改造", "淘汰", "减少", "累计", "引进", "新认证", "转移",
)  # fmt: skip
STOCK_NOUNS = ("面积", "产量", "总产量", "存栏", "保有量", "总量", "规模", "浓度")
RATE_NOUNS = ("率", "比例", "比重", "强度", "占比", "增速", "涨幅", "增幅", "指数")
SHARE_VERBS = ("完成", "开工", "复工", "建成", "竣工", "开业")
LEAD_ADVERBS = (
    "确保", "力争", "全年", "全市", "全县", "全区", "年内", "今年", "努力", "争取", "进一步", "再", "实现", "紧盯",
    "全面", "按期", "高质量", "高标准", "认真", "力促", "推动", "推进", "同时", "并", "将", "把", "对",
)  # fmt: skip
CLAUSE_VERBS = (
    "累计建设", "新建改建", "新认证", "新引进", "新增", "新建", "实施", "建设", "培育", "完成", "改造", "引进", "创建",
    "建成", "淘汰", "减少", "治理", "打造", "认定", "发展", "开展", "转移", "建立",
)  # fmt: skip

# ------------------------------------------------------------------------------------------ milestones
# Verbs that name a thing getting done, followed by that thing (编制…规划, 开通…公交).
LEAD_VERBS = (
    "创建成", "投入使用", "投入运营", "制定出台", "开发运营", "建成运营", "建成", "完成", "通过", "实现", "编制", "制定", "出台", "印发", "成立",
    "组建", "启动", "开通", "贯通", "开放", "启用", "承办", "举办", "筹办", "办好", "开展", "建立", "创建", "获批",
)  # fmt: skip
# End states that close a clause (…全覆盖, …上市, …清零): a milestone even after a verb of effort.
END_STATES = (
    "全覆盖", "上市", "收官", "运营", "投入使用", "投入运营", "投用", "投产", "上线", "清零", "胜利",
    "贯通", "建成", "通过", "验收",
)  # fmt: skip
# A clause led by one of these promises continued effort, not an end state.
EFFORT_WORDS = (
    "深入", "大力", "广泛", "持续", "积极", "不断", "进一步", "加快", "加大", "加强", "强化", "深化", "巩固", "着力", "切实",
    "努力", "全力", "坚持", "推进", "推动", "促进", "支持", "鼓励", "引导", "完善", "健全", "优化", "提升", "提高", "做好",
    "抓好", "落实", "统筹", "围绕", "聚焦", "发挥", "探索", "规划", "谋划", "争取", "力促", "扩大", "保持",
)  # fmt: skip
# Verbs whose objects are named things that can be listed (编制A和B → two milestones).
LISTING_VERBS = (
    "编制", "制定", "出台", "印发", "成立", "组建", "启动", "开通", "贯通", "开放", "启用", "承办", "举办",
    "筹办", "办好", "建立", "建成",
)  # fmt: skip
# Nouns that contain a verb of the lists above (建成区 is the built-up area, not "built").
NOUN_COMPOUNDS = (
    "建成区", "开放型", "开放式", "完成率", "通过率", "上市公司", "运营中心", "运营管理", "创建成果",
    "上线率",
)  # fmt: skip
# Milestones judged at the year's assessment: nothing is expected of them before the deadline.
YEAR_END_WORDS = (
    "下达", "通过", "验收", "复查", "复验", "考核", "收官", "胜利", "普查", "创建", "称号", "连冠",
)  # fmt: skip

# ------------------------------------------------------------------------------------------ deadlines
_CHINESE_MONTHS = {
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11,
    "十二": 12,
}  # fmt: skip
MONTH = re.compile(
    r"(?<![0-9０-９个年])([0-9０-９]{1,2}|十[一二]?|[一二三四五六七八九])月(?![0-9０-９日号])(?:份|底前|底|末|前|中旬|上旬|下旬)?"
)
QUARTERS = {"上半年": 6, "一季度": 3, "首季度": 3, "二季度": 6, "前三季度": 9, "三季度": 9}
WHOLE_YEAR = ("全年", "年内", "年底", "年末")
# A year named with 到/至/前/底/末 around it: the clause looks ahead to it ("力争到2025年").
LATER_YEAR = re.compile(r"(?:到|至)(20[0-9]{2})年|(?<![0-9])(20[0-9]{2})年(?:前|底|末)")
THIS_YEAR = ("今年", "全年", "年内", "当年", "本年")
# "在去年…的基础上": the ground a goal starts from, not a goal.
GROUND_CLAUSE = re.compile(r"^在.*基础上$")


@dataclass(frozen=True)
class NumberToken:
    start: int  # the number
    unit_start: int
    end: int  # after the unit and any suffix (以上/以内/以下/左右)
    value: Decimal
    unit: str
    suffix: str
    dropped: str = ""  # why the number is not a goal ("" when it is one)


@dataclass(frozen=True)
class Goal:
    """One numeric goal or milestone read from a sentence; spans are offsets into the whole text."""

    quote: Span
    metric: str
    comparator: str
    value: Decimal | None
    unit: str
    measure: str
    curve: str
    frequency: str
    deadline: dt.date | None
    notes: tuple[str, ...] = field(default=())

    @property
    def is_milestone(self) -> bool:
        return self.comparator == DONE


def _number_value(raw: str) -> Decimal:
    return Decimal(raw.translate(_FULL_WIDTH))


def _format(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def number_tokens(text: str, span: Span) -> list[NumberToken]:
    """Every number followed by a unit inside the span, with the reason it is dropped where it is not a
    goal (see step 1 of the module docstring)."""
    tokens = []
    for match in NUMBER.finditer(text, span.start, span.end):
        start, unit_start = match.start(), match.end()
        unit = next((unit for unit in UNITS if text.startswith(unit, unit_start)), None)
        if unit is None:
            continue
        end = unit_start + len(unit)
        suffix = next((word for word in SUFFIXES if text.startswith(word, end)), "")
        end += len(suffix)
        before = text[max(span.start, start - 4) : start]
        after_number = text[unit_start : unit_start + 1]
        after = text[end : end + 6]
        dropped = ""
        if before.endswith("第"):
            dropped = "序数（第…），是名称的一部分"
        elif re.search(r"[A-Za-z+\-]$", before) or re.match(r"[A-Za-z+]", after_number):
            dropped = "与字母或符号相连（如PM2.5、4G），是名称"
        elif quote_depth_at(text, span, start) > 0:
            dropped = "在引号或书名号内，是名称"
        elif before.endswith(CAPACITY_WORDS):
            dropped = "描述项目规模（年产、总投资…），不是目标值"
        elif after.startswith(DOCUMENT_NOUNS):
            dropped = "是政策或文件的条数，不是目标值"
        elif (
            suffix in ("以上", "以下", "以内")
            and after[:1]
            and (_is_cjk(after[0]) or after[0].isdigit())
            and after[0] not in "和及与"
        ):
            dropped = "“以上/以下”后接名词，是限定范围的条件，不是目标值"
        elif not suffix and after.startswith("的"):
            dropped = "后接“的”，是修饰语，不是目标值"
        tokens.append(
            NumberToken(
                start=start,
                unit_start=unit_start,
                end=end,
                value=_number_value(match.group()),
                unit=UNIT_SPELLING.get(unit, unit),
                suffix=suffix,
                dropped=dropped,
            )
        )
    return tokens


def run_head_start(text: str, clause: Span, segment_start: int, run_start: int, *, listed: bool) -> int:
    """Where the words of a number start: after the last enumeration comma before it ("新增亿元企业10户、
    规上企业15户"), unless the run lists several numbers for several subjects, or says 分别 (then the subjects
    start the segment: "酿酒葡萄、黄花菜、瓜菜种植面积稳定在23万亩、16万亩、36万亩")."""
    if listed or "分别" in text[segment_start:run_start]:
        return segment_start
    commas = [
        position
        for position in range(segment_start, run_start)
        if text[position] == "、" and quote_depth_at(text, clause, position) == 0
    ]
    return commas[-1] + 1 if commas else segment_start


def counted_thing_end(text: str, clause: Span, position: int) -> int:
    """The end of the counted thing written after a number ("等70个重点工业项目", "6168人“边缘户”"): up to the
    next punctuation, 和/及 or digit outside quotes."""
    depth = 0
    while position < clause.end:
        char = text[position]
        if char in OPENING:
            depth += 1
        elif char in CLOSING:
            depth = max(0, depth - 1)
        elif depth == 0 and (char in PUNCTUATION or char in "和及" or char.isdigit()):
            break
        position += 1
    return position


def runs(text: str, tokens: list[NumberToken]) -> list[list[NumberToken]]:
    """Tokens that stand together with only a joiner (、 和 及 与) or nothing between them."""
    runs: list[list[NumberToken]] = []
    for token in tokens:
        if runs and text[runs[-1][-1].end : token.start] in RUN_JOINERS:
            runs[-1].append(token)
        else:
            runs.append([token])
    return runs


def _month_deadline(clause_text: str, year: int) -> tuple[dt.date, str] | None:
    for word, month in QUARTERS.items():
        if word in clause_text:
            return dt.date(year, month, calendar.monthrange(year, month)[1]), word
    match = MONTH.search(clause_text)
    if match:
        raw = match.group(1)
        month = int(raw.translate(_FULL_WIDTH)) if raw[0] not in _CHINESE_MONTHS else _CHINESE_MONTHS[raw]
        if 1 <= month <= 12:
            return dt.date(year, month, calendar.monthrange(year, month)[1]), match.group()
    return None


def _strip_leading(words: str, prefixes: tuple[str, ...], *, keep_last: bool = True) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in prefixes:
            if words.startswith(prefix) and (len(words) > len(prefix) or not keep_last):
                words, changed = words[len(prefix) :], True
    return words


def _split_top_level(value: str, joiners: str = "、和") -> list[str]:
    parts, depth, current = [], 0, ""
    for char in value:
        if char in OPENING:
            depth += 1
        elif char in CLOSING:
            depth = max(0, depth - 1)
        if char in joiners and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part for part in parts if part]


def subject_clean(head: str) -> str:
    """The words before a number, without the adverbs, dates, comparator and change words around the
    subject ("确保4月份…开工" → "…开工", "城乡居民人均可支配收入分别增长" → "城乡居民人均可支配收入")."""
    head = re.sub(MONTH, "", head)
    for word in (*QUARTERS, *WHOLE_YEAR, "年底前"):
        head = head.replace(word, "")
    head = _strip_leading(head, LEAD_ADVERBS, keep_last=False)
    trailing = [word for word, _comparator in PREFIX_COMPARATORS] + [
        "分别", "再", "的", "均", "同比", "比上年", "较上年", "增长", "上涨", "下降", "提高", "压减", "降低", "减少",
        "拟按", "按",
    ]  # fmt: skip
    changed = True
    while changed:
        changed = False
        for word in trailing:
            if head.endswith(word):
                head, changed = head[: -len(word)], True
    return head.strip("、和及与")


def _clause_verb(clause_text: str) -> str:
    for verb in CLAUSE_VERBS:
        position = clause_text.find(verb)
        if 0 <= position <= 6:
            return verb
    return ""


def growth_word(head: str) -> str:
    return next(
        (word for word in ("增长", "上涨", "下降", "提高", "压减", "降低", "减少") if head.endswith(word)), ""
    )


def _comparator(head: str, token: NumberToken, run_suffix: str) -> tuple[str, str]:
    """(comparator, the note that explains it) from the suffix, else the words before the number."""
    goal = f"{_format(token.value)}{token.unit}"
    suffix = token.suffix or run_suffix
    if suffix:
        comparator = SUFFIXES[suffix]
        shared = f"（并列的各数共用这个“{suffix}”）" if not token.suffix else ""
        meaning = {
            AT_LEAST: f"不低于{goal}",
            AT_MOST: f"不高于{goal}",
            ABOUT: f"{goal}上下5%以内（{_format(token.value * Decimal('0.95'))}—{_format(token.value * Decimal('1.05'))}{token.unit}）",
        }[comparator]
        return comparator, f"“{goal}{suffix}”{shared}即{meaning}。"
    for word, comparator in PREFIX_COMPARATORS:
        if word in head:
            return (
                comparator,
                f"“{word}{goal}”按{'不低于' if comparator == AT_LEAST else '不高于'}{goal}处理。",
            )
    change = growth_word(head)
    if change in ("下降", "降低", "减少", "压减"):
        return AT_LEAST, f"“{change}{goal}”按{change}幅度不低于{goal}处理。"
    return AT_LEAST, f"“{change}{goal}”未注明“以上”，按惯例作为底线目标：不低于{goal}。"


def _measure(head: str, subject: str, token: NumberToken, comparator: str) -> tuple[str, str]:
    if comparator in (AT_MOST, ABOUT):
        return LEVEL, "上限或区间目标，按水平值（年初以来的最新数值）考核。"
    if token.unit in PERCENT_UNITS:
        if any(verb in head for verb in SHARE_VERBS) and not growth_word(head):
            return CUMULATIVE, "计划完成比例，按累计完成的百分比考核。"
        return LEVEL, "增速、比率类指标，按水平值（年初以来的最新数值）考核。"
    if any(word in head for word in ("稳定在", "保持在")):
        return LEVEL, "“稳定在/保持在”为存量指标，按水平值考核。"
    if subject.endswith(STOCK_NOUNS + RATE_NOUNS) and not any(verb in head for verb in ACCUMULATING_VERBS):
        return LEVEL, "存量指标（面积、产量等），按水平值考核。"
    note = "当年完成量，按年初以来累计值考核。"
    if "累计" in head:
        note = "“累计”可能包含以前年度的数量，按累计值考核，请核实口径。"
    return CUMULATIVE, note


def _schedule(measure: str, head: str, token: NumberToken) -> tuple[str, str, str]:
    if measure == CUMULATIVE:
        return "linear", "monthly", "序时进度按线性，按月报送。"
    if token.unit in PERCENT_UNITS and (growth_word(head) in ("增长", "上涨", "提高") or "涨幅" in head):
        return "quarterly", "quarterly", "增速按季度统计，按季度报送年初以来累计增速。"
    return "year_end", "annual", "年度统计或考核数据，年底考核。"


def _metric(subject: str, head: str, token: NumberToken, trailing: str, verb: str) -> str:
    growth = growth_word(head)
    name = subject
    if not name or "等" in head or re.search(r"[0-9０-９]", name):
        name = (verb + trailing.strip("“”")) if verb and trailing else (trailing.strip("“”") or name or verb)
    if token.unit in PERCENT_UNITS:
        if growth in ("增长", "上涨"):
            name += "增速"
        elif growth in ("下降", "降低", "减少"):
            name += "下降率"
        elif growth in ("提高", "压减") and token.unit == "个百分点":
            name += "提高" if growth == "提高" else "压减"
        elif growth == "压减":
            name += "压减比例"
        elif not name.endswith(RATE_NOUNS):
            name += "比例"
    return name[:100] or "数值目标"


@dataclass
class _Context:
    """What the reader knows about the sentence while it walks it."""

    text: str
    year: int
    deadline: tuple[dt.date, str] | None = None
    goals: list[Goal] = field(default_factory=list)


def looks_ahead(clause_text: str, year: int) -> bool:
    """Whether the clause names a later year its goals belong to ("力争到2025年", "2025年前")."""
    return any(int(match.group(1) or match.group(2)) > year for match in LATER_YEAR.finditer(clause_text))


def sentence_goals(text: str, sentence: Span, *, year: int) -> list[Goal]:
    """Every numeric goal and milestone of one sentence of the plan, in reading order. From a clause that
    looks ahead to a later year ("力争到2025年，…") until one that comes back to this year (今年, 全年…),
    the goals are not this year's; a clause that gives the ground it starts from ("在去年…的基础上") is
    none."""
    context = _Context(text=text, year=year)
    looking_ahead = False
    for clause in clauses(text, sentence):
        clause_text = clause.of(text)
        if looks_ahead(clause_text, year):
            looking_ahead = True
        elif any(word in clause_text for word in THIS_YEAR):
            looking_ahead = False
        if looking_ahead or GROUND_CLAUSE.match(clause_text):
            continue
        found = _month_deadline(clause_text, year)
        if found:
            context.deadline = found
        elif any(word in clause_text for word in WHOLE_YEAR):
            context.deadline = None
        before = len(context.goals)
        _numeric_goals(context, clause)
        if len(context.goals) == before:
            _zero_goals(context, clause)
        if len(context.goals) == before:
            _milestones(context, clause)
    return context.goals


def _with_deadline(context: _Context, goal: Goal) -> Goal:
    if context.deadline is None:
        return goal
    deadline, words = context.deadline
    return replace(
        goal,
        deadline=deadline,
        curve="linear",
        frequency="monthly",
        notes=(*goal.notes, f"句中“{words}”：期限为{deadline.year}年{deadline.month}月{deadline.day}日。"),
    )


def is_adjacent(text: str, run: list[NumberToken]) -> bool:
    """Numbers written side by side ("52个378万平方米") measure one thing in two units."""
    return all(text[left.end : right.start] == "" for left, right in itertools.pairwise(run))


@dataclass(frozen=True)
class _Run:
    tokens: list[NumberToken]  # as written
    members: list[NumberToken]  # the ones that are goals
    base_of_percentage: bool  # counts that only give the base of a later percentage


def _goal_runs(text: str, clause: Span) -> list[_Run]:
    """Steps 2 and 3 of the module docstring: runs of numbers, "N户M人" counted once, bases and scopes."""
    clause_text = clause.of(text)
    effort = _strip_leading(clause_text, ("持续", "不断", "进一步"))
    if re.match(r"^(巩固提升|巩固|提升|提高)", effort) and clause_text.endswith(
        ("水平", "成果", "质量", "能力", "效益")
    ):
        return []  # "巩固提升40个展示展销中心运营管理水平": the scope of an improvement
    grouped = []
    for run in runs(text, [token for token in number_tokens(text, clause) if not token.dropped]):
        members = [
            token
            for token, following in itertools.zip_longest(run, run[1:])
            if not (following and token.unit.endswith("户") and following.unit.endswith("人"))
        ]
        grouped.append((run, members))
    result = []
    for index, (run, members) in enumerate(grouped):
        later = [token for _run, later_members in grouped[index + 1 :] for token in later_members]
        base = all(token.unit in COUNT_UNITS for token in members) and any(
            token.unit in PERCENT_UNITS for token in later
        )
        result.append(_Run(tokens=run, members=members, base_of_percentage=base))
    return result


def _numeric_goals(context: _Context, clause: Span) -> None:
    """Step 4: each number that is a goal, with its quote, metric, comparator, measure and schedule."""
    text = context.text
    verb = _clause_verb(clause.of(text))
    segment_start = clause.start
    base_note = ""
    for run in _goal_runs(text, clause):
        first, last = run.tokens[0], run.tokens[-1]
        if run.base_of_percentage:
            base_note = f"“{text[first.start : last.end]}”是百分比目标的基数，不单列目标。"
            continue
        members = run.members
        head_start = run_head_start(text, clause, segment_start, first.start, listed=len(members) > 1)
        etc = text.rfind("等", head_start, first.start)
        quote_start = etc if etc >= 0 and len(members) == 1 else head_start
        while quote_start < first.start and text[quote_start] in "、和及与":
            quote_start += 1
        trailing_end = counted_thing_end(text, clause, last.end)
        trailing = text[last.end : trailing_end]
        head = text[head_start : first.start]
        subject = subject_clean(head)
        adjacent = is_adjacent(text, run.tokens)
        subjects = subjects_for(subject, len(members), adjacent=adjacent)
        for position, token in enumerate(members):
            comparator, comparator_note = _comparator(head, token, last.suffix)
            measure, measure_note = _measure(head, subject, token, comparator)
            curve, frequency, schedule_note = _schedule(measure, head, token)
            metric = _metric(subjects[position], head, token, trailing, verb)
            if position > 0 and adjacent and token.unit != members[0].unit:
                metric += "面积" if token.unit in AREA_UNITS else f"（{token.unit}）"
            notes = [comparator_note, measure_note, schedule_note, *([base_note] if base_note else [])]
            if len(members) > 1:
                notes.append(
                    f"同一句列出{len(members)}个数，按顺序第{position + 1}个（{_format(token.value)}{token.unit}）"
                    f"对应“{metric}”。"
                )
            if len(run.tokens) > len(members):
                notes.append("“户”与“人”是同一群体的两种计数，只取人数。")
            if token.unit == "人" and text[token.unit_start] == "名":
                notes.append("“名”按“人”计。")
            goal = Goal(
                quote=Span(quote_start, max(trailing_end, last.end)),
                metric=metric,
                comparator=comparator,
                value=token.value,
                unit=token.unit,
                measure=measure,
                curve=curve,
                frequency=frequency,
                deadline=None,
                notes=tuple(notes),
            )
            context.goals.append(_with_deadline(context, goal))
        base_note = ""
        segment_start = trailing_end


def subjects_for(subject: str, count: int, *, adjacent: bool) -> list[str]:
    """One subject per number of a run: "城乡居民…" gives 城镇…/农村…, "A、B、C种植面积" gives A种植面积, B种植面积,
    C种植面积, "A和B" gives A, B. Numbers written side by side ("52个378万平方米") measure the same thing."""
    if count == 1 or adjacent:
        return [subject] * count
    if subject.startswith("城乡") and count == 2:
        rest = subject[2:]
        return ["城镇" + rest, "农村" + rest]
    items = _split_top_level(subject)
    if len(items) != count:
        return [f"{subject}（第{index + 1}项）" for index in range(count)]
    if "、" in subject:
        head = len(items[0])
        if head <= 2 and all(len(item) == head for item in items[:-1]) and len(items[-1]) > head + 1:
            # "城镇、农村居民人均可支配收入": short qualifiers share all that follows the last one's.
            tail = items[-1][head:]
        else:
            tail = next(
                (noun for noun in LIST_TAILS if items[-1].endswith(noun) and len(items[-1]) > len(noun)), ""
            )
        items = [item + tail for item in items[:-1]] + [items[-1]]
    return items


def _zero_goal(context: _Context, quote: Span, metric: str, unit: str, frequency: str, note: str) -> None:
    goal = Goal(
        quote=quote,
        metric=metric,
        comparator=AT_MOST,
        value=Decimal(0),
        unit=unit,
        measure=LEVEL,
        curve="year_end",
        frequency=frequency,
        deadline=None,
        notes=(note,),
    )
    context.goals.append(_with_deadline(context, goal))


# No growth on last year, stated without a digit: at most 0%.
NO_GROWTH = re.compile(r"只减不增|(?:不超过|不高于|不突破)上年(?:水平|规模)?")


def _zero_goals(context: _Context, clause: Span) -> None:
    """Step 5: goals stated without a digit, "只减不增" or "不超过上年水平" (at most 0%) and "遏制…事故发生"
    (at most 0 起)."""
    clause_text = clause.of(context.text)
    no_growth = NO_GROWTH.search(clause_text)
    if no_growth and no_growth.start() > 0:
        position, words = no_growth.start(), no_growth.group()
        subject_text = _strip_leading(clause_text[:position], LEAD_ADVERBS)
        quote = Span(clause.start + clause_text.find(subject_text), clause.start + no_growth.end())
        for item in _split_top_level(subject_text):
            note = f"“{words}”：{item}较上年增幅不高于0%；年度决算数据，年底考核。"
            _zero_goal(context, quote, f"{item}增幅", "%", "annual", note)
        return
    match = re.search(r"(?:坚决)?(?:遏制|杜绝)(.{1,20}?事故)(?:的)?发生", clause_text)
    if match:
        quote = Span(clause.start + match.start(), clause.start + match.end())
        note = "“遏制/杜绝…事故发生”即全年不发生此类事故：年初以来累计起数按水平值考核，不超过0起。"
        _zero_goal(context, quote, match.group(1), "起", "monthly", note)


def _overlapping(words: tuple[str, ...]) -> re.Pattern:
    """Every position where one of the words starts, the longest word at each position."""
    return re.compile("(?=(" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + "))")


_LEAD_VERB_AT = _overlapping(LEAD_VERBS)
_END_STATE_AT = _overlapping(END_STATES)
_COMPOUND_AT = _overlapping(NOUN_COMPOUNDS)


def _verb_hits(clause_text: str) -> list[tuple[int, str]]:
    """(position, verb) of every verb of completion in the clause: lead verbs anywhere, end states only
    where they close the clause or one of its enumerated parts ("…全覆盖和5G…" but not "运营中心")."""
    hits = [(match.start(), match.group(1)) for match in _LEAD_VERB_AT.finditer(clause_text)]
    for match in _END_STATE_AT.finditer(clause_text):
        rest = clause_text[match.start() + len(match.group(1)) :]
        if rest in ("", "目标", "工作", "任务") or rest[0] in "、和及":
            hits.append((match.start(), match.group(1)))
    covered = {
        position
        for match in _COMPOUND_AT.finditer(clause_text)
        for position in range(match.start(), match.start() + len(match.group(1)))
    }
    return sorted(((p, verb) for p, verb in hits if p not in covered), key=lambda hit: (hit[0], -len(hit[1])))


def _milestones(context: _Context, clause: Span) -> None:
    text = context.text
    clause_text = clause.of(text)
    if len(clause_text) < 4 or any(not token.dropped for token in number_tokens(text, clause)):
        return
    named_projects = re.match(r"^(.{0,6}?实施)(.+)等(?:一批)?项目$", clause_text)
    if named_projects:
        verb_end = clause.start + named_projects.end(1)
        items = _item_spans(text, Span(verb_end, clause.start + named_projects.end(2)), joiners="、")
        _add_milestones(
            context, clause, items, verb="实施", note="“实施…等项目”：每个列名的项目为一个里程碑。"
        )
        return
    if re.search(r"控制在.*下达.*(?:指标|任务|目标)", clause_text):
        # "取用水总量控制在自治区下达指标范围内": a ceiling set elsewhere, met or not at the year's assessment.
        _add_milestone(
            context, clause, clause, "", "上限由上级下达、原文未给出数值，按年度考核确认达标为完成。"
        )
        return
    hits = _verb_hits(clause_text)
    if not hits:
        return
    position, verb = hits[0]
    prefix = clause_text[:position]
    after = clause_text[position + len(verb) :]
    has_end_state = any(hit_verb in END_STATES for _position, hit_verb in hits)
    if any(word in prefix for word in EFFORT_WORDS) and not has_end_state:
        return
    if after.startswith(("健全", "完善")) or (
        verb == "实现"
        and (not prefix or after.endswith(("目标", "发展", "突破")))
        and not after.endswith(END_STATES)  # "实现…全覆盖" is an end state of its own
    ):
        # "建立健全…" keeps improving; "…，实现X" states the purpose of the clause before it.
        return
    if len(after) < 2 and verb not in END_STATES:
        return
    # "A、B分别创建成X、Y": one milestone per subject, the same clause quoted for each.
    if "分别" in prefix:
        subjects = _split_top_level(_strip_leading(prefix.split("分别")[0], LEAD_ADVERBS))
        objects = _split_top_level(after, "、")
        if len(subjects) == len(objects) > 1:
            for subject, object_ in zip(subjects, objects, strict=True):
                _add_milestone(context, clause, clause, f"{subject}{verb}{object_}", "“分别”按顺序对应。")
            return
    # "X、Y完成下达任务": each subject has its own quota.
    if verb == "完成" and "任务" in after:
        subjects = _split_top_level(_strip_leading(prefix, LEAD_ADVERBS))
        if len(subjects) > 1:
            for subject in subjects:
                _add_milestone(
                    context,
                    clause,
                    clause,
                    f"{subject}{verb}{after}",
                    "并列的各项分别完成下达任务，各为一个里程碑。",
                )
            return
    # "紧盯A清零、B清零目标": one milestone per enumerated part that states its own end state.
    parts = segments(text, clause)
    if len(parts) > 1 and all(_verb_hits(part.of(text)) for part in parts):
        for part in parts:
            part_text = part.of(text)
            lead = len(part_text) - len(_strip_leading(part_text, LEAD_ADVERBS))
            end = part.end - (2 if part_text.endswith("目标") else 0)
            _add_milestone(context, clause, Span(part.start + lead, end), "", "并列的各项各为一个里程碑。")
        return
    if verb in LISTING_VERBS and len(after) >= 2:
        object_start = clause.start + position + len(verb)
        object_end = clause.end
        etc = re.search(r"等[^、和“”]{0,6}$", after)
        if etc:
            object_end = object_start + etc.start()
        items = _item_spans(text, Span(object_start, object_end), joiners="、和")
        if len(items) > 1:
            _add_milestones(
                context, clause, items, verb=verb, note="同一动词带多个对象，每个对象为一个里程碑。"
            )
            return
    if verb in END_STATES and after[:1] in ("、", "和", "及"):
        # "推进4G无线网络全覆盖和5G网络布局建设": the end state closes the first part only.
        _add_milestone(context, clause, Span(clause.start, clause.start + position + len(verb)), "", "")
        return
    _add_milestone(context, clause, clause, "", "")


def _item_spans(text: str, span: Span, *, joiners: str) -> list[Span]:
    return [item for item in segments(text, span, joiners) if item.end - item.start >= 2]


def _add_milestones(context: _Context, clause: Span, items: list[Span], *, verb: str, note: str) -> None:
    text = context.text
    for index, item in enumerate(items):
        quote = Span(clause.start, item.end) if index == 0 else item
        metric = verb + item.of(text).strip()
        _add_milestone(context, clause, quote, metric, note if len(items) > 1 else "")


def _add_milestone(context: _Context, clause: Span, quote: Span, metric: str, note: str) -> None:
    text = context.text
    quote_text = quote.of(text)
    lead = len(quote_text) - len(quote_text.lstrip("并同时"))
    quote = Span(quote.start + lead, quote.end)
    metric = metric or _strip_leading(quote.of(text), LEAD_ADVERBS)
    clause_text = clause.of(text)
    at_year_end = any(word in clause_text for word in YEAR_END_WORDS)
    notes = [f"里程碑：以“{metric[:40]}”办成为完成，进度按完成百分比填报。"]
    if note:
        notes.append(note)
    notes.append(
        "验收、考核类事项到年底才见分晓，序时进度按年底。" if at_year_end else "序时进度按线性，按月报送。"
    )
    context.goals.append(
        _with_deadline(
            context,
            Goal(
                quote=quote,
                metric=metric[:100],
                comparator=DONE,
                value=None,
                unit="",
                measure=CUMULATIVE,
                curve="year_end" if at_year_end else "linear",
                frequency="annual" if at_year_end else "monthly",
                deadline=None,
                notes=tuple(notes),
            ),
        )
    )
