"""配合情况: a co-operating department adds a note with evidence on one of the lead's periods from the
target's desk; it never counts as a figure; only co-operating departments may add one."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from progress.models import CooperationNote, ProgressEntry
from targets.models import Target

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def enterprises(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return Target.objects.get(report__year=2020, code="1.1.03")  # led by 工业和信息化局, 统计局 co-operating


def _add(client, target, **data):
    return client.post(reverse("boards-target", args=[target.pk]), {"period_end": "2020-06-30", **data})


def test_a_cooperating_department_adds_a_note_with_evidence(login, official_sun, enterprises):
    client = login("official_sun")
    desk = client.get(reverse("boards-target", args=[enterprises.pk])).content.decode()
    assert 'id="wz-cooperation-form"' in desk

    response = _add(
        client, enterprises, text="统计局已完成6月入库核实", evidence=SimpleUploadedFile("入库名单.pdf", PDF)
    )

    assert response.status_code == 302
    note = CooperationNote.objects.get()
    assert (note.department.code, note.created_by, note.evidence_name) == (
        "stats",
        official_sun,
        "入库名单.pdf",
    )
    assert not ProgressEntry.objects.exists()  # never a figure
    page = client.get(reverse("boards-target", args=[enterprises.pk])).content.decode()
    assert "统计局已完成6月入库核实" in page and "入库名单.pdf" in page
    download = client.get(reverse("cooperation-evidence-download", args=[note.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_the_lead_department_is_not_offered_the_form_and_is_refused(login, official_zhang, enterprises):
    client = login("official_zhang")
    desk = client.get(reverse("boards-target", args=[enterprises.pk])).content.decode()
    assert 'id="wz-cooperation-form"' not in desk

    response = _add(client, enterprises, text="牵头单位的说明")

    assert [m.message for m in get_messages(response.wsgi_request)] == [
        "只有该目标的配合单位可以填写配合情况。"
    ]
    assert not CooperationNote.objects.exists()


def test_a_note_needs_text_and_a_closed_period(login, official_sun, enterprises):
    client = login("official_sun")
    refused = _add(client, enterprises, period_end="2020-07-31", text="")
    assert not CooperationNote.objects.exists()
    assert get_messages(refused.wsgi_request)


def test_others_cannot_download_a_notes_evidence(login, official_sun, official_zhao, enterprises):
    _add(login("official_sun"), enterprises, text="说明", evidence=SimpleUploadedFile("名单.pdf", PDF))
    note = CooperationNote.objects.get()
    response = login("official_zhao").get(reverse("cooperation-evidence-download", args=[note.pk]))
    assert response.status_code == 404
