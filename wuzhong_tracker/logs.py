"""Logging filters shared by every process (settings.LOGGING)."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """Drops the traceback of a 403 logged by Django (`Forbidden (Permission denied): /admin/…`).

    Django logs every PermissionDenied with the exception attached; the stack only shows Django raising
    it, and an official trying a colleague's URL is an everyday event, not an error to investigate. The
    line itself (path, status, user agent is in the access log) stays.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
