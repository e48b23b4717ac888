"""Evidence is bounded per entry, not only per file (issue #15: one PATCH with 12 × 9.5 MB stored 114 MB):
at most EVIDENCE_MAX_FILES_PER_ENTRY files (20) and EVIDENCE_MAX_MB_PER_ENTRY (50) in all, counting what
the entry already has — through the service, the API and the admin form alike, with nothing stored when
refused."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from progress.models import EvidenceFile, ProgressEntry
from progress.services import progress_entry_correct, progress_entry_submit
from targets.models import Target

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("july_3rd_2020", "report_2020")]

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf(name: str = "台账.pdf", size: int = 100) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * (size - 9))


def submit(by, evidence) -> ProgressEntry:
    return progress_entry_submit(
        target=Target.objects.get(code="1.1.03"), period_end=dt.date(2020, 6, 30), value="7", by=by,
        evidence=evidence,
    )  # fmt: skip


def test_twenty_files_are_accepted_and_the_twenty_first_is_refused(official_zhang):
    entry = submit(official_zhang, [pdf(f"{n}.pdf") for n in range(20)])

    with pytest.raises(ValidationError) as refused:
        progress_entry_correct(entry=entry, value="8", by=official_zhang, evidence=[pdf("21.pdf")])

    assert refused.value.message_dict["evidence"] == [
        "每条填报最多20个佐证材料；已有20个，本次上传1个。请合并文件或删减后再上传。"
    ]
    entry.refresh_from_db()
    assert (entry.value, entry.revision, entry.evidence.count()) == (7, 1, 20)


def test_too_many_files_in_one_submission_save_no_entry(official_zhang):
    with pytest.raises(ValidationError, match="每条填报最多20个佐证材料；本次上传21个"):
        submit(official_zhang, [pdf(f"{n}.pdf") for n in range(21)])

    assert not ProgressEntry.objects.exists()
    assert not EvidenceFile.objects.exists()


def test_the_total_size_counts_what_the_entry_already_has(official_zhang, settings):
    settings.EVIDENCE_MAX_MB_PER_ENTRY = 2
    entry = submit(official_zhang, [pdf("a.pdf", int(0.9 * MB)), pdf("b.pdf", int(0.9 * MB))])

    with pytest.raises(ValidationError) as refused:
        progress_entry_correct(
            entry=entry, value="8", by=official_zhang, evidence=[pdf("c.pdf", int(0.9 * MB))]
        )

    assert refused.value.message_dict["evidence"] == [
        "每条填报的佐证材料合计不超过2 MB；已有1.8 MB，本次上传0.9 MB。请压缩或删减后再上传。"
    ]
    assert entry.evidence.count() == 2


def test_one_api_patch_with_many_large_files_is_refused_and_stores_nothing(official_zhang, settings):
    # The reported request at a tenth of the scale: 12 files of 0.95 MB against a 5 MB bound.
    settings.EVIDENCE_MAX_MB_PER_ENTRY = 5
    entry = submit(official_zhang, [])
    client = APIClient()
    client.force_login(official_zhang)

    response = client.patch(
        f"/api/entries/{entry.pk}/",
        {"value": "8", "evidence": [pdf(f"{n}.pdf", int(0.95 * MB)) for n in range(12)]},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.data["evidence"] == [
        "每条填报的佐证材料合计不超过5 MB；本次上传11.4 MB。请压缩或删减后再上传。"
    ]
    assert not EvidenceFile.objects.exists()
    entry.refresh_from_db()
    assert (entry.value, entry.revision) == (7, 1)


def test_the_admin_form_refuses_evidence_over_the_entry_bound_on_its_field(client, official_zhang, settings):
    settings.EVIDENCE_MAX_FILES_PER_ENTRY = 2
    entry = submit(official_zhang, [pdf("a.pdf"), pdf("b.pdf")])
    client.force_login(official_zhang)
    url = reverse("admin:progress_progressentry_change", args=[entry.pk])
    page = client.get(url)
    inline = {}
    for formset in (admin_formset.formset for admin_formset in page.context["inline_admin_formsets"]):
        inline[f"{formset.prefix}-TOTAL_FORMS"] = str(formset.total_form_count())
        inline[f"{formset.prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        for form in formset.forms:
            inline.update(
                {field.html_name: str(field.value()) for field in form.hidden_fields() if field.value()}
            )

    response = client.post(
        url, {"value": "8", "provenance": "estimate", "note": "", "evidence": [pdf("c.pdf")], **inline}
    )

    assert response.status_code == 200
    assert "每条填报最多2个佐证材料；已有2个，本次上传1个。" in response.content.decode()
    assert EvidenceFile.objects.count() == 2
    entry.refresh_from_db()
    assert entry.revision == 1
