"""Inline shapes shared by targets' and progress' admins (each app's admin is a caller of its own and
imports neither the other's)."""

from django.contrib.admin.options import InlineModelAdmin


class ExistingRowsInline(InlineModelAdmin):
    """An inline of the rows that exist: none is added or deleted here (they come from a data file or the
    entry form)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False
