"""The admin's history pages, shared by every model admin with a history (targets' and progress'): read
only, and in Chinese."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from targets import roles
from targets.conventions import format_decimal


def history_value(field, value) -> str:
    """One value of a history page as people read it: a choice by its label, a time in Wuzhong's time zone
    to the minute, a person by name, a decimal without trailing zeros, "—" for nothing."""
    if isinstance(value, DeletedObject):
        return "—" if value.pk is None else f"（已删除，编号{value.pk}）"
    if value is None or value == "":
        return "—"
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, AbstractBaseUser):
        return roles.display_name(value)
    return str(value)


class ChineseHistoryHelper(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        return history_value(self.model._meta.get_field(change.field), value)


class HistoryAdmin(SimpleHistoryAdmin):
    """History that is only read. django-simple-history's page of one past version is a form that saves a
    POST (a revert) after checking only the *view* permission, past the services and their rules: a view-only
    official could have written an old version back. Here it shows, never saves. Its list reads in Chinese
    (templates/simple_history/object_history_list.html, ChineseHistoryHelper)."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ChineseHistoryHelper(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None) -> bool:
        return True
