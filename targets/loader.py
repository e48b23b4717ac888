"""Reading and validating the report data file (format: docs/data-format.md).

`report_file_parse()` reads the YAML file and the report text beside it, checks everything, and returns a
`ReportSpec` — or raises `ReportFileInvalid` with every problem found, each naming the item and the field.
It never touches the database; `targets.services.report_load()` writes a valid spec.

Steps:
1. UTF-8 text, nesting no deeper than MAX_NESTING, YAML syntax and the top-level shape (report,
   departments, chapters).
2. The report header, with Django form fields so that messages come out in Chinese.
3. The source text: present beside the file; the review and plan headings found in it.
4. Departments: known keys, codes and names unique.
5. Chapters and key tasks: numbers unique, each task's paragraph found exactly once in the plan part.
6. Targets: known keys, code pattern and uniqueness, choices, value/unit rules, curve rules, deadline in the
   report year, departments known, the quote found verbatim in its task's paragraph, the baseline quote
   found verbatim in the review.
"""

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django import forms
from django.utils.translation import gettext as _

from targets.models import Comparator, Curve, Frequency, Measure, custom_curve_errors

DEFAULT_DATA_FILE = Path(__file__).resolve().parent / "data" / "wuzhong_2020.yaml"
CODE_PATTERN = re.compile(r"^\d+\.\d+\.\d{2}$")
DEFAULT_TOLERANCE_PCT = Decimal("5")
# The data file nests about 8 levels (chapters → tasks → targets → baseline); far deeper is not a report
# and would exhaust the YAML composer's recursion (a traceback instead of a message).
MAX_NESTING = 32
_NESTING_STARTS = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken, yaml.FlowMappingStartToken,
                   yaml.FlowSequenceStartToken)  # fmt: skip
_NESTING_ENDS = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)

REPORT_KEYS = {
    "issuer",
    "year",
    "title",
    "delivered_on",
    "occasion",
    "source",
    "review_heading",
    "plan_heading",
}
DEPARTMENT_KEYS = {"code", "name"}
CHAPTER_KEYS = {"number", "title", "tasks"}
TASK_KEYS = {"number", "title", "targets"}
TARGET_KEYS = {
    "code", "metric", "quote", "comparator", "value", "unit", "measure", "curve", "custom_curve",
    "frequency", "deadline", "tolerance_pct", "departments", "baseline", "reading",
}  # fmt: skip
BASELINE_KEYS = {"value", "unit", "quote", "year"}


@dataclass(frozen=True)
class Problem:
    item: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.item} · {self.field}：{self.message}"


class ReportFileInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str


@dataclass(frozen=True)
class BaselineSpec:
    year: int
    value: Decimal
    unit: str
    quote: str
    quote_start: int


@dataclass(frozen=True)
class TargetSpec:
    code: str
    metric: str
    comparator: str
    value: Decimal | None
    unit: str
    measure: str
    curve: str
    custom_curve: list[float] | None
    frequency: str
    deadline: dt.date
    tolerance_pct: Decimal | None
    quote: str
    quote_start: int
    quote_end: int
    reading: str
    departments: list[str]  # department names, lead first
    baseline: BaselineSpec | None


@dataclass(frozen=True)
class TaskSpec:
    number: int
    title: str
    paragraph_start: int
    paragraph_end: int
    targets: list[TargetSpec]


@dataclass(frozen=True)
class ChapterSpec:
    number: int
    title: str
    tasks: list[TaskSpec]


@dataclass(frozen=True)
class ReportSpec:
    issuer: str
    year: int
    title: str
    delivered_on: dt.date
    occasion: str
    source_text: str
    departments: list[DepartmentSpec]
    chapters: list[ChapterSpec]

    @property
    def targets(self) -> list[TargetSpec]:
        return [target for chapter in self.chapters for task in chapter.tasks for target in task.targets]


class _ReportHeaderForm(forms.Form):
    issuer = forms.CharField(max_length=100)
    year = forms.IntegerField(min_value=2000, max_value=2100)
    title = forms.CharField(max_length=200)
    delivered_on = forms.DateField()
    occasion = forms.CharField(max_length=200, required=False)
    source = forms.CharField()
    review_heading = forms.CharField()
    plan_heading = forms.CharField()


