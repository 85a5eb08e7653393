"""Check uploads by their content, not their name (which must agree with it), before anything is stored."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

OFFICE_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ALLOWED_DESCRIPTION = gettext_lazy(
    "PNG, JPEG, GIF, WebP, PDF, text (.txt, .log, .csv), Word, Excel, PowerPoint"
)
# The names a file of each real type may have. Downloads keep the user's file name, so a page called
# "side.html" or a script called "fiks.bat" that passes as plain text would open as a page or run as a
# program on the agent's machine; a name that says something other than the bytes is refused.
_IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".jfif", ".gif", ".webp"}  # a mislabelled image is harmless
EXTENSIONS = {
    "image/png": _IMAGE_EXTENSIONS,
    "image/jpeg": _IMAGE_EXTENSIONS,
    "image/gif": _IMAGE_EXTENSIONS,
    "image/webp": _IMAGE_EXTENSIONS,
    "application/pdf": {".pdf"},
    "text/plain": {".txt", ".log", ".csv", ""},
    OFFICE_TYPES["word/"]: {".docx"},
    OFFICE_TYPES["xl/"]: {".xlsx"},
    OFFICE_TYPES["ppt/"]: {".pptx"},
}


@dataclass(frozen=True)
class UploadedAttachment:
    file: UploadedFile
    name: str
    content_type: str
    size: int


def sniff(head: bytes, whole: UploadedFile) -> str | None:
    """Return the content type the bytes really are, or None if it is not one we accept."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            whole.seek(0)
            with zipfile.ZipFile(whole) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return None
        finally:
            whole.seek(0)
        if "[Content_Types].xml" in names:
            for prefix, content_type in OFFICE_TYPES.items():
                if any(name.startswith(prefix) for name in names):
                    return content_type
        return None
    return "text/plain" if _is_text(whole) else None


def _is_text(whole: UploadedFile) -> bool:
    whole.seek(0)
    data = whole.read()
    whole.seek(0)
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    lowered = text[:4096].lower()
    # Markup that a browser could run if it ever sniffed the file is refused, even as "text".
    return not any(marker in lowered for marker in ("<script", "<svg", "<html", "<!doctype", "<?xml"))


def check_upload(upload: UploadedFile) -> UploadedAttachment:
    """Return the upload with its real content type, or raise ValidationError naming the problem."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": upload.name})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head, upload)
    if content_type is None or PurePath((upload.name or "").lower()).suffix not in EXTENSIONS[content_type]:
        raise ValidationError(
            _("“%(name)s” is not a file type we accept. Allowed: %(types)s.")
            % {"name": upload.name, "types": ALLOWED_DESCRIPTION}
        )
    name = (upload.name or "file").replace("/", "_").replace("\\", "_")[-200:]
    return UploadedAttachment(file=upload, name=name, content_type=content_type, size=upload.size)
