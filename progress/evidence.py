"""Storing 佐证材料: one writer for entries' evidence and for notice answers' evidence (validation stays
with the callers, which check all the files before storing any)."""

import datetime as dt
from pathlib import PurePath
from typing import TypeVar

from django.core.files.uploadedfile import UploadedFile

from progress.models import UploadedEvidence

Evidence = TypeVar("Evidence", bound=UploadedEvidence)


def evidence_store(
    model: type[Evidence], uploaded_file: UploadedFile, *, by, now: dt.datetime, **owner
) -> Evidence:
    """Writes the file under a random name (see `evidence_upload_to`) and saves its row; `owner` names what
    it is attached to (`entry=` or `event=`)."""
    evidence = model(
        original_name=PurePath(uploaded_file.name).name[:255],
        size=uploaded_file.size,
        uploaded_by=by,
        uploaded_at=now,
        **owner,
    )
    evidence.file.save(uploaded_file.name, uploaded_file, save=False)
    evidence.save()
    return evidence
