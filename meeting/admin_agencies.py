"""The admin of a council's agencies and their officers, and of the council's own log.

Imported by ``meeting.admin`` (the admin's autodiscovery reads that module only).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from meeting.admin_scope import CouncilScopedAdmin
from meeting.agencies import Agency, AgencyOfficer
from meeting.council_log import CouncilLog


class AgencyOfficerInline(admin.TabularInline):
    model = AgencyOfficer
    fields = ["user"]
    autocomplete_fields = ["user"]
    extra = 0
    verbose_name = _("cán bộ đầu mối (được xem và trả lời việc giao cho cơ quan)")
    verbose_name_plural = _("cán bộ đầu mối (được xem và trả lời việc giao cho cơ quan)")


@admin.register(Agency)
class AgencyAdmin(CouncilScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "council", "kind", "email", "active", "position"]
    list_filter = ["kind", "active"]
    list_editable = ["position"]
    search_fields = ["name", "council__name"]
    inlines = [AgencyOfficerInline]


@admin.register(CouncilLog)
class CouncilLogAdmin(CouncilScopedAdmin, admin.ModelAdmin):
    """Read only: the chain is written by services alone."""

    list_display = ["at", "council", "action", "actor_user"]
    list_filter = ["action"]
    readonly_fields = ["council", "at", "action", "actor_user", "data", "previous_hash", "hash"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
