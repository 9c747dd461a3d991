"""Polls in the admin are read-only: every change goes through the console and its services."""

from django.contrib import admin

from meeting.admin_scope import CouncilScopedAdmin
from voting.models import Poll, PollResult


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Poll)
class PollAdmin(CouncilScopedAdmin, ReadOnlyAdmin):
    council_path = "session__council_id"
    list_display = ["title", "session", "kind", "status", "opened_at", "closed_at"]
    list_filter = ["status", "kind", "session__council"]
    search_fields = ["title"]


@admin.register(PollResult)
class PollResultAdmin(CouncilScopedAdmin, ReadOnlyAdmin):
    council_path = "poll__session__council_id"
    list_display = ["poll", "ballots", "base", "required", "passed", "void", "computed_at"]
    list_filter = ["passed", "void"]
