"""Writes to what the report promised. Admin, commands and the API call these; nothing else writes."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Prefetch, ProtectedError
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from targets import roles
from targets.loader import DepartmentSpec, Problem, ReportFileInvalid, ReportSpec, TargetSpec
from targets.models import (
    Baseline,
    Chapter,
    Department,
    DepartmentMembership,
    DepartmentRole,
    KeyTask,
    Report,
    Target,
    TargetDepartment,
)
from targets.signals import definitions_changed


@dataclass
class LoadSummary:
    """What a load did, for the command to print; `changes` holds one line per created/updated thing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    changes: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # targets that left the file but could not be deleted
    department_differences: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def _apply(instance, values: dict) -> list[str]:
    """Set the fields that differ; return their names (empty when the row is already as described)."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed


def _validate(instance) -> None:
    """The model's field rules and `clean()`, in Python, before anything is written.

    Not the foreign keys, which point at rows this load has just read or is writing itself, nor the
    constraints: `report_file_parse` checks every one of them with a message naming the item and the field
    (choices, value and unit, curves, tolerance, unique codes and numbers), the rows are matched by their
    unique keys, the one uniqueness a row outside the file can break is checked in bulk
    (`_refuse_taken_department_names`), and the database enforces them all inside the load's transaction.
    Django's own checks would ask the database once per row and constraint: thousands of queries a load.
    """
    relations = [field.name for field in instance._meta.concrete_fields if field.is_relation]
    instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


class _Rows:
    """The rows of one model a load writes: each matched by its key among the rows read beforehand (one
    query), validated, then written together — the new ones in one bulk insert (with their history rows
    where the model keeps history), the changed ones one by one (rare, each with its history)."""

    def __init__(self, model, existing: dict, summary: LoadSummary, *, history: bool = True):
        self.model, self.existing, self.summary = model, existing, summary
        self.history = history and hasattr(model, "history")
        self.new: list = []
        self.changed: list[tuple[object, list[str]]] = []

    def upsert(self, key, lookup: dict, values: dict, label: str):
        instance = self.existing.get(key)
        if instance is None:
            instance = self.model(**lookup, **values)
            _validate(instance)
            self.new.append(instance)
            self.summary.created += 1
            self.summary.changes.append(f"+ {label}")
            return instance
        changed = _apply(instance, values)
        if changed:
            _validate(instance)
            self.changed.append((instance, changed))
            self.summary.updated += 1
            self.summary.changes.append(f"~ {label}: {', '.join(changed)}")
        else:
            self.summary.unchanged += 1
        return instance

    def write(self) -> None:
        for instance, fields in self.changed:
            instance.save(update_fields=fields)
        if self.history:
            bulk_create_with_history(self.new, self.model)
        else:
            self.model.objects.bulk_create(self.new)


def _refuse_taken_department_names(departments: list[DepartmentSpec]) -> None:
    """A department of the file whose name another department (of another code: made in the admin, or by
    another file) already has is refused with the message `full_clean` gives, naming it as the loader
    does, before anything is written."""
    codes = {department.name: department.code for department in departments}
    problems = []
    for holder in Department.objects.filter(name__in=codes).order_by("name"):
        if holder.code != codes[holder.name]:
            taken = Department(code=codes[holder.name], name=holder.name).unique_error_message(
                Department, ("name",)
            )
            problems.append(
                Problem(_("责任单位 %(name)s") % {"name": holder.name}, "name",
                        _("%(taken)s（代码 %(code)s）") % {"taken": taken.messages[0], "code": holder.code})
            )  # fmt: skip
    if problems:
        raise ReportFileInvalid(problems)


@transaction.atomic
def report_load(*, spec: ReportSpec, reset_departments: bool = False) -> LoadSummary:
    """Create or update the report described by a validated spec, idempotently, in a number of queries
    that does not grow with the report (bar the rows that change).

    Targets are matched by code, chapters and key tasks by number. Departments of an existing target are
    the managers' to change in the admin; the file's proposal is applied when the target is created, or to
    every target with `reset_departments`. A target no longer in the file is deleted unless it has
    progress (its related rows protect it), in which case it is kept and listed in `summary.kept`.

    Steps: read the report's rows, one query per model; walk the file in order, matching, validating and
    counting every row (`summary.changes` in the file's order); write each model's rows, parents first;
    remove what left the file.
    """
    _refuse_taken_department_names(spec.departments)
    summary = LoadSummary()
    existing_report = Report.objects.filter(issuer=spec.issuer, year=spec.year).first()
    report_rows = _Rows(Report, {"report": existing_report} if existing_report else {}, summary)
    report = report_rows.upsert(
        "report",
        {"issuer": spec.issuer, "year": spec.year},
        {
            "title": spec.title,
            "delivered_on": spec.delivered_on,
            "occasion": spec.occasion,
            "source_text": spec.source_text,
        },
        spec.title,
    )
    report_rows.write()  # first: every target's clean() reads the report's year

    department_rows = _Rows(
        Department,
        {d.code: d for d in Department.objects.filter(code__in=[d.code for d in spec.departments])},
        summary,
    )
    departments = {
        department.name: department_rows.upsert(
            department.code, {"code": department.code}, {"name": department.name}, department.name
        )
        for department in spec.departments
    }
    chapter_rows = _Rows(Chapter, {c.number: c for c in Chapter.objects.filter(report=report)}, summary)
    task_rows = _Rows(
        KeyTask,
        {
            (task.chapter.number, task.number): task
            for task in KeyTask.objects.filter(chapter__report=report).select_related("chapter")
        },
        summary,
    )
    targets = _TargetRows(report, summary, reset_departments)

    kept_codes = set()
    for chapter_spec in spec.chapters:
        chapter = chapter_rows.upsert(
            chapter_spec.number, {"report": report, "number": chapter_spec.number},
            {"title": chapter_spec.title}, f"章节 {chapter_spec.number}",
        )  # fmt: skip
        for task_spec in chapter_spec.tasks:
            task = task_rows.upsert(
                (chapter_spec.number, task_spec.number),
                {"chapter": chapter, "number": task_spec.number},
                {
                    "title": task_spec.title,
                    "paragraph_start": task_spec.paragraph_start,
                    "paragraph_end": task_spec.paragraph_end,
                },
                f"重点任务 {chapter_spec.number}.{task_spec.number}",
            )
            for target_spec in task_spec.targets:
                targets.load(task, target_spec, departments)
                kept_codes.add(target_spec.code)

    for rows in (department_rows, chapter_rows, task_rows):
        rows.write()
    targets.write()
    _remove_targets_not_in_file(report, kept_codes, summary)
    _remove_empty_structure(report, spec, summary)
    if summary.updated:
        # A definition may have changed: what was judged of the report's targets is stale.
        definitions_changed.send(Report, target_ids=list(report.targets.values_list("pk", flat=True)))
    return summary


class _TargetRows:
    """The report's targets with their departments and baselines: read in three queries, matched and
    validated by `load()` in the file's order, written in bulk by `write()`."""

    def __init__(self, report: Report, summary: LoadSummary, reset_departments: bool):
        existing = {
            target.code: target
            for target in Target.objects.filter(report=report)
            .select_related("report", "task", "baseline")
            .prefetch_related(
                Prefetch("assignments", queryset=TargetDepartment.objects.select_related("department"))
            )
        }
        self.report, self.summary, self.reset_departments = report, summary, reset_departments
        self.targets = _Rows(Target, existing, summary)
        self.baselines = _Rows(
            Baseline,
            {code: target.baseline for code, target in existing.items() if hasattr(target, "baseline")},
            summary,
        )
        # Assignments are replaced, never updated: the old ones deleted (with their history), the new ones
        # inserted in bulk without history rows, as they always have been.
        self.reassigned: list[Target] = []
        self.assignments: list[TargetDepartment] = []
        self.dropped_baselines: list[Baseline] = []

    def load(self, task: KeyTask, spec: TargetSpec, departments: dict[str, Department]) -> None:
        existed = spec.code in self.targets.existing
        target = self.targets.upsert(
            spec.code,
            {"report": self.report, "code": spec.code},
            {
                "task": task,
                "metric": spec.metric,
                "comparator": spec.comparator,
                "value": spec.value,
                "unit": spec.unit,
                "measure": spec.measure,
                "curve": spec.curve,
                "custom_curve": spec.custom_curve,
                "frequency": spec.frequency,
                "deadline": spec.deadline,
                "tolerance_pct": spec.tolerance_pct,
                "quote": spec.quote,
                "quote_start": spec.quote_start,
                "quote_end": spec.quote_end,
                "reading": spec.reading,
            },
            f"目标 {spec.code}",
        )

        wanted = [departments[name] for name in spec.departments]
        current = target.ordered_departments() if existed else []
        if current != wanted:
            if existed and not self.reset_departments:
                self.summary.department_differences.append(
                    f"目标 {spec.code}：系统中为 {'、'.join(d.name for d in current) or '（无）'}，"
                    f"数据文件为 {'、'.join(d.name for d in wanted)}；保留系统中的设置（--reset-departments 可改用文件）"
                )
            else:
                self.assignments.extend(
                    TargetDepartment(
                        target=target,
                        department=department,
                        role=DepartmentRole.LEAD if index == 0 else DepartmentRole.COOPERATING,
                        order=index,
                    )
                    for index, department in enumerate(wanted)
                )
                if existed:
                    self.reassigned.append(target)
                    self.summary.updated += 1
                    self.summary.changes.append(f"~ 目标 {spec.code}: departments")

        if spec.baseline is None:
            if spec.code in self.baselines.existing:
                self.dropped_baselines.append(self.baselines.existing[spec.code])
                self.summary.deleted += 1
                self.summary.changes.append(f"- 目标 {spec.code} 基期值")
            return
        self.baselines.upsert(
            spec.code,
            {"target": target},
            {
                "year": spec.baseline.year,
                "value": spec.baseline.value,
                "unit": spec.baseline.unit,
                "quote": spec.baseline.quote,
                "quote_start": spec.baseline.quote_start,
            },
            f"目标 {spec.code} 基期值",
        )

    def write(self) -> None:
        self.targets.write()
        for target in self.reassigned:
            target.assignments.all().delete()
        TargetDepartment.objects.bulk_create(self.assignments)
        for baseline in self.dropped_baselines:
            baseline.delete()
        self.baselines.write()


def _remove_targets_not_in_file(report: Report, kept_codes: set[str], summary: LoadSummary) -> None:
    for target in Target.objects.filter(report=report).exclude(code__in=kept_codes).order_by("code"):
        try:
            # A savepoint, so that a protected delete leaves the surrounding load intact.
            with transaction.atomic():
                target.delete()
        except ProtectedError:
            summary.kept.append(f"{target.code} {target.metric}")
        else:
            summary.deleted += 1
            summary.changes.append(f"- 目标 {target.code}")


def _remove_empty_structure(report: Report, spec: ReportSpec, summary: LoadSummary) -> None:
    wanted_tasks = {(chapter.number, task.number) for chapter in spec.chapters for task in chapter.tasks}
    for task in KeyTask.objects.filter(chapter__report=report).select_related("chapter"):
        if (task.chapter.number, task.number) not in wanted_tasks and not task.targets.exists():
            task.delete()
            summary.deleted += 1
            summary.changes.append(f"- 重点任务 {task.chapter.number}.{task.number}")
    wanted_chapters = {chapter.number for chapter in spec.chapters}
    for chapter in Chapter.objects.filter(report=report).exclude(number__in=wanted_chapters):
        if not chapter.tasks.exists():
            chapter.delete()
            summary.deleted += 1
            summary.changes.append(f"- 章节 {chapter.number}")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    department: str | None


# (username, role group, department code or None); the password is "<username>-demo-2020".
DEMO_ACCOUNTS = [
    ("admin", roles.ADMINISTRATOR, None),
    ("manager", roles.MANAGER, None),
    ("ndrc_official", roles.OFFICIAL, "ndrc"),
    ("ndrc_reviewer", roles.REVIEWER, "ndrc"),
    ("agri_official", roles.OFFICIAL, "agriculture"),
    ("agri_reviewer", roles.REVIEWER, "agriculture"),
    ("industry_official", roles.OFFICIAL, "industry"),
    ("stats_official", roles.OFFICIAL, "stats"),
]


@transaction.atomic
def demo_accounts_ensure() -> list[DemoAccount]:
    """Create (or reset) the demo accounts of `make run`; departments must be loaded first."""
    User = get_user_model()
    accounts = []
    for username, role, department_code in DEMO_ACCOUNTS:
        password = f"{username}-demo-2020"
        user, _ = User.objects.get_or_create(username=username)
        user.is_staff = True
        user.is_superuser = role == roles.ADMINISTRATOR
        user.email = f"{username}@example.invalid"
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        department = None
        if department_code is not None:
            department = Department.objects.get(code=department_code)
            DepartmentMembership.objects.update_or_create(user=user, defaults={"department": department})
        accounts.append(DemoAccount(username, password, role, department.name if department else None))
    return accounts
