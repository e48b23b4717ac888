"""django-import-export's admin import (upload → preview → confirm) on top of progress.importing, so
that the admin button and `import_progress` share one set of rules and the same all-or-nothing save."""

from django.core.exceptions import ValidationError
from django.db import transaction
from import_export import fields, resources
from import_export.results import Error, Result, RowResult

from progress.importing import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, ImportRefused, progress_import


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
        return "进度台账（code, period_end, value, note, final, provenance）"

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """Validate and save every row (or none); a dry run (the preview) rolls the whole import back."""
        result = Result()
        headers = [
            column for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS if column in (dataset.headers or [])
        ]
        result.diff_headers = headers
        result.add_dataset_headers(headers)
        result.total_rows = dataset.height
        try:
            with transaction.atomic():
                summary = progress_import(dataset=dataset, by=self.user, allow_corrections=True)
                if dry_run:
                    transaction.set_rollback(True)
        except ImportRefused as refused:
            rows = list(dataset.dict) if headers else []
            for problem in refused.errors:
                if problem.row is None:
                    result.append_base_error(Error(ValidationError(problem.message)))
                else:
                    row = rows[problem.row - 2]
                    result.append_invalid_row(
                        problem.row, row, ValidationError({problem.column: [problem.message]})
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
            ][: len(headers)]
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        return result
