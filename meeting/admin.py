"""The clerk's admin: councils, delegates, sessions and their agenda; the record, read only.

The admin edits only the static parts. The live state of a session (status, current item,
sequence number), attendance and the action log change through ``meeting.services`` alone
(the console, the tablets, or an admin action that calls a service), so here they are read
only.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from meeting import services
from meeting.admin_scope import CouncilScopedAdmin
from meeting.fixed_rules import rules_of
from meeting.models import (
    ActionLog,
    AgendaItem,
    Attendance,
    Council,
    CredentialLog,
    Delegate,
    Guest,
    Membership,
    Session,
)
from realtime.actors import Actor
from realtime.errors import ServiceError

admin.site.site_header = _("Chamber — quản trị kỳ họp")
admin.site.site_title = _("Chamber")
admin.site.index_title = _("Quản trị")


def titled(filter_class, title):
    """A list filter with a Vietnamese title (some fields of the record carry no label)."""

    class Titled(filter_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


class ReadOnlyAdmin(admin.ModelAdmin):
    """The record: people with the view permission read it; nobody edits it here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class PrintBadgesMixin:
    def has_print_badges_permission(self, request: HttpRequest) -> bool:
        # The badge sheet itself checks the council (meeting.views.council_badges).
        return request.user.has_perm("meeting.print_badges")

    def _badges_redirect(self, request: HttpRequest, council_ids: set[int]):
        if len(council_ids) != 1:
            self.message_user(
                request,
                _("Hãy chọn các mục của cùng một hội đồng để in thẻ."),
                messages.WARNING,
            )
            return None
        return HttpResponseRedirect(reverse("badges", args=[council_ids.pop()]))


# --- councils and delegates -------------------------------------------------------------


class DelegateInline(admin.TabularInline):
    model = Delegate
    fields = ["seat_label", "full_name", "title", "vote_weight", "badge_issued_at"]
    readonly_fields = ["badge_issued_at"]
    extra = 0
    show_change_link = True


class MembershipInline(admin.TabularInline):
    """Who holds which role in this council: granted by the administrator only (nobody's
    role group carries the membership permissions)."""

    model = Membership
    fields = ["user", "role"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Council)
class CouncilAdmin(CouncilScopedAdmin, PrintBadgesMixin, admin.ModelAdmin):
    council_path = "pk"
    list_display = ["name", "level", "parent", "seats", "delegate_count", "quorum_rule"]
    list_filter = ["level"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]
    inlines = [DelegateInline, MembershipInline]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # Where a council sits in the tree decides who reads it: the administrator's.
        return [] if request.user.is_superuser else ["parent"]
    actions = ["print_badges"]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("parent")
            .annotate(delegate_total=Count("delegates"))
        )

    @admin.display(description=_("số đại biểu trong danh sách"), ordering="delegate_total")
    def delegate_count(self, council: Council) -> int:
        return council.delegate_total

    @admin.action(description=_("In thẻ đại biểu (PDF)"), permissions=["print_badges"])
    def print_badges(self, request: HttpRequest, queryset):
        return self._badges_redirect(request, set(queryset.values_list("pk", flat=True)))


