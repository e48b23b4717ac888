"""Evidence (佐证材料) is served only through /evidence/<id>/, only to people who may see its entry, and
only as a download that a browser will neither render nor run; files that pretend to be an allowed type are
refused at upload, and nothing under MEDIA_ROOT is reachable by a URL of its own."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse
from django.views import static

from progress import services
from progress.models import EvidenceFile, ProgressEntry
from targets.models import Target

pytestmark = pytest.mark.django_db

JUNE_END = dt.date(2020, 6, 30)
PDF_BYTES = b"%PDF-1.4\n% the June ledger\n"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def industry_evidence(july_3rd_2020, media_root, official_zhang) -> EvidenceFile:
    """张工信's June figure for 1.1.03 新增规上企业 (工业和信息化局 leads), with one PDF."""
    entry = services.progress_entry_submit(
        target=Target.objects.get(code="1.1.03"),
        period_end=JUNE_END,
        value="7",
        by=official_zhang,
        evidence=[SimpleUploadedFile("六月台账.pdf", PDF_BYTES, content_type="application/pdf")],
    )
    return entry.evidence.get()


def test_a_download_is_an_attachment_that_is_never_sniffed_rendered_or_cached(
    client, official_zhang, industry_evidence
):
    client.force_login(official_zhang)

    response = client.get(reverse("evidence-download", args=[industry_evidence.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E5%85%AD%E6%9C%88%E5%8F%B0%E8%B4%A6.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Frame-Options"] == "DENY"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_an_anonymous_visitor_is_sent_to_the_sign_in_page(client, industry_evidence):
    url = reverse("evidence-download", args=[industry_evidence.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={url}"


@pytest.mark.parametrize("person", ["official_zhao", "reviewer_zhou", "official_liu"])
def test_another_departments_official_or_reviewer_is_told_it_does_not_exist(
    client, request, industry_evidence, person
):
    client.force_login(request.getfixturevalue(person))
    missing = EvidenceFile.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000

    foreign = client.get(reverse("evidence-download", args=[industry_evidence.pk]))
    absent = client.get(reverse("evidence-download", args=[missing]))

    assert foreign.status_code == absent.status_code == 404
    assert PDF_BYTES not in foreign.content


def _patterns(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def test_no_url_serves_files_from_media_root(client, administrator_li, industry_evidence):
    """Only the checked view serves evidence: no static-serve route, and the stored path answers 404 even
    to an administrator."""
    routes = list(_patterns(get_resolver()))
    assert any(route == "evidence/<int:pk>/" for route, _ in routes)
    assert not [route for route, pattern in routes if pattern.callback is static.serve]
    client.force_login(administrator_li)

    for url in (
        f"/media/{industry_evidence.file.name}",
        f"/{industry_evidence.file.name}",
        f"/static/../media/{industry_evidence.file.name}",
    ):
        response = client.get(url)
        assert response.status_code in (301, 302, 404), url
        assert PDF_BYTES not in response.content


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        pytest.param("page.html", HTML, "类型不允许", id="html"),
        pytest.param("chart.svg", SVG, "类型不允许", id="svg"),
        pytest.param("setup.exe", b"MZ\x90\x00\x03", "类型不允许", id="exe"),
        pytest.param("ledger.pdf.exe", b"MZ\x90\x00\x03", "类型不允许", id="exe-with-pdf-in-its-name"),
        pytest.param("ledger.pdf", HTML, "不符", id="html-disguised-as-pdf"),
        pytest.param("ledger.pdf", SVG, "不符", id="svg-disguised-as-pdf"),
        pytest.param("ledger.pdf", b"MZ\x90\x00\x03", "不符", id="exe-disguised-as-pdf"),
        pytest.param("photo.png", SVG, "不符", id="svg-disguised-as-png"),
        pytest.param("photo.jpg", HTML, "不符", id="html-disguised-as-jpg"),
        pytest.param("ledger.xlsx", HTML, "不符", id="html-disguised-as-xlsx"),
    ],
)
def test_a_file_disguised_as_an_allowed_type_is_refused(
    july_3rd_2020, media_root, official_zhang, name, content, words
):
    with pytest.raises(ValidationError) as refused:
        services.progress_entry_submit(
            target=Target.objects.get(code="1.1.03"),
            period_end=JUNE_END,
            value="7",
            by=official_zhang,
            evidence=[SimpleUploadedFile(name, content, content_type="application/pdf")],
        )

    assert words in refused.value.message_dict["evidence"][0]
    assert not ProgressEntry.objects.exists()
    assert not EvidenceFile.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_a_stored_file_keeps_no_part_of_the_uploaded_path(july_3rd_2020, media_root, official_zhang):
    entry = services.progress_entry_submit(
        target=Target.objects.get(code="1.1.03"),
        period_end=JUNE_END,
        value="7",
        by=official_zhang,
        evidence=[SimpleUploadedFile("../../../etc/passwd.pdf", PDF_BYTES)],
    )

    evidence = entry.evidence.get()
    assert evidence.original_name == "passwd.pdf"
    assert evidence.file.name.startswith(f"evidence/{entry.target_id}/")
    assert "passwd" not in evidence.file.name and ".." not in evidence.file.name
    assert (media_root / evidence.file.name).resolve().is_relative_to(media_root.resolve())
