"""The council's default speaking times (the session's and item's are set from the console)."""

from django.contrib import admin

from floor.models import SpeakingLimit
from meeting.admin_scope import CouncilScopedAdmin


@admin.register(SpeakingLimit)
class SpeakingLimitAdmin(CouncilScopedAdmin, admin.ModelAdmin):
    list_display = ["council", "kind", "seconds", "session", "agenda_item"]
    list_filter = ["kind"]
    fields = ["council", "kind", "seconds"]

    def get_queryset(self, request):
        # Only the council's defaults here; a session's or item's are the console's.
        return super().get_queryset(request).filter(session__isnull=True)
