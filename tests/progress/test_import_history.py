"""An imported entry's creation is in its history exactly as simple_history records a created entry: the
import writes these records itself (one INSERT … SELECT per batch, not a model instance per record), so
they are compared with the ones simple_history's own `bulk_history_create` writes for the same entries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import tablib
from django.db import transaction

from progress.importing import progress_import
from progress.models import ProgressEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("july_3rd_2020")]

NOW = dt.datetime(2020, 7, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
History = ProgressEntry.history.model


def records(entry_ids: list[int]) -> list[dict]:
    fields = [field.attname for field in History._meta.concrete_fields if field.attname != "history_id"]
    return list(History.objects.filter(id__in=entry_ids).order_by("history_id").values(*fields))


def test_imported_entries_have_the_history_records_simple_history_writes(official_zhang):
    dataset = tablib.Dataset(headers=["code", "period_end", "value", "note", "final", "provenance"])
    dataset.append(["1.1.03", "2020-03-31", "3", "一季度新增3户", "否", "部门预估"])
    dataset.append(["1.1.03", "2020-06-30", "7.5", "", "是", "统计部门数据"])
    dataset.append(["1.1.04", "2020-03-31", "-6.5", "", "", ""])

    summary = progress_import(dataset=dataset, by=official_zhang, now=NOW)
    entry_ids = [entry.pk for entry in summary.entries]
    imported = records(entry_ids)

    with transaction.atomic():
        History.objects.filter(id__in=entry_ids).delete()
        ProgressEntry.history.bulk_history_create(
            ProgressEntry.objects.filter(pk__in=entry_ids).order_by("pk"),
            default_user=official_zhang,
            default_date=NOW,
            default_change_reason=None,  # as `bulk_create_with_history` passed it
        )
        expected = records(entry_ids)
        transaction.set_rollback(True)
    assert summary.created == 3
    assert [record["history_type"] for record in imported] == ["+"] * 3
    assert imported == expected
