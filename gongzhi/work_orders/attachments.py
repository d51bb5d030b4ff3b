"""Upload checks and image re-encoding for attachments.

The file type is decided from the content, never from the name or the client's
header. Images are decoded and re-encoded (JPEG, or PNG when they have transparency),
which drops any payload hidden in them and all metadata; the photo's GPS location is
carried over only when the resident chose to keep it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from gongzhi.work_orders.errors import WorkOrderError, WorkOrderErrorCode

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP"}
GPS_IFD = 0x8825
MAX_SIDE = 2560
MAX_PIXELS = 40_000_000


def max_upload_bytes() -> int:
    return getattr(settings, "GONGZHI_WORK_ORDER_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)


def max_attachments() -> int:
    return getattr(settings, "GONGZHI_WORK_ORDER_MAX_ATTACHMENTS", 9)


@dataclass
class ProcessedFile:
    content: ContentFile
    name: str
    content_type: str
    size: int
    width: int | None = None
    height: int | None = None
    kept_location: bool = False


def _stem(name: str) -> str:
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return "".join(ch for ch in stem if ch.isalnum() or ch in "-_")[:60] or "file"


def process_upload(upload: Any, *, keep_location: bool = False) -> ProcessedFile:
    size = getattr(upload, "size", None) or 0
    if size > max_upload_bytes():
        raise WorkOrderError(WorkOrderErrorCode.ATTACHMENT_TOO_LARGE, field="file")
    data = upload.read()
    if len(data) > max_upload_bytes():
        raise WorkOrderError(WorkOrderErrorCode.ATTACHMENT_TOO_LARGE, field="file")
    original = str(getattr(upload, "name", "") or "file")
    if data.startswith(b"%PDF-"):
        return ProcessedFile(ContentFile(data), f"{_stem(original)}.pdf", "application/pdf", len(data))
    return _reencode_image(data, original, keep_location)


def _reencode_image(data: bytes, original: str, keep_location: bool) -> ProcessedFile:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in IMAGE_FORMATS or probe.width * probe.height > MAX_PIXELS:
                raise WorkOrderError(WorkOrderErrorCode.ATTACHMENT_TYPE_NOT_ALLOWED, field="file")
            probe.load()
            exif = probe.getexif()
            gps = dict(exif.get_ifd(GPS_IFD)) if keep_location else {}
            image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError):
        raise WorkOrderError(WorkOrderErrorCode.ATTACHMENT_TYPE_NOT_ALLOWED, field="file") from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    out = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if gps:
        clean = Image.Exif()
        clean[GPS_IFD] = gps
        kwargs["exif"] = clean.tobytes()
    if has_alpha:
        image.convert("RGBA").save(out, format="PNG", optimize=True, **kwargs)
        ext, content_type = "png", "image/png"
    else:
        image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True, **kwargs)
        ext, content_type = "jpg", "image/jpeg"
    payload = out.getvalue()
    return ProcessedFile(
        ContentFile(payload),
        f"{_stem(original)}.{ext}",
        content_type,
        len(payload),
        image.width,
        image.height,
        kept_location=bool(gps),
    )


#: Types shown in the browser; anything else (PDF) is downloaded, never rendered inline.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp"})


def download_response(item: Any, *, public: bool = False) -> Any:
    """The stored (re-encoded) file with its checked type: images inline, documents as a
    download, never sniffed, sandboxed, cached privately (publicly for the public board)."""
    from django.http import FileResponse

    inline = item.content_type in INLINE_TYPES
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=not inline,
        filename=item.original_name or f"attachment-{item.pk}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=3600" if public else "private, max-age=3600"
    return response
