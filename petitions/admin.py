"""The admin keeps each council's list of fields; petitions themselves change through the
staff pages (petitions.views) and their services only."""

from django.contrib import admin

from meeting.admin_scope import CouncilScopedAdmin
from petitions.models import Field


@admin.register(Field)
class FieldAdmin(CouncilScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "council", "active", "position"]
    list_filter = ["active"]
    list_editable = ["position"]
    search_fields = ["name", "council__name"]
