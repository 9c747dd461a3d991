"""Documents in the admin: uploads go through the same service (and refusals) as the staff
page; an uploaded document is read-only here."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from documents import services
from documents.models import Document
from meeting.admin_scope import CouncilScopedAdmin
from meeting.selectors import agenda_item_not_found
from realtime.actors import Actor
from realtime.errors import ServiceError


class UploadForm(forms.ModelForm):
    upload = forms.FileField(label=_("Tệp PDF"))

    class Meta:
        model = Document
        fields = ["session", "agenda_item", "title", "access"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        item = cleaned.get("agenda_item")
        session = cleaned.get("session")
        if item is not None and session is not None and item.session_id != session.pk:
            self.add_error("agenda_item", agenda_item_not_found().message)
        if upload is not None:
            data = upload.read(settings.CHAMBER_MAX_PDF_BYTES + 1)
            try:
                cleaned["inspected"] = services.inspect_pdf(data)
            except ServiceError as refused:
                self.add_error("upload", refused.message)
            cleaned["data"] = data
        return cleaned


@admin.register(Document)
class DocumentAdmin(CouncilScopedAdmin, admin.ModelAdmin):
    council_path = "session__council_id"
    list_display = ["title", "session", "agenda_item", "access", "uploaded_at"]
    list_filter = ["access", "session__council"]
    search_fields = ["title"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = UploadForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["session", "agenda_item", "title", "access", "file", "uploaded_by"]
        return []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.document_upload(
            session_id=form.cleaned_data["session"].pk,
            title=form.cleaned_data["title"],
            data=form.cleaned_data["data"],
            inspected=form.cleaned_data["inspected"],  # inspected once, in clean()
            access=form.cleaned_data["access"],
            agenda_item_id=form.cleaned_data["agenda_item"].pk
            if form.cleaned_data.get("agenda_item")
            else None,
            actor=Actor(user=request.user),
        )
        obj.pk = created.pk
        obj.file = created.file