class _DepartmentForm(forms.Form):
    code = forms.SlugField(max_length=50)
    name = forms.CharField(max_length=100)


class _NumberedForm(forms.Form):
    number = forms.IntegerField(min_value=0, max_value=99)
    title = forms.CharField(max_length=200)


class _TargetForm(forms.Form):
    code = forms.RegexField(
        regex=CODE_PATTERN,
        max_length=20,
        error_messages={"invalid": "编号格式应为“章.任务.两位序号”，如 1.1.02。"},
    )
    metric = forms.CharField(max_length=100)
    quote = forms.CharField(strip=False)
    comparator = forms.ChoiceField(choices=Comparator.choices)
    value = forms.DecimalField(max_digits=18, decimal_places=4, required=False)
    unit = forms.CharField(max_length=20, required=False)
    measure = forms.ChoiceField(choices=Measure.choices)
    curve = forms.ChoiceField(choices=Curve.choices)
    frequency = forms.ChoiceField(choices=Frequency.choices)
    deadline = forms.DateField(required=False)
    tolerance_pct = forms.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0.01"), required=False
    )
    reading = forms.CharField(required=False)


class _BaselineForm(forms.Form):
    value = forms.DecimalField(max_digits=18, decimal_places=4)
    unit = forms.CharField(max_length=20)
    quote = forms.CharField(strip=False)
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)


