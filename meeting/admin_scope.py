"""The admin shows and changes only the rows of the councils the user's roles belong to."""

from __future__ import annotations

from django.http import HttpRequest

from meeting.scope import Everywhere, councils_for

# A foreign key of these names offers only rows of the user's councils (path to the council).
SCOPED_CHOICES = {
    "council": "pk",
    "session": "council_id",
    "agenda_item": "session__council_id",
    "delegate": "council_id",
}


def _scope(request: HttpRequest, perm: str):
    cache = request.__dict__.setdefault("_chamber_scopes", {})
    if perm not in cache:
        cache[perm] = councils_for(request.user, perm)
    return cache[perm]


def _union(*scopes):
    if any(isinstance(scope, Everywhere) for scope in scopes):
        return next(scope for scope in scopes if isinstance(scope, Everywhere))
    return set().union(*scopes)


class CouncilScopedAdmin:
    """Mixin for a ModelAdmin: ``council_path`` leads from a row to its council's id."""

    council_path = "council_id"

    def _perm(self, verb: str) -> str:
        opts = self.model._meta
        return f"{opts.app_label}.{verb}_{opts.model_name}"

    def _council_of(self, obj) -> int | None:
        value = obj
        for part in self.council_path.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value

    def _in_scope(self, request: HttpRequest, obj, *verbs: str) -> bool:
        scope = _union(*(_scope(request, self._perm(verb)) for verb in verbs))
        return self._council_of(obj) in scope

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        scope = _union(_scope(request, self._perm("view")), _scope(request, self._perm("change")))
        if isinstance(scope, Everywhere):
            return queryset
        return queryset.filter(**{f"{self.council_path}__in": scope})

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self._in_scope(request, obj, "view", "change"))

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self._in_scope(request, obj, "change"))

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self._in_scope(request, obj, "delete"))

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        path = SCOPED_CHOICES.get(db_field.name)
        if field is not None and path is not None and hasattr(field, "queryset"):
            scope = _union(
                _scope(request, self._perm("add")), _scope(request, self._perm("change"))
            )
            if not isinstance(scope, Everywhere):
                field.queryset = field.queryset.filter(**{f"{path}__in": scope})
        return field
