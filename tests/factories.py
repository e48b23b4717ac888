"""Factories with named departments and people, for tests that need data beyond the bundled report."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from targets.models import (
    Chapter,
    Comparator,
    Curve,
    Department,
    DepartmentMembership,
    DepartmentRole,
    Frequency,
    KeyTask,
    Measure,
    Report,
    Target,
    TargetDepartment,
)

PASSWORD = "correct-horse-battery"  # every factory-made person's, for tests that sign in through the form
SOURCE_TEXT = "示例报告\n加快示例建设。新增示例企业15户，示例增速增长7%。\n"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.invalid")
    is_staff = True
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def department(self, create, extracted, **kwargs):
        if extracted:
            DepartmentMembership.objects.create(user=self, department=extracted)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"示例局{n}")


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    issuer = factory.Sequence(lambda n: f"示例市人民政府{n}")
    year = 2020
    title = factory.LazyAttribute(lambda report: f"{report.year}年{report.issuer}工作报告")
    delivered_on = dt.date(2020, 1, 7)
    source_text = SOURCE_TEXT


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter

    report = factory.SubFactory(ReportFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "示例章节"


class KeyTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyTask

    chapter = factory.SubFactory(ChapterFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "加快示例建设"
    paragraph_start = SOURCE_TEXT.index("加快")
    paragraph_end = SOURCE_TEXT.index("7%。") + 3


class TargetFactory(factory.django.DjangoModelFactory):
    """A cumulative count like "新增示例企业15户", led by one department."""

    class Meta:
        model = Target
        skip_postgeneration_save = True

    task = factory.SubFactory(KeyTaskFactory)
    report = factory.LazyAttribute(lambda target: target.task.chapter.report)
    code = factory.Sequence(lambda n: f"9.9.{n % 100:02d}" if n < 100 else f"9.{n // 100}.{n % 100:02d}")
    metric = "新增示例企业"
    comparator = Comparator.AT_LEAST
    value = Decimal("15")
    unit = "户"
    measure = Measure.CUMULATIVE
    curve = Curve.LINEAR
    frequency = Frequency.MONTHLY
    deadline = dt.date(2020, 12, 31)
    quote = "新增示例企业15户"
    quote_start = SOURCE_TEXT.index("新增示例企业15户")
    quote_end = SOURCE_TEXT.index("新增示例企业15户") + len("新增示例企业15户")

    @factory.post_generation
    def lead(self, create, extracted, **kwargs):
        department = extracted or DepartmentFactory()
        TargetDepartment.objects.create(target=self, department=department, role=DepartmentRole.LEAD, order=0)
