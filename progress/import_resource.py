"""django-import-export's admin import (upload → preview → confirm) on top of progress.importing, so
that the admin button and `import_progress` share one reader, one set of rules and the same all-or-nothing
save."""

from django.core.exceptions import ValidationError
from django.db import transaction
from import_export import fields, resources
from import_export.formats.base_formats import Format
from import_export.results import Error, Result, RowResult

from progress.importing import ImportRefused, dataset_read, progress_import


class _LedgerFormat(Format):
    """Bytes go to progress.importing.dataset_read as they were uploaded, whichever format was chosen: it
    tells CSV from XLSX by content and decides the encoding itself (django-import-export would decode a
    CSV as UTF-8 first and garble a GBK file or fail with an English message)."""

    extension = ""

    def __init__(self, encoding=None):  # the admin passes its text encoding; the reader detects its own
        super().__init__()

    def get_title(self):
        return self.extension

    def get_extension(self):
        return self.extension

    def create_dataset(self, in_stream):
        return dataset_read(in_stream)

    def can_import(self):
        return True


class LedgerCSV(_LedgerFormat):
    extension = "csv"


class LedgerXLSX(_LedgerFormat):
    extension = "xlsx"


class ProgressImportResource(resources.Resource):
    code = fields.Field(column_name="code")
    period_end = fields.Field(column_name="period_end")
    value = fields.Field(column_name="value")
    note = fields.Field(column_name="note")
    final = fields.Field(column_name="final")
    provenance = fields.Field(column_name="provenance")

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    @classmethod
    def get_display_name(cls) -> str:
        return (
            "进度台账：每行一期（编号、报告期末、数值、说明，可选是否最终、数据来源；或英文列名 code, period_end, "
            "value, note, final, provenance），或系统导出的每月一列的台账（编号、1月…12月）"
        )

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """Validate and save every row (or none); a dry run (the preview) rolls the whole import back.
        A refusal becomes the result's errors: file-level ones as base errors, row problems as invalid rows,
        only the first IMPORT_MAX_LISTED_ERRORS of them, with the total in `result.refusal`."""
        result = Result()
        result.diff_headers = ["编号", "报告期末", "数值", "说明"]
        result.add_dataset_headers(result.diff_headers)
        result.total_rows = dataset.height
        try:
            with transaction.atomic():
                summary = progress_import(dataset=dataset, by=self.user, allow_corrections=True)
                if dry_run:
                    transaction.set_rollback(True)
        except ImportRefused as refused:
            result.refusal = refused
            for problem in refused.listed():
                if problem.row is None:
                    result.append_base_error(Error(problem.message))
                else:
                    result.append_invalid_row(
                        problem.row, {}, ValidationError({problem.column or "__all__": [problem.message]})
                    )
            return result
        for entry in summary.entries:
            row_result = RowResult()
            row_result.import_type = (
                RowResult.IMPORT_TYPE_NEW if entry.revision == 1 else RowResult.IMPORT_TYPE_UPDATE
            )
            row_result.object_id = entry.pk
            row_result.object_repr = str(entry)
            row_result.instance = entry
            row_result.diff = [
                entry.target.code,
                f"{entry.period_end:%Y-%m-%d}",
                f"{entry.value.normalize():f}",
                entry.note,
            ]
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        return result
