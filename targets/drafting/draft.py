"""From a report's text to a draft of its data file: `report_draft(text, year=…, keywords=…)`.

A pure function: no database, no files (the caller decodes the text and loads the keyword table), so
that a command and an upload page can both call it.

Steps:
1. The header: title, issuer, date and occasion from the first lines.
2. The sections: the review of the past year (for baselines) and the plan (for targets), found by their
   headings; the plan runs to the end of the text.
3. The structure of the plan: chapter headings (一、二、… and unnumbered headings such as
   全面加强政府自身建设), the headline-targets paragraph before the first chapter (chapter 0), and in each
   chapter the key tasks: paragraphs that open with a short lead sentence (the bold sub-heading).
4. Each key task's paragraph is read sentence by sentence (`reader.sentence_goals`); each goal gets a
   code, a baseline from the review and proposed departments, and its reading notes become `reading`.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from targets.drafting.baselines import baseline_find, review_facts
from targets.drafting.departments import KeywordTable, departments_propose
from targets.drafting.reader import DONE, Goal, sentence_goals
from targets.drafting.text import Span, paragraphs, sentence_around, sentences

CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CHAPTER_HEADING = re.compile(r"^([一二三四五六七八九十]{1,3})、(.{2,60})$")
HEADLINE_PARAGRAPH = re.compile(r"^(.{2,40}?预期目标)(?:是)?[：:]")
TASK_TITLE_MAX = 24
MAX_TARGETS_PER_TASK = 99


class DraftError(ValueError):
    """The text cannot be drafted (no plan section, a year that does not match…)."""


@dataclass(frozen=True)
class DraftBaseline:
    value: Decimal
    unit: str
    quote: str
    note: str


@dataclass(frozen=True)
class DraftTarget:
    code: str
    goal: Goal
    quote: str
    departments: tuple[str, ...]
    baseline: DraftBaseline | None
    reading: str

    @property
    def is_milestone(self) -> bool:
        return self.goal.comparator == DONE


@dataclass(frozen=True)
class DraftTask:
    number: int
    title: str
    paragraph: Span
    targets: tuple[DraftTarget, ...]


@dataclass(frozen=True)
class DraftChapter:
    number: int
    title: str
    tasks: tuple[DraftTask, ...]


@dataclass(frozen=True)
class Draft:
    text: str
    issuer: str
    year: int
    title: str
    delivered_on: dt.date
    occasion: str
    review_heading: str
    plan_heading: str
    chapters: tuple[DraftChapter, ...]
    departments: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...]

    @property
    def targets(self) -> list[DraftTarget]:
        return [target for chapter in self.chapters for task in chapter.tasks for target in task.targets]


def chinese_number(numeral: str) -> int:
    """一 … 九十九, as chapter headings write them."""
    if numeral.startswith("十"):
        numeral = "一" + numeral
    if "十" in numeral:
        tens, _, units = numeral.partition("十")
        return CHINESE_DIGITS[tens] * 10 + (CHINESE_DIGITS[units] if units else 0)
    return CHINESE_DIGITS[numeral]


@dataclass(frozen=True)
class _Header:
    title: str
    issuer: str
    delivered_on: dt.date
    occasion: str
    warnings: tuple[str, ...]


def _header(text: str, lines: list[Span], year: int) -> _Header:
    warnings = []
    title = lines[0].of(text)[:200]
    title_year = re.match(r"^(\d{4})年", title)
    if title_year and int(title_year.group(1)) != year:
        raise DraftError(f"报告标题“{title}”的年度是{title_year.group(1)}年，与指定的年度{year}不一致。")
    place = re.search(r"\d{4}年(.+?)(?:人民)?政府工作报告", title)
    issuer = f"{place.group(1)}人民政府" if place else "（请填写发布机关）"
    if not place:
        warnings.append("标题中找不到发布机关，请在 report.issuer 中填写。")
    opening = "\n".join(line.of(text) for line in lines[:4])
    date = re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", opening)
    delivered_on = dt.date(year, 1, 1)
    if date:
        delivered_on = dt.date(int(date.group(1)), int(date.group(2)), int(date.group(3)))
    else:
        warnings.append(f"开头几行中找不到报告日期，暂填{year}年1月1日，请在 report.delivered_on 中改正。")
    occasion = re.search(r"在(.{4,80}?会议)上", opening)
    return _Header(
        title=title,
        issuer=issuer,
        delivered_on=delivered_on,
        occasion=occasion.group(1) if occasion else "",
        warnings=tuple(warnings),
    )


def _is_heading(line: str, limit: int = 40) -> bool:
    return len(line) <= limit and not any(mark in line for mark in "。，；！？：")


def _sections(text: str, lines: list[Span], year: int) -> tuple[Span | None, Span]:
    """(review line, plan line): the plan heading names the year (or 今年) and its goals or tasks."""
    plan = next(
        (
            line
            for line in lines[1:]
            if _is_heading(line.of(text))
            and (f"{year}年" in line.of(text) or "今年" in line.of(text))
            and any(word in line.of(text) for word in ("目标", "任务", "工作安排", "总体要求"))
        ),
        None,
    )
    if plan is None:
        raise DraftError(
            f"找不到{year}年的目标任务部分：需要一行单独的标题，含“{year}年”（或“今年”）和“目标”“任务”“工作安排”之一，"
            f"如“{year}年主要目标和重点任务”。"
        )
    review = next(
        (
            line
            for line in lines[1:]
            if line.start < plan.start and _is_heading(line.of(text)) and ("回顾" in line.of(text))
        ),
        None,
    )
    return review, plan


@dataclass
class _TaskPlan:
    title: str
    paragraph: Span
    read_from: int  # where goals start: after the lead sentence (or the headline's "…目标是：")


@dataclass
class _ChapterPlan:
    number: int
    title: str
    tasks: list[_TaskPlan]


def _lead_sentence(text: str, paragraph: Span) -> str | None:
    first = sentences(text, paragraph)[0].of(text)
    # A sub-heading is followed by the paragraph's body; a one-sentence paragraph is body only.
    has_body = paragraph.end - paragraph.start > len(first) + 1
    if len(first) <= TASK_TITLE_MAX and not any(mark in first for mark in "，、：,:") and has_body:
        return first
    return None


def _structure(text: str, plan_paragraphs: list[Span]) -> tuple[list[_ChapterPlan], list[str]]:
    chapters: list[_ChapterPlan] = []
    warnings: list[str] = []
    loose: dict[int, list[Span]] = {}
    for paragraph in plan_paragraphs[1:]:
        line = paragraph.of(text)
        numbered = CHAPTER_HEADING.match(line)
        if numbered and not any(mark in numbered.group(2) for mark in "。；！？"):
            chapters.append(_ChapterPlan(chinese_number(numbered.group(1)), numbered.group(2), []))
            continue
        if chapters and _is_heading(line, 30) and not line.startswith("各位代表"):
            chapters.append(_ChapterPlan(chapters[-1].number + 1, line, []))
            continue
        if not chapters:
            headline = HEADLINE_PARAGRAPH.match(line)
            if headline:
                chapters.append(_ChapterPlan(0, "主要预期目标", []))
                colon = line.find("：") if "：" in line else line.find(":")
                chapters[-1].tasks.append(
                    _TaskPlan(headline.group(1), paragraph, paragraph.start + colon + 1)
                )
            continue
        chapter = chapters[-1]
        if chapter.number == 0:
            continue
        title = _lead_sentence(text, paragraph)
        if title:
            chapter.tasks.append(_TaskPlan(title, paragraph, paragraph.start + len(title) + 1))
        else:
            loose.setdefault(chapter.number, []).append(paragraph)
    # A chapter without sub-headings: each of its paragraphs is a key task, titled by its first clause.
    for chapter in chapters:
        if chapter.tasks or chapter.number == 0:
            continue
        for paragraph in loose.get(chapter.number, []):
            first_clause = re.split(r"[，。：；,:;]", paragraph.of(text), maxsplit=1)[0]
            chapter.tasks.append(_TaskPlan(first_clause, paragraph, paragraph.start))
        if chapter.tasks:
            warnings.append(f"第{chapter.number}章没有小标题，按段落起草，请核对重点任务的划分。")
    return chapters, warnings


def _unique_titles(text: str, chapters: list[_ChapterPlan], plan_paragraphs: list[Span]) -> None:
    """The loader finds a task by the one plan paragraph that starts with its title; lengthen a title until
    no other paragraph starts with it."""
    for chapter in chapters:
        for task in chapter.tasks:
            full = task.paragraph.of(text)
            length = len(task.title)
            while (
                length < min(len(full), 200)
                and sum(1 for paragraph in plan_paragraphs if text.startswith(full[:length], paragraph.start))
                > 1
            ):
                length += 1
            task.title = full[:length]


def report_draft(text: str, *, year: int, keywords: KeywordTable) -> Draft:
    """Draft the data file of the report `text` (normalised: one paragraph per line) for `year`."""
    lines = paragraphs(text)
    if not lines:
        raise DraftError("报告原文为空。")
    header = _header(text, lines, year)
    review_line, plan_line = _sections(text, lines, year)
    plan_paragraphs = [line for line in lines if line.start >= plan_line.start]
    chapter_plans, warnings = _structure(text, plan_paragraphs)
    chapter_plans = [chapter for chapter in chapter_plans if chapter.tasks]
    if not chapter_plans:
        raise DraftError("目标任务部分中找不到章节（如“一、……”）和重点任务。")
    _unique_titles(text, chapter_plans, plan_paragraphs)
    facts = review_facts(text, Span(review_line.start, plan_line.start)) if review_line else []
    if review_line is None:
        warnings.append("找不到上年工作回顾的标题（含“回顾”的一行），未提取基数。")

    chapters = []
    for chapter in chapter_plans:
        tasks = []
        for number, task in enumerate(chapter.tasks, start=1):
            goals = [
                goal
                for sentence in sentences(text, Span(task.read_from, task.paragraph.end))
                for goal in sentence_goals(text, sentence, year=year)
            ]
            if len(goals) > MAX_TARGETS_PER_TASK:
                warnings.append(
                    f"重点任务“{task.title}”有{len(goals)}个目标，只保留前{MAX_TARGETS_PER_TASK}个。"
                )
                goals = goals[:MAX_TARGETS_PER_TASK]
            targets = tuple(
                _target(text, f"{chapter.number}.{number}.{index:02d}", goal, task, facts, keywords)
                for index, goal in enumerate(goals, start=1)
            )
            tasks.append(
                DraftTask(number=number, title=task.title, paragraph=task.paragraph, targets=targets)
            )
        chapters.append(DraftChapter(number=chapter.number, title=chapter.title, tasks=tuple(tasks)))

    return Draft(
        text=text,
        issuer=header.issuer,
        year=year,
        title=header.title,
        delivered_on=header.delivered_on,
        occasion=header.occasion,
        review_heading=review_line.of(text) if review_line else plan_line.of(text),
        plan_heading=plan_line.of(text),
        chapters=tuple(chapters),
        departments=keywords.departments,
        warnings=(*header.warnings, *warnings),
    )


def _target(
    text: str, code: str, goal: Goal, task: _TaskPlan, facts: list, keywords: KeywordTable
) -> DraftTarget:
    quote = goal.quote.of(text)
    sentence = sentence_around(text, goal.quote.start).of(text)
    proposal = departments_propose(keywords, quote + goal.metric, sentence, task.title)
    found = None
    if not goal.is_milestone:
        found = baseline_find(facts, metric=goal.metric, unit=goal.unit, text=text)
    baseline = (
        DraftBaseline(value=found.value, unit=found.unit, quote=found.quote.of(text), note=found.note)
        if found
        else None
    )
    notes = [*goal.notes, *([baseline.note] if baseline else []), proposal.note]
    return DraftTarget(
        code=code,
        goal=goal,
        quote=quote,
        departments=proposal.departments,
        baseline=baseline,
        reading="".join(notes),
    )
