"""Session documents: content-addressed PDF files, their page text, and private notes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meeting.models import AgendaItem, Delegate, Session


class StoredFile(models.Model):
    """One PDF, stored once however many documents use it (named by its SHA-256)."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField()
    page_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp PDF")
        verbose_name_plural = _("tệp PDF")

    def __str__(self) -> str:
        return self.sha256[:12]


class Document(models.Model):
    class Access(models.TextChoices):
        PUBLIC = "public", _("Công khai")
        DELEGATES = "delegates", _("Dành cho đại biểu")
        CONFIDENTIAL = "confidential", _("Mật")

    session = models.ForeignKey(
        Session, verbose_name=_("kỳ họp"), on_delete=models.PROTECT, related_name="documents"
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("nội dung chương trình"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    title = models.CharField(_("tiêu đề"), max_length=300)
    access = models.CharField(
        _("mức truy cập"), max_length=20, choices=Access.choices, default=Access.DELEGATES
    )
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="documents")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tài liệu")
        verbose_name_plural = _("tài liệu")
        ordering = ["session", "agenda_item_id", "id"]

    def __str__(self) -> str:
        return self.title


class PageText(models.Model):
    """The text of one page; searched through the search index (documents.search_index)."""

    file = models.ForeignKey(StoredFile, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()  # 1-based
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="page_once_per_file"),
        ]
        ordering = ["file", "number"]

    def __str__(self) -> str:
        return f"{self.file_id[:12]} p.{self.number}"


class Note(models.Model):
    """A delegate's private note on one page: only its author ever sees it."""

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="notes")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="notes")
    page = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["delegate", "document", "page"], name="one_note_per_page"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate_id}: {self.document_id} p.{self.page}"


class Presentation(models.Model):
    """The page the console shows to the room (follow the presenter): one per session."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="presentation")
    document = models.ForeignKey(Document, null=True, on_delete=models.SET_NULL, related_name="+")
    page = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.session_id}: {self.document_id} p.{self.page}"
