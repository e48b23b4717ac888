"""The draft page's writes and reads: a report's uploaded text drafted (targets/drafting), reviewed row by
row, and published as a new report through the loader (targets.loader, targets.services.report_load).

Services (`report_draft_create`, `report_draft_row_update`, `report_draft_row_drop`,
`report_draft_row_restore`, `report_draft_link_confirm`, `report_draft_publish`) run in a transaction and
raise ValidationError in Chinese naming the row (the target's code) and the field; the selector
`report_draft_rows` shapes the table in a fixed number of queries.

Publishing, all or nothing:
1. refuse a draft already published, or a year the issuer already has (a new report never overwrites one);
2. the departments named by the rows: an existing department keeps its code (no other year is touched), a
   new one gets the keyword table's code, or a fresh one when that code is taken;
3. the data file and the text written to a temporary directory and read by `report_file_parse`, the
   loader's own checks (a problem names the row and the field);
4. `report_load`, then the confirmed links to last year's targets, then the draft marked published.
"""

import datetime as dt
import json
import tempfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from targets.drafting import (
    DraftError,
    UndecodableReport,
    draft_yaml,
    keyword_table_load,
    report_draft,
    report_text_decode,
    report_text_normalise,
)
from targets.loader import ReportFileInvalid, report_file_parse
from targets.models import Department, Report, ReportDraft, Target
from targets.services import report_load
from wuzhong_tracker import clock

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# Keys of a draft row the loader does not read (stripped when publishing).
LINK_KEYS = ("previous_target", "previous_confirmed")
# A task's rows dropped on the draft page, kept for 恢复 (stripped when publishing).
DROPPED_KEY = "dropped"


class DraftPublishInvalid(Exception):
    """The draft cannot be published; `problems` are Chinese lines naming the row and the field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# ------------------------------------------------------------------------------------------- reads


def draft_targets(data: dict, *, dropped: bool = False) -> list[tuple[dict, dict, dict]]:
    """(chapter, task, target) of every row of a draft's data (or, `dropped`, of every row set aside on
    the draft page), in reading order."""
    key = DROPPED_KEY if dropped else "targets"
    return [
        (chapter, task, target)
        for chapter in data.get("chapters", [])
        for task in chapter.get("tasks", [])
        for target in task.get(key) or []
    ]


def draft_row(draft: ReportDraft, code: str) -> dict:
    for _chapter, _task, target in draft_targets(draft.data):
        if target.get("code") == code:
            return target
    raise ValidationError(f"草稿中没有编号为 {code} 的目标（可能已删除）。")


def previous_year_targets(year: int):
    """Last year's targets a row may be linked to: every report of `year - 1`, in reading order."""
    return (
        Target.objects.filter(report__year=year - 1)
        .select_related("report")
        .defer("report__source_text")
        .order_by("report__issuer", "code")
    )


@dataclass(frozen=True)
class DraftRow:
    chapter: str
    task: str
    target: dict
    before: str  # the sentence around the quote: before, the quote itself, after
    quote: str
    after: str
    previous: Target | None

    @property
    def code(self) -> str:
        return self.target["code"]

    @property
    def goal(self) -> str:
        target = self.target
        if target.get("comparator") == "done":
            return "完成"
        symbol = {"at_least": "≥", "at_most": "≤", "about": "≈"}.get(target.get("comparator"), "?")
        return f"{symbol} {target.get('value')} {target.get('unit', '')}"

    @property
    def link_state(self) -> str:
        if self.previous is None:
            return ""
        return "已确认" if self.target.get("previous_confirmed") else "建议（待确认）"


def _sentence(paragraph: str, quote: str) -> tuple[str, str, str]:
    """The sentence of the paragraph that holds the quote, cut around it (the whole paragraph's start or
    end when the quote is not found: the loader will say so when publishing)."""
    position = paragraph.find(quote)
    if position < 0:
        return "", quote, ""
    start = max(paragraph.rfind(mark, 0, position) for mark in "。；！？") + 1
    ends = [
        index for index in (paragraph.find(mark, position + len(quote)) for mark in "。；！？") if index >= 0
    ]
    end = min(ends) + 1 if ends else len(paragraph)
    return paragraph[start:position], quote, paragraph[position + len(quote) : end]


