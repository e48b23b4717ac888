"""The drafter: a government work report's text → a draft of its data file (docs/data-format.md).

Pure functions, no database: `report_text_decode` (bytes → text, UTF-8 or GBK), `report_text_normalise`,
`report_draft` (text → `Draft`), `draft_yaml` (`Draft` → the loader's YAML) and `draft_compare`
(precision and recall against a hand-made file). The `draft_report` command is a thin caller; an upload
page can call the same functions.
"""

from targets.drafting.compare import (
    Comparison,
    Score,
    comparables_from_draft,
    comparables_from_spec,
    draft_compare,
)
from targets.drafting.departments import (
    DEFAULT_KEYWORDS_FILE,
    KeywordTable,
    keyword_table_load,
    keyword_table_parse,
)
from targets.drafting.draft import Draft, DraftError, report_draft
from targets.drafting.text import UndecodableReport, report_text_decode, report_text_normalise
from targets.drafting.writer import draft_yaml

__all__ = [
    "DEFAULT_KEYWORDS_FILE",
    "Comparison",
    "Draft",
    "DraftError",
    "KeywordTable",
    "Score",
    "UndecodableReport",
    "comparables_from_draft",
    "comparables_from_spec",
    "draft_compare",
    "draft_yaml",
    "keyword_table_load",
    "keyword_table_parse",
    "report_draft",
    "report_text_decode",
    "report_text_normalise",
]