class _Checker:
    """Collects problems while walking the file, so that one run reports all of them."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, item: str, field_name: str, message: str) -> None:
        self.problems.append(Problem(item, field_name, message))

    def mapping(self, item: str, data: Any, allowed: set[str]) -> dict | None:
        if not isinstance(data, dict):
            self.add(item, "-", _("应为键值对（映射），实际是 %(kind)s。") % {"kind": type(data).__name__})
            return None
        for key in sorted(set(data) - allowed, key=str):
            self.add(
                item, str(key), _("未知字段。允许的字段：%(keys)s。") % {"keys": "、".join(sorted(allowed))}
            )
        return data

    def items(
        self,
        data: Any,
        where: str,
        key: str,
        form_class: type[forms.Form],
        allowed: set[str],
        label: str,
        **args,
    ) -> Iterator[tuple[dict, dict]]:
        """The valid items of the non-empty list `data` (`key` of `where`), each as (its mapping, its cleaned
        data); an item that is not a mapping or fails its form adds its problems (under `label`, formatted
        with its 1-based `index` and `args`) and is skipped."""
        if not isinstance(data, list) or not data:
            self.add(where, key, _("应为非空列表。"))
            return
        for index, item in enumerate(data, start=1):
            item_label = label % {"index": index, **args}
            mapping = self.mapping(item_label, item, allowed)
            cleaned = self.form(item_label, form_class, mapping) if mapping is not None else None
            if cleaned is not None:
                yield mapping, cleaned

    def unique(self, item: str, field_name: str, value: Any, seen: set, message: str) -> None:
        """A problem when `value` is already in `seen`; then it is."""
        if value in seen:
            self.add(item, field_name, message)
        seen.add(value)

    def form(
        self, item: str, form_class: type[forms.Form], data: dict, field_prefix: str = ""
    ) -> dict | None:
        # YAML numbers become floats; going through str keeps 7.5 as Decimal("7.5"), not a binary fraction.
        prepared = {key: (str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value)
                    for key, value in data.items()}  # fmt: skip
        form = form_class(data=prepared)
        if form.is_valid():
            return form.cleaned_data
        for field_name, messages in form.errors.items():
            for message in messages:
                self.add(item, field_prefix + field_name, message)
        return None


def _decimal_is_finite(value: Decimal | None) -> bool:
    return value is None or value.is_finite()


def report_file_parse(path: Path) -> ReportSpec:
    checker = _Checker()
    path = Path(path)
    try:
        text = _utf8_text(path)
        _check_nesting(text)
        raw = yaml.safe_load(text)
    except OSError as error:
        raise ReportFileInvalid(
            [Problem(str(path), "-", _("无法读取文件：%(error)s") % {"error": error.strerror or error})]
        ) from None
    except yaml.YAMLError as error:
        raise ReportFileInvalid(
            [Problem(str(path), "-", _("YAML 格式错误：%(error)s") % {"error": error})]
        ) from None

    top = checker.mapping(_("文件"), raw, {"report", "departments", "chapters"})
    if top is None:
        raise ReportFileInvalid(checker.problems)
    for key in ("report", "departments", "chapters"):
        if key not in top:
            checker.add(_("文件"), key, _("缺少此字段。"))
    header_data = checker.mapping("report", top.get("report", {}), REPORT_KEYS)
    header = checker.form("report", _ReportHeaderForm, header_data) if header_data is not None else None
    if header is None:
        raise ReportFileInvalid(checker.problems)

    source_path = path.parent / header["source"]
    try:
        source_text = _utf8_text(source_path)
    except ReportFileInvalid as invalid:
        raise ReportFileInvalid([*checker.problems, *invalid.problems]) from None
    except OSError:
        raise ReportFileInvalid(
            [
                *checker.problems,
                Problem("report", "source", _("找不到报告原文文件 %(path)s。") % {"path": source_path}),
            ]
        ) from None
    review_start = source_text.find(header["review_heading"])
    plan_start = source_text.find(header["plan_heading"])
    if review_start < 0:
        checker.add("report", "review_heading", _("报告原文中没有这个标题。"))
    if plan_start < 0:
        checker.add("report", "plan_heading", _("报告原文中没有这个标题。"))
    if checker.problems:
        raise ReportFileInvalid(checker.problems)
    review_text = (
        source_text[review_start:plan_start] if review_start < plan_start else source_text[review_start:]
    )

    departments = _parse_departments(checker, top.get("departments"))
    known_departments = {department.name for department in departments}
    chapters = _parse_chapters(
        checker,
        top.get("chapters"),
        year=header["year"],
        source_text=source_text,
        plan_start=plan_start,
        review_text=review_text,
        review_offset=review_start,
        known_departments=known_departments,
    )
    if checker.problems:
        raise ReportFileInvalid(checker.problems)
    return ReportSpec(
        issuer=header["issuer"],
        year=header["year"],
        title=header["title"],
        delivered_on=header["delivered_on"],
        occasion=header["occasion"],
        source_text=source_text,
        departments=departments,
        chapters=chapters,
    )


def _utf8_text(path: Path) -> str:
    """The file as UTF-8 text, or a refusal that says where it is not (a file saved as GBK by Notepad or
    WPS is the usual case)."""
    content = path.read_bytes()
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise ReportFileInvalid(
            [
                Problem(
                    str(path),
                    "-",
                    _(
                        "文件不是 UTF-8 编码（第%(line)d行起无法按 UTF-8 读取，可能是 GBK/GB18030）；请用 UTF-8 编码另存后再导入。"
                    )
                    % {"line": line},
                )
            ]
        ) from None


def _check_nesting(text: str) -> None:
    """Refuse nesting deeper than MAX_NESTING before composing: the scanner is iterative, the composer
    recursive."""
    depth = 0
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, _NESTING_STARTS):
            depth += 1
            if depth > MAX_NESTING:
                line = token.start_mark.line + 1
                raise ReportFileInvalid(
                    [
                        Problem(
                            "文件",
                            "-",
                            _(
                                "第%(line)d行：嵌套超过 %(limit)d 层，不是报告数据文件的结构（见 docs/data-format.md）。"
                            )
                            % {"line": line, "limit": MAX_NESTING},
                        )
                    ]
                )
        elif isinstance(token, _NESTING_ENDS):
            depth -= 1


def _parse_departments(checker: _Checker, data: Any) -> list[DepartmentSpec]:
    departments: list[DepartmentSpec] = []
    seen_codes: set[str] = set()
    seen_names: set[str] = set()
    for _mapping, cleaned in checker.items(
        data, _("文件"), "departments", _DepartmentForm, DEPARTMENT_KEYS, _("第%(index)s个责任单位")
    ):
        label = _("责任单位 %(name)s") % {"name": cleaned["name"]}
        checker.unique(
            label, "code", cleaned["code"], seen_codes, _("代码重复：%(code)s。") % {"code": cleaned["code"]}
        )
        checker.unique(label, "name", cleaned["name"], seen_names, _("名称重复。"))
        departments.append(DepartmentSpec(code=cleaned["code"], name=cleaned["name"]))
    return departments


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each line of the text: the report has one paragraph per line."""
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def _parse_chapters(
    checker: _Checker,
    data: Any,
    *,
    year: int,
    source_text: str,
    plan_start: int,
    review_text: str,
    review_offset: int,
    known_departments: set[str],
) -> list[ChapterSpec]:
    plan_paragraphs = [(start, end) for start, end in _paragraphs(source_text) if start >= plan_start]
    seen_codes: set[str] = set()
    seen_chapters: set[int] = set()
    chapters: list[ChapterSpec] = []
    for mapping, cleaned in checker.items(
        data, _("文件"), "chapters", _NumberedForm, CHAPTER_KEYS, _("第%(index)s章")
    ):
        label = _("章节 %(number)s") % {"number": cleaned["number"]}
        checker.unique(label, "number", cleaned["number"], seen_chapters, _("章节序号重复。"))
        tasks: list[TaskSpec] = []
        seen_tasks: set[int] = set()
        task_items = checker.items(
            mapping.get("tasks"),
            label,
            "tasks",
            _NumberedForm,
            TASK_KEYS,
            _("章节 %(chapter)s 第%(index)s个重点任务"),
            chapter=cleaned["number"],
        )
        for task_mapping, task in task_items:
            task_label = _("重点任务 %(chapter)s.%(task)s") % {
                "chapter": cleaned["number"],
                "task": task["number"],
            }
            checker.unique(task_label, "number", task["number"], seen_tasks, _("重点任务序号重复。"))
            matches = [
                (start, end) for start, end in plan_paragraphs if source_text.startswith(task["title"], start)
            ]
            if len(matches) != 1:
                checker.add(
                    task_label,
                    "title",
                    _("报告原文中以“%(title)s”开头的段落应恰好有1个，实际有%(count)s个。")
                    % {"title": task["title"], "count": len(matches)},
                )
                continue
            paragraph_start, paragraph_end = matches[0]
            targets = []
            for target_index, target_data in enumerate(task_mapping.get("targets") or [], start=1):
                target = _parse_target(
                    checker,
                    target_data,
                    fallback_label=_("%(task)s 第%(index)s个目标")
                    % {"task": task_label, "index": target_index},
                    code_prefix=f"{cleaned['number']}.{task['number']}.",
                    year=year,
                    paragraph=source_text[paragraph_start:paragraph_end],
                    paragraph_start=paragraph_start,
                    review_text=review_text,
                    review_offset=review_offset,
                    known_departments=known_departments,
                    seen_codes=seen_codes,
                )
                if target is not None:
                    targets.append(target)
            tasks.append(TaskSpec(task["number"], task["title"], paragraph_start, paragraph_end, targets))
        chapters.append(ChapterSpec(cleaned["number"], cleaned["title"], tasks))
    return chapters