def report_draft_rows(draft: ReportDraft) -> list[DraftRow]:
    """The draft's table: each row with its sentence cut around the quote and its linked target (one
    query for every link, whatever the number of rows)."""
    lines = draft.source_text.split("\n")
    plan_heading = draft.data.get("report", {}).get("plan_heading", "")
    plan_line = next((index for index, line in enumerate(lines) if line == plan_heading), 0)
    plan_lines = lines[plan_line:]
    links = {
        target.get("previous_target")
        for _chapter, _task, target in draft_targets(draft.data)
        if target.get("previous_target")
    }
    previous = {target.pk: target for target in Target.objects.filter(pk__in=links).select_related("report")}
    rows = []
    for chapter, task, target in draft_targets(draft.data):
        paragraph = next((line for line in plan_lines if line.startswith(task.get("title", ""))), "")
        before, quote, after = _sentence(paragraph, target.get("quote", ""))
        rows.append(
            DraftRow(
                chapter=chapter.get("title", ""),
                task=task.get("title", ""),
                target=target,
                before=before,
                quote=quote,
                after=after,
                previous=previous.get(target.get("previous_target")),
            )
        )
    return rows


# ------------------------------------------------------------------------------------------ writes


def _json_ready(data: dict) -> dict:
    """The loader's YAML as JSON: dates as ISO strings (the loader reads them back)."""
    return json.loads(json.dumps(data, default=str, ensure_ascii=False))


def _propose_links(data: dict, year: int, issuer: str) -> None:
    """Link each row to last year's target of the same metric when exactly one matches (the same issuer's
    first): a proposal, shown as such until the office confirms it."""
    by_metric: dict[str, list[Target]] = {}
    for target in previous_year_targets(year):
        by_metric.setdefault(target.metric, []).append(target)
    for _chapter, _task, row in draft_targets(data):
        candidates = by_metric.get(row.get("metric"), [])
        own = [target for target in candidates if target.report.issuer == issuer]
        chosen = own or candidates
        if len(chosen) == 1:
            row["previous_target"] = chosen[0].pk
            row["previous_confirmed"] = False
            row["reading"] = (
                f"{row.get('reading', '')}（建议关联{year - 1}年目标 {chosen[0].code} {chosen[0].metric}，"
                "其结果作为基期值，待确认。）"
            ).strip()


