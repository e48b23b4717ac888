from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from progress.models import CooperationNote, EvidenceFile
from progress.selectors import entries_visible_to
from targets.selectors import targets_visible_to


@login_required
def evidence_download(request, pk: int):
    """Evidence only for users who may see its entry, always as a download (never rendered inline)."""
    evidence = EvidenceFile.objects.filter(pk=pk, entry__in=entries_visible_to(request.user)).first()
    if evidence is None:
        raise Http404("没有这个文件，或您无权查看。")
    return _download(evidence.file, evidence.original_name)


@login_required
def cooperation_evidence_download(request, pk: int):
    """A 配合情况 note's evidence, for those who see its target; served like an entry's evidence."""
    note = (
        CooperationNote.objects.filter(pk=pk, target__in=targets_visible_to(request.user))
        .exclude(evidence="")
        .first()
    )
    if note is None:
        raise Http404("没有这个文件，或您无权查看。")
    return _download(note.evidence, note.evidence_name)


def _download(file, name: str) -> FileResponse:
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=name, content_type="application/octet-stream"
    )
    # Never sniffed, framed or run: even a file that slipped past the content check (a PDF that is also
    # HTML) opened directly gets a sandbox with no scripts, no same origin and nothing it may load.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # Access depends on who asks: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response