def _parse_target(
    checker: _Checker,
    data: Any,
    *,
    fallback_label: str,
    code_prefix: str,
    year: int,
    paragraph: str,
    paragraph_start: int,
    review_text: str,
    review_offset: int,
    known_departments: set[str],
    seen_codes: set[str],
) -> TargetSpec | None:
    label = (
        _("目标 %(code)s") % {"code": data["code"]}
        if isinstance(data, dict) and "code" in data
        else fallback_label
    )
    mapping = checker.mapping(label, data, TARGET_KEYS)
    if mapping is None:
        return None
    count_before = len(checker.problems)
    cleaned = checker.form(label, _TargetForm, mapping)
    if cleaned is None:
        return None

    code = cleaned["code"]
    checker.unique(label, "code", code, seen_codes, _("编号重复。"))
    if not code.startswith(code_prefix):
        checker.add(
            label, "code", _("编号应以所在章节和重点任务“%(prefix)s”开头。") % {"prefix": code_prefix}
        )

    comparator, value, unit = cleaned["comparator"], cleaned["value"], cleaned["unit"]
    if not _decimal_is_finite(value):
        checker.add(label, "value", _("目标值必须是有限的数字。"))
    if comparator == Comparator.DONE:
        if value is not None:
            checker.add(label, "value", _("里程碑（done）不设目标值。"))
        if unit:
            checker.add(label, "unit", _("里程碑（done）不设单位。"))
        if cleaned["measure"] != Measure.CUMULATIVE:
            checker.add(label, "measure", _("里程碑按完成百分比累计，计量方式应为 cumulative。"))
    else:
        if cleaned["measure"] == Measure.CUMULATIVE and comparator != Comparator.AT_LEAST:
            checker.add(label, "comparator", _("累计类目标只能是“不低于”（at_least）或里程碑（done）。"))
        if value is None:
            checker.add(label, "value", _("数值目标必须有目标值。"))
        if not unit:
            checker.add(label, "unit", _("数值目标必须有单位。"))

    custom_curve = mapping.get("custom_curve")
    if cleaned["curve"] == Curve.CUSTOM:
        for message in custom_curve_errors(custom_curve):
            checker.add(label, "custom_curve", message)
    elif custom_curve is not None:
        checker.add(label, "custom_curve", _("只有 curve: custom 才能设置逐月序时进度。"))

    tolerance = cleaned["tolerance_pct"]
    if comparator == Comparator.ABOUT:
        tolerance = tolerance if tolerance is not None else DEFAULT_TOLERANCE_PCT
    elif tolerance is not None:
        checker.add(label, "tolerance_pct", _("只有“左右”（about）类目标才能设置允许偏差。"))

    deadline = cleaned["deadline"] or dt.date(year, 12, 31)
    if deadline.year != year:
        checker.add(label, "deadline", _("完成时限必须在报告年度（%(year)s年）之内。") % {"year": year})

    departments = mapping.get("departments")
    if not isinstance(departments, list) or not departments:
        checker.add(label, "departments", _("至少需要一个责任单位（第一个为牵头单位）。"))
        departments = []
    for name in departments:
        if name not in known_departments:
            checker.add(label, "departments", _("未知的责任单位“%(name)s”。") % {"name": name})
    if len(set(map(str, departments))) != len(departments):
        checker.add(label, "departments", _("责任单位重复。"))

    quote = cleaned["quote"]
    quote_offset = paragraph.find(quote)
    if quote_offset < 0:
        checker.add(
            label, "quote", _("在所属重点任务的段落中找不到这段原文：“%(quote)s”。") % {"quote": quote}
        )

    baseline = _parse_baseline(checker, label, mapping.get("baseline"), year, review_text, review_offset)

    if len(checker.problems) > count_before:
        return None
    return TargetSpec(
        code=code,
        metric=cleaned["metric"],
        comparator=comparator,
        value=value,
        unit=unit,
        measure=cleaned["measure"],
        curve=cleaned["curve"],
        custom_curve=[float(point) for point in custom_curve] if custom_curve is not None else None,
        frequency=cleaned["frequency"],
        deadline=deadline,
        tolerance_pct=tolerance,
        quote=quote,
        quote_start=paragraph_start + quote_offset,
        quote_end=paragraph_start + quote_offset + len(quote),
        reading=cleaned["reading"].strip(),
        departments=list(departments),
        baseline=baseline,
    )


def _parse_baseline(
    checker: _Checker, label: str, data: Any, year: int, review_text: str, review_offset: int
) -> BaselineSpec | None:
    if data is None:
        return None
    mapping = checker.mapping(label, data, BASELINE_KEYS)
    cleaned = (
        checker.form(label, _BaselineForm, mapping, field_prefix="baseline.") if mapping is not None else None
    )
    if cleaned is None:
        return None
    position = review_text.find(cleaned["quote"])
    if position < 0:
        checker.add(
            label,
            "baseline.quote",
            _("在报告的上年工作回顾中找不到这段原文：“%(quote)s”。") % {"quote": cleaned["quote"]},
        )
        return None
    return BaselineSpec(
        year=cleaned["year"] or year - 1,
        value=cleaned["value"],
        unit=cleaned["unit"],
        quote=cleaned["quote"],
        quote_start=review_offset + position,
    )