@transaction.atomic
def report_draft_create(
    *, content: bytes, filename: str, year: int, by, now: dt.datetime | None = None
) -> ReportDraft:
    """Draft a report from its uploaded text (UTF-8 or GBK) and keep the draft for review."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"source": f"文件“{filename}”为{len(content) / 1024 / 1024:.1f} MB，报告纯文本不应超过2 MB。"}
        )
    try:
        text = report_text_normalise(report_text_decode(content))
        draft = report_draft(text, year=year, keywords=keyword_table_load())
    except UndecodableReport as error:
        raise ValidationError({"source": f"文件“{filename}”：{error}"}) from None
    except DraftError as error:
        raise ValidationError({"source": f"文件“{filename}”无法起草：{error}"}) from None
    data = _json_ready(yaml.safe_load(draft_yaml(draft, source="report.txt")))
    _propose_links(data, year, draft.issuer)
    stored = ReportDraft(
        issuer=draft.issuer,
        year=year,
        title=draft.title,
        source_name=filename[:200],
        source_text=text,
        data=data,
        warnings=list(draft.warnings),
        created_by=by,
        created_at=now or clock.now(),
    )
    stored.full_clean()
    stored.save()
    return stored


def _editable(draft: ReportDraft) -> ReportDraft:
    draft = ReportDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.is_published:
        raise ValidationError(f"草稿已于{draft.published_at:%Y-%m-%d %H:%M}发布，不能再修改。")
    return draft


@transaction.atomic
def report_draft_row_update(*, draft: ReportDraft, code: str, values: dict, by) -> ReportDraft:
    """Change one row: `values` holds the row's fields (metric, comparator, value, unit, measure, curve,
    frequency, deadline, departments as names lead first, previous_target as an ID or None). Saving a row
    with a link confirms it."""
    draft = _editable(draft)
    row = draft_row(draft, code)
    if "previous_target" in values and values["previous_target"] is not None:
        previous = Target.objects.filter(pk=values["previous_target"]).select_related("report").first()
        if previous is None or previous.report.year != draft.year - 1:
            raise ValidationError(
                {"previous_target": f"目标 {code}：只能关联{draft.year - 1}年报告中的目标。"}
            )
    if not values.get("departments"):
        raise ValidationError({"departments": f"目标 {code}：至少需要一个牵头单位。"})
    for key, value in values.items():
        if key == "value" and value is not None:
            try:
                value = Decimal(str(value))
            except InvalidOperation:
                raise ValidationError({"value": f"目标 {code}：目标值“{value}”不是数字。"}) from None
            value = int(value) if value == value.to_integral_value() else float(value)
        if key == "deadline" and value is not None:
            value = value.isoformat()
        if value is None or value == "":
            row.pop(key, None)
        else:
            row[key] = value
    if row.get("comparator") == "done":
        row.pop("value", None)
        row.pop("unit", None)
    if row.get("comparator") != "about":
        row.pop("tolerance_pct", None)
    row["previous_confirmed"] = bool(row.get("previous_target"))
    if not row["previous_confirmed"]:
        row.pop("previous_confirmed", None)
    _data_save(draft, by=by, reason=f"修改目标 {code}")
    return draft


def _data_save(draft: ReportDraft, *, by, reason: str) -> None:
    """Save the draft's rows, the change in its history with who and why."""
    draft._change_reason = reason
    draft._history_user = by
    draft.save(update_fields=["data"])


@transaction.atomic
def report_draft_link_confirm(*, draft: ReportDraft, code: str, by) -> ReportDraft:
    """Confirm the proposed link of one row to last year's target."""
    draft = _editable(draft)
    row = draft_row(draft, code)
    if not row.get("previous_target"):
        raise ValidationError(f"目标 {code} 没有建议关联的上年目标。")
    row["previous_confirmed"] = True
    _data_save(draft, by=by, reason=f"确认目标 {code} 与上年目标的关联")
    return draft


@transaction.atomic
def report_draft_row_drop(*, draft: ReportDraft, code: str, by) -> ReportDraft:
    """Drop a row the drafter invented (the key task stays: its paragraph still structures the report). The
    row is kept aside in its task (`dropped`, not published) so that a row dropped by mistake comes back."""
    draft = _editable(draft)
    row = draft_row(draft, code)
    task = next(task for _chapter, task, target in draft_targets(draft.data) if target is row)
    task["targets"] = [target for target in task["targets"] if target is not row]
    task.setdefault(DROPPED_KEY, []).append(row)
    _data_save(draft, by=by, reason=f"删除目标 {code}")
    return draft


@transaction.atomic
def report_draft_row_restore(*, draft: ReportDraft, code: str, by) -> ReportDraft:
    """Put a dropped row back in its task, in the order of the codes."""
    draft = _editable(draft)
    for _chapter, task, row in draft_targets(draft.data, dropped=True):
        if row.get("code") == code:
            task[DROPPED_KEY] = [other for other in task[DROPPED_KEY] if other is not row]
            if not task[DROPPED_KEY]:
                del task[DROPPED_KEY]
            task["targets"] = sorted([*(task.get("targets") or []), row], key=lambda target: target["code"])
            _data_save(draft, by=by, reason=f"恢复目标 {code}")
            return draft
    raise ValidationError(f"草稿中没有已删除的目标 {code}。")