@admin.register(Delegate)
class DelegateAdmin(CouncilScopedAdmin, admin.ModelAdmin):
    list_display = ["full_name", "council", "title", "seat_label", "vote_weight"]
    list_filter = ["council"]
    search_fields = ["full_name", "title", "seat_label"]
    list_select_related = ["council"]
    readonly_fields = ["badge_issued_at"]
    actions = ["reissue_badges"]

    @admin.action(description=_("Cấp lại thẻ"), permissions=["change"])
    def reissue_badges(self, request: HttpRequest, queryset) -> None:
        actor = Actor(user=request.user)
        count = 0
        for delegate_id in queryset.values_list("pk", flat=True):
            services.badge_reissue(delegate_id=delegate_id, actor=actor)
            count += 1
        self.message_user(
            request,
            ngettext(
                "Đã cấp lại thẻ cho %(count)d đại biểu; thẻ cũ không còn dùng được.",
                "Đã cấp lại thẻ cho %(count)d đại biểu; thẻ cũ không còn dùng được.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


# --- sessions and the agenda ------------------------------------------------------------


class AgendaItemInline(admin.TabularInline):
    """The agenda, editable until the session opens; after that it is the record."""

    model = AgendaItem
    fields = ["position", "title", "presenter", "parent"]
    extra = 0

    def _editable(self, obj: Session | None) -> bool:
        return obj is None or obj.status in (Session.Status.DRAFT, Session.Status.SCHEDULED)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "parent":
            # Only items of this session (none yet when the session is being added).
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = AgendaItem.objects.filter(session_id=object_id or None)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class GuestInline(admin.TabularInline):
    """Invited guests (the minutes list them), editable until the session closes."""

    model = Guest
    fields = ["position", "full_name", "title", "agency"]
    extra = 0

    def _editable(self, obj: Session | None) -> bool:
        return obj is None or obj.status != Session.Status.CLOSED

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(Session)
class SessionAdmin(CouncilScopedAdmin, PrintBadgesMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "council",
        "number",
        "status",
        "planned_start",
        "current_item",
        "documents_link",
    ]
    list_filter = ["status", "council"]
    search_fields = ["title", "council__name"]
    list_select_related = ["council", "current_item"]
    date_hierarchy = "planned_start"
    inlines = [AgendaItemInline, GuestInline]
    actions = ["schedule_sessions", "print_badges"]
    live_fields = [
        "status",
        "current_item",
        "fixed_rules",
        "event_seq",
        "screens",
        "documents_link",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        if obj is None:
            return self.live_fields
        # A session's council is fixed once it exists: its attendance and votes refer to it.
        return ["council", *self.live_fields]

    @admin.display(description=_("số đại biểu và túc số của kỳ họp"))
    def fixed_rules(self, session: Session) -> str:
        """What the session counts with: fixed at its opening, the council's until then."""
        if session.pk is None:
            return "—"
        rules = rules_of(session)
        text = _("%(seats)s đại biểu, túc số %(required)s") % {
            "seats": rules.seats,
            "required": rules.quorum_required,
        }
        if rules.fixed:
            return text + " " + str(_("(cố định từ lúc khai mạc)"))
        return text + " " + str(_("(theo hội đồng, cố định khi khai mạc)"))

    @admin.display(description=_("số sự kiện đã phát"))
    def event_seq(self, session: Session) -> int:
        return session.seq

    @admin.display(description=_("tài liệu kỳ họp"))
    def documents_link(self, session: Session) -> str:
        if session.pk is None:
            return "—"
        return format_html(
            '<a href="{}" class="documents-link">{}</a>',
            reverse("staff-documents", args=[session.pk]),
            _("Tải lên và xem tài liệu"),
        )

    @admin.display(description=_("màn hình"))
    def screens(self, session: Session) -> str:
        if session.pk is None:
            return "—"
        projector = f"{reverse('projector', args=[session.pk])}?key={session.projector_key}"
        console = reverse("chair", args=[session.pk])
        return format_html(
            '{}: <a href="{}" target="_blank">{}</a><br>{}: <a href="{}" target="_blank">{}</a>',
            _("Màn hình chiếu"),
            projector,
            projector,
            _("Bàn chủ tọa"),
            console,
            console,
        )

    @admin.action(description=_("Lên lịch các kỳ họp đã chọn"), permissions=["change"])
    def schedule_sessions(self, request: HttpRequest, queryset) -> None:
        actor = Actor(user=request.user)
        for session in queryset.filter(status=Session.Status.DRAFT):
            try:
                services.session_transition(session_id=session.pk, action="schedule", actor=actor)
            except ServiceError as refused:
                self.message_user(request, f"{session}: {refused.message}", messages.ERROR)
            else:
                self.message_user(
                    request, _("Đã lên lịch: %(session)s") % {"session": session}, messages.SUCCESS
                )

    @admin.action(description=_("In thẻ đại biểu (PDF)"), permissions=["print_badges"])
    def print_badges(self, request: HttpRequest, queryset):
        return self._badges_redirect(request, set(queryset.values_list("council_id", flat=True)))


# --- the record -------------------------------------------------------------------------


@admin.register(Attendance)
class AttendanceAdmin(CouncilScopedAdmin, ReadOnlyAdmin):
    council_path = "session__council_id"
    list_display = [
        "session_label",
        "delegate_label",
        "status_label",
        "reason",
        "changed_label",
    ]
    fields = list_display
    readonly_fields = list_display
    list_filter = [
        ("status", titled(admin.ChoicesFieldListFilter, _("trạng thái"))),
        ("session", titled(admin.RelatedFieldListFilter, _("kỳ họp"))),
    ]
    search_fields = ["delegate__full_name"]
    list_select_related = ["session__council", "delegate"]

    @admin.display(description=_("kỳ họp"), ordering="session")
    def session_label(self, row: Attendance) -> str:
        return str(row.session)

    @admin.display(description=_("đại biểu"), ordering="delegate__full_name")
    def delegate_label(self, row: Attendance) -> str:
        return row.delegate.full_name

    @admin.display(description=_("trạng thái"), ordering="status")
    def status_label(self, row: Attendance) -> str:
        return row.get_status_display()

    @admin.display(description=_("thời điểm"), ordering="changed_at")
    def changed_label(self, row: Attendance):
        return row.changed_at


@admin.register(ActionLog)
class ActionLogAdmin(CouncilScopedAdmin, ReadOnlyAdmin):
    council_path = "session__council_id"
    list_display = ["at_label", "session_label", "action_label", "actor_label", "data_label"]
    fields = list_display
    readonly_fields = list_display
    list_filter = [
        ("session", titled(admin.RelatedFieldListFilter, _("kỳ họp"))),
        ("action", titled(admin.AllValuesFieldListFilter, _("thao tác"))),
    ]
    list_select_related = ["session__council", "actor_user", "actor_delegate"]

    @admin.display(description=_("thời điểm"), ordering="at")
    def at_label(self, row: ActionLog):
        return row.at

    @admin.display(description=_("kỳ họp"), ordering="session")
    def session_label(self, row: ActionLog) -> str:
        return str(row.session)

    @admin.display(description=_("thao tác"), ordering="action")
    def action_label(self, row: ActionLog) -> str:
        return row.action

    @admin.display(description=_("người thực hiện"))
    def actor_label(self, row: ActionLog) -> str:
        if row.actor_delegate is not None:
            return _("Đại biểu %(name)s") % {"name": row.actor_delegate.full_name}
        if row.actor_user is not None:
            user = row.actor_user
            # Vietnamese order: family name first.
            name = f"{user.last_name} {user.first_name}".strip()
            return f"{name} ({user.get_username()})" if name else user.get_username()
        return _("Hệ thống")

    @admin.display(description=_("nội dung"))
    def data_label(self, row: ActionLog) -> str:
        return ", ".join(f"{key}={value}" for key, value in row.data.items())


@admin.register(CredentialLog)
class CredentialLogAdmin(CouncilScopedAdmin, ReadOnlyAdmin):
    """Every badge sheet printed and every badge sign-in: who, when, which device."""

    list_display = ["at", "council", "action", "actor_user", "delegate", "device", "data"]
    fields = list_display
    readonly_fields = list_display
    list_filter = [
        ("council", titled(admin.RelatedFieldListFilter, _("hội đồng"))),
        ("action", titled(admin.AllValuesFieldListFilter, _("thao tác"))),
    ]
    search_fields = ["delegate__full_name", "device"]
    list_select_related = ["council", "actor_user", "delegate"]

from meeting import admin_agencies  # noqa: E402, F401  (registers the agencies' admin)
