"""Writes to what the report promised. Admin, commands and the API call these; nothing else writes."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import ProtectedError

from targets import roles
from targets.loader import ReportSpec, TargetSpec
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


def _upsert(model, lookup: dict, values: dict, summary: LoadSummary, label: str):
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        instance.full_clean()
        instance.save()
        summary.created += 1
        summary.changes.append(f"+ {label}")
        return instance
    changed = _apply(instance, values)
    if changed:
        instance.full_clean()
        instance.save(update_fields=changed)
        summary.updated += 1
        summary.changes.append(f"~ {label}: {', '.join(changed)}")
    else:
        summary.unchanged += 1
    return instance


@transaction.atomic
def report_load(*, spec: ReportSpec, reset_departments: bool = False) -> LoadSummary:
    """Create or update the report described by a validated spec, idempotently.

    Targets are matched by code, chapters and key tasks by number. Departments of an existing target are
    the managers' to change in the admin; the file's proposal is applied when the target is created, or to
    every target with `reset_departments`. A target no longer in the file is deleted unless it has
    progress (its related rows protect it), in which case it is kept and listed in `summary.kept`.
    """
    summary = LoadSummary()
    report = _upsert(
        Report,
        {"issuer": spec.issuer, "year": spec.year},
        {
            "title": spec.title,
            "delivered_on": spec.delivered_on,
            "occasion": spec.occasion,
            "source_text": spec.source_text,
        },
        summary,
        spec.title,
    )
    departments = {
        department.name: _upsert(
            Department, {"code": department.code}, {"name": department.name}, summary, department.name
        )
        for department in spec.departments
    }

    kept_codes = set()
    for chapter_spec in spec.chapters:
        chapter = _upsert(
            Chapter, {"report": report, "number": chapter_spec.number}, {"title": chapter_spec.title}, summary,
            f"章节 {chapter_spec.number}",
        )  # fmt: skip
        for task_spec in chapter_spec.tasks:
            task = _upsert(
                KeyTask,
                {"chapter": chapter, "number": task_spec.number},
                {
                    "title": task_spec.title,
                    "paragraph_start": task_spec.paragraph_start,
                    "paragraph_end": task_spec.paragraph_end,
                },
                summary,
                f"重点任务 {chapter_spec.number}.{task_spec.number}",
            )
            for target_spec in task_spec.targets:
                _load_target(report, task, target_spec, departments, summary, reset_departments)
                kept_codes.add(target_spec.code)

    _remove_targets_not_in_file(report, kept_codes, summary)
    _remove_empty_structure(report, spec, summary)
    if summary.updated:
        # A definition may have changed: the stored statuses of the report's targets no longer stand for
        # an evaluation until recomputed (the reports as of today read them otherwise).
        from progress.services import statuses_mark_stale  # progress builds on targets, not the reverse

        statuses_mark_stale(target_ids=report.targets.values_list("pk", flat=True))
    return summary


def _load_target(
    report: Report,
    task: KeyTask,
    spec: TargetSpec,
    departments: dict[str, Department],
    summary: LoadSummary,
    reset_departments: bool,
) -> None:
    existed = Target.objects.filter(report=report, code=spec.code).exists()
    target = _upsert(
        Target,
        {"report": report, "code": spec.code},
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
        summary,
        f"目标 {spec.code}",
    )

    wanted = [departments[name] for name in spec.departments]
    current = target.ordered_departments() if existed else []
    if current != wanted:
        if existed and not reset_departments:
            summary.department_differences.append(
                f"目标 {spec.code}：系统中为 {'、'.join(d.name for d in current) or '（无）'}，"
                f"数据文件为 {'、'.join(d.name for d in wanted)}；保留系统中的设置（--reset-departments 可改用文件）"
            )
        else:
            target.assignments.all().delete()
            TargetDepartment.objects.bulk_create(
                TargetDepartment(
                    target=target,
                    department=department,
                    role=DepartmentRole.LEAD if index == 0 else DepartmentRole.COOPERATING,
                    order=index,
                )
                for index, department in enumerate(wanted)
            )
            if existed:
                summary.updated += 1
                summary.changes.append(f"~ 目标 {spec.code}: departments")

    baseline = getattr(target, "baseline", None) if existed else None
    if spec.baseline is None:
        if baseline is not None:
            baseline.delete()
            summary.deleted += 1
            summary.changes.append(f"- 目标 {spec.code} 基期值")
        return
    _upsert(
        Baseline,
        {"target": target},
        {
            "year": spec.baseline.year,
            "value": spec.baseline.value,
            "unit": spec.baseline.unit,
            "quote": spec.baseline.quote,
            "quote_start": spec.baseline.quote_start,
        },
        summary,
        f"目标 {spec.code} 基期值",
    )


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
