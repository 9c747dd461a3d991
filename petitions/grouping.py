"""Consolidation: received petitions grouped under one consolidated petition, which is
forwarded and answered once while they follow it (petitions.steps.FOLLOWED) — and a petition
taken out of its group again, while the group has not moved yet.

Same rules as petitions.services: staff of the council, one transaction, the chain's entry,
``ServiceError`` and nothing changed on bad input.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from petitions import access, search_index
from petitions.models import Petition, Status
from petitions.steps import FOLLOWED, STEPS, _int, _locked, _log, _text, digest
from realtime.actors import Actor
from realtime.errors import ServiceError
from search.folding import fold


def petitions_group(
    *,
    council_id: int,
    petition_ids: list,
    actor: Actor,
    text: str | None = None,
    group_id=None,
) -> Petition:
    """Group received petitions under one consolidated petition (a new one, or ``group_id``):
    it is forwarded and answered once; they follow it."""
    access.require_staff(actor.user, council_id)
    ids = sorted({_int(pk) for pk in petition_ids} - {0, _int(group_id)})
    if len(ids) < (1 if group_id else 2):
        raise ServiceError("group.too_small", _("Chọn ít nhất hai kiến nghị để gộp."))
    with transaction.atomic():
        petitions = list(Petition.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if len(petitions) != len(ids) or any(p.council_id != council_id for p in petitions):
            raise access.not_found()
        for petition in petitions:
            if petition.is_group or petition.group_id is not None:
                raise ServiceError(
                    "petition.grouped", _("Kiến nghị #%(id)d đã được gộp.") % {"id": petition.pk}
                )
            if petition.status != Status.RECEIVED:
                raise ServiceError(
                    "group.not_received",
                    _("Chỉ gộp được kiến nghị chưa chuyển đi (#%(id)d đã xử lý).")
                    % {"id": petition.pk},
                )
        if group_id:
            group = _locked(group_id)
            if group.council_id != council_id:
                raise access.not_found()
            if not group.is_group or group.status not in (*STEPS["answer"][0], Status.RECEIVED):
                raise ServiceError(
                    "group.closed", _("Kiến nghị tổng hợp này không nhận thêm kiến nghị.")
                )
            action = "group_add"
        else:
            first = petitions[0]
            group_text = _text(text) if text else first.text
            group = Petition.objects.create(
                council_id=council_id,
                text=group_text,
                folded=fold(group_text),
                field=first.field,
                place=first.place,
                source=Petition.Source.CONSOLIDATED,
                received_on=min(p.received_on for p in petitions),
                created_by=actor.user,
            )
            action = "group"
            search_index.index_petitions([group])
        values = {name: getattr(group, name) for name in FOLLOWED}
        Petition.objects.filter(pk__in=ids).update(group=group, **values)
        search_index.index_answers(ids)
        _log(group, action, actor, ids, text_sha256=digest(group.text))
    return group


def petition_ungroup(*, petition_id, actor: Actor) -> Petition:
    """Take a petition out of its consolidated petition (grouped by mistake): it is a received
    petition of its own again. Only while the group is still received — once forwarded, the
    agency has it; and never the group's last petition (a group of none is no petition)."""
    with transaction.atomic():
        petition = _locked(petition_id)
        access.require_staff(actor.user, petition.council_id)
        if petition.group_id is None:
            raise ServiceError(
                "petition.not_grouped", _("Kiến nghị này không thuộc kiến nghị tổng hợp nào.")
            )
        group = _locked(petition.group_id)
        if group.status != Status.RECEIVED:
            raise ServiceError(
                "group.moved",
                _("Kiến nghị tổng hợp #%(id)d đã chuyển đi: không tách kiến nghị ra được nữa.")
                % {"id": group.pk},
            )
        if not group.members.exclude(pk=petition.pk).exists():
            raise ServiceError(
                "group.last_member",
                _("Đây là kiến nghị cuối cùng của kiến nghị tổng hợp #%(id)d: không tách được.")
                % {"id": group.pk},
            )
        # Back to a received petition of its own: nothing of the group's handling stays.
        fresh = Petition(council_id=petition.council_id)
        for name in FOLLOWED:
            setattr(petition, name, getattr(fresh, name))
        petition.group = None
        petition.save(update_fields=[*FOLLOWED, "group", "updated_at"])
        _log(group, "ungroup", actor, [], removed=petition.pk)
    return petition
