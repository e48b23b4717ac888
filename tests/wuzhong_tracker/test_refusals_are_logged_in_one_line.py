"""A refused admin page (403) is logged as one warning line, without the traceback Django attaches to every
PermissionDenied; a server error keeps its traceback."""

import logging
import sys

import pytest

from wuzhong_tracker.logs import RefusalsWithoutTraceback

pytestmark = pytest.mark.django_db


def test_an_officials_refused_admin_page_is_one_line(client, official_zhang, caplog):
    client.force_login(official_zhang)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/admin/auth/user/")

    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /admin/auth/user/"
    assert (record.exc_info, record.exc_text) == (None, None)
    assert "Traceback" not in caplog.text


def test_other_errors_keep_their_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), None
        )
        record.status_code = 500
        record.exc_info = sys.exc_info()

    assert RefusalsWithoutTraceback().filter(record) is True
    assert record.exc_info is not None