def _departments_for(data: dict) -> list[dict]:
    """The departments the rows name, with codes that touch no existing department (see the steps)."""
    names: list[str] = []
    for _chapter, _task, target in draft_targets(data):
        names.extend(name for name in target.get("departments") or [] if name not in names)
    drafted = {item["name"]: item["code"] for item in data.get("departments", [])}
    existing = dict(Department.objects.filter(name__in=names).values_list("name", "code"))
    proposed = {drafted.get(name) for name in names if name not in existing}
    taken = set(Department.objects.filter(code__in=proposed).values_list("code", flat=True))
    departments, used = [], set(existing.values())
    for index, name in enumerate(names, start=1):
        code = existing.get(name) or drafted.get(name)
        if name not in existing and (not code or code in taken or code in used):
            code = f"dept-{index}"
            while code in taken or code in used or Department.objects.filter(code=code).exists():
                code += "x"
        used.add(code)
        departments.append({"code": code, "name": name})
    return departments


def _loader_data(draft: ReportDraft) -> tuple[dict, dict[str, int]]:
    """The data file the loader reads, and the confirmed links (code → last year's target ID)."""
    data = json.loads(json.dumps(draft.data))
    links = {}
    for _chapter, _task, target in draft_targets(data):
        if target.get("previous_target") and target.get("previous_confirmed"):
            links[target["code"]] = target["previous_target"]
        for key in LINK_KEYS:
            target.pop(key, None)
    for chapter in data.get("chapters", []):
        for task in chapter.get("tasks", []):
            task.pop(DROPPED_KEY, None)
    data["report"]["source"] = "report.txt"
    data["departments"] = _departments_for(data)
    return data, links


@transaction.atomic
def report_draft_publish(*, draft: ReportDraft, by, now: dt.datetime | None = None) -> Report:
    """Publish the draft as a new report, all or nothing (the steps are in the module's docstring)."""
    draft = ReportDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.is_published:
        raise DraftPublishInvalid(
            [f"草稿已于{draft.published_at:%Y-%m-%d %H:%M}发布为“{draft.published_report}”。"]
        )
    data, links = _loader_data(draft)
    issuer, year = data["report"].get("issuer"), data["report"].get("year")
    if Report.objects.filter(issuer=issuer, year=year).exists():
        raise DraftPublishInvalid(
            [f"{issuer}的{year}年报告已经存在：发布只新增报告，不覆盖已有的（如需修改请用 load_report）。"]
        )
    with tempfile.TemporaryDirectory(prefix="wz-draft-") as directory:
        folder = Path(directory)
        (folder / "report.txt").write_text(draft.source_text, encoding="utf-8")
        data_file = folder / "report.yaml"
        data_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        try:
            spec = report_file_parse(data_file)
        except ReportFileInvalid as invalid:
            raise DraftPublishInvalid([str(problem) for problem in invalid.problems]) from None
    try:
        summary = report_load(spec=spec)
    except ReportFileInvalid as invalid:
        raise DraftPublishInvalid([str(problem) for problem in invalid.problems]) from None
    report = Report.objects.get(issuer=spec.issuer, year=spec.year)
    problems = []
    previous = Target.objects.filter(pk__in=links.values()).select_related("report").in_bulk()
    for target in Target.objects.filter(report=report, code__in=links).order_by("code"):
        linked = previous.get(links[target.code])
        if linked is None or linked.report.year != report.year - 1:
            problems.append(
                f"目标 {target.code} · previous_target：关联的上年目标不存在或不是{report.year - 1}年的。"
            )
            continue
        target.previous = linked
        target._change_reason = f"关联上年目标 {linked.code}（草稿审核确认）"
        target._history_user = by
        target.save(update_fields=["previous"])
    if problems:
        raise DraftPublishInvalid(problems)  # the transaction rolls the load back too
    draft.published_report, draft.published_at = report, now or clock.now()
    draft._change_reason = f"发布为报告（新增 {summary.created} 项）"
    draft._history_user = by
    draft.save(update_fields=["published_report", "published_at"])
    return report
