"""Import files at rest while they wait for, or are read by, a background import.

An upload is personal data (names, ID numbers, phones of a whole grid), so it is

- checked first (:func:`check_upload`: size limit ``GONGZHI_IMPORT_MAX_UPLOAD_MB``, a .csv that
  is UTF-8 text or an .xlsx that is a zip),
- stored in the private storage ``STORAGES["residents_imports"]`` (outside ``MEDIA_ROOT``, never
  served), encrypted with the field keys (:mod:`gongzhi.privacy.crypto`, AES-256-GCM or SM4-GCM)
  in 1 MiB segments, each authenticated with the file's random name, its position and whether
  it is the last one (so segments cannot be reordered, dropped or cut off unnoticed),
- named by its SHA-256 on the import set, checked again before the import reads it,
- read back as a stream (:func:`open_upload`: one segment in memory at a time), and
- deleted when the set is finished, cancelled or rolled back (and by the retention job after
  ``GONGZHI_IMPORT_UPLOAD_RETENTION_DAYS`` for a failed set nobody resumed).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import math
import secrets
import struct
import tempfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.utils.translation import gettext

from gongzhi.privacy import crypto

SEGMENT_BYTES = 1 << 20
MAGIC = b"GZIMPORT1\n"
_LENGTH = struct.Struct(">I")
ALLOWED_SUFFIXES = (".csv", ".xlsx", ".xlsm")
_SNIFF_BYTES = 64 * 1024


class UploadDamaged(Exception):
    """The stored upload was altered, cut off or does not match its SHA-256."""


@dataclass(frozen=True)
class StoredUpload:
    name: str
    sha256: str
    size: int


def upload_storage() -> Storage:
    return storages["residents_imports"]


def max_upload_bytes() -> int:
    return int(settings.GONGZHI_IMPORT_MAX_UPLOAD_MB) * 1024 * 1024


def check_upload(upload: Any) -> None:
    """Raise ``ValidationError`` (a message for the user) unless ``upload`` is a CSV or XLSX
    file of an acceptable size. Reads at most the first 64 KiB."""
    name = str(getattr(upload, "name", "") or "")
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationError(gettext("Upload a .csv or .xlsx file."), code="file_type")
    size = int(getattr(upload, "size", 0) or 0)
    limit = max_upload_bytes()
    if size > limit:
        raise ValidationError(
            gettext("The file is %(size)s MB; at most %(limit)s MB can be imported at once. Split the file.")
            % {
                "size": f"{math.ceil(size * 10 / 1024 / 1024) / 10:.1f}",
                "limit": settings.GONGZHI_IMPORT_MAX_UPLOAD_MB,
            },
            code="file_too_large",
        )
    if size == 0:
        raise ValidationError(gettext("The file is empty."), code="file_empty")
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    if name.lower().endswith(".csv"):
        text = head[3:] if head.startswith(codecs.BOM_UTF8) else head
        try:
            # final=False: the sample may end inside a multi-byte character.
            codecs.getincrementaldecoder("utf-8")().decode(text, final=False)
        except UnicodeDecodeError:
            raise ValidationError(
                gettext("The CSV file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."),
                code="file_encoding",
            ) from None
        if b"\x00" in text:
            raise ValidationError(gettext("This is not a CSV text file."), code="file_type")
    elif not head.startswith(b"PK\x03\x04"):
        raise ValidationError(gettext("This is not an Excel .xlsx file."), code="file_type")


def _aad(name: str, index: int, last: bool) -> bytes:
    return f"gongzhi.residents.import-upload:{name}:{index}:{int(last)}".encode()


def store_upload(upload: Any) -> StoredUpload:
    """Encrypt ``upload`` (a file object) into private storage; returns its name, SHA-256, size."""
    name = f"{secrets.token_hex(16)}.bin"
    digest = hashlib.sha256()
    size = 0
    ring = crypto.keyring()
    upload.seek(0)
    with tempfile.SpooledTemporaryFile(max_size=8 * SEGMENT_BYTES) as sealed:
        sealed.write(MAGIC)
        index = 0
        segment = upload.read(SEGMENT_BYTES)
        while True:
            following = upload.read(SEGMENT_BYTES) if segment else b""
            last = not following
            digest.update(segment)
            size += len(segment)
            blob = crypto.encrypt_bytes(segment, _aad(name, index, last), ring=ring)
            sealed.write(_LENGTH.pack(len(blob)) + blob)
            if last:
                break
            segment, index = following, index + 1
        sealed.seek(0)
        saved = upload_storage().save(name, File(sealed, name=name))
    upload.seek(0)
    return StoredUpload(name=saved, sha256=digest.hexdigest(), size=size)


class _DecryptingReader(io.RawIOBase):
    """The plaintext of a stored upload, decrypted one segment at a time."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._file: IO[bytes] = upload_storage().open(name, "rb")
        if self._file.read(len(MAGIC)) != MAGIC:
            self._file.close()
            raise UploadDamaged("not a stored import upload")
        self._index = 0
        self._buffer = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_segment(self) -> None:
        head = self._file.read(_LENGTH.size)
        if len(head) < _LENGTH.size:
            raise UploadDamaged("the stored upload is cut off")
        (length,) = _LENGTH.unpack(head)
        blob = self._file.read(length)
        if len(blob) != length:
            raise UploadDamaged("the stored upload is cut off")
        for last in (False, True):
            try:
                self._buffer = crypto.decrypt_bytes(blob, _aad(self.name, self._index, last))
            except crypto.DecryptionError:
                continue
            self._done = last
            self._index += 1
            return
        raise UploadDamaged("a segment of the stored upload failed authentication")

    def readinto(self, buffer: Any) -> int:
        while not self._buffer and not self._done:
            self._next_segment()
        n = min(len(buffer), len(self._buffer))
        buffer[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


class PlainUpload(io.BufferedReader):
    """The decrypted stream; ``size`` (the plaintext's, when known) sizes a CSV progress bar."""

    size: int = 0


def open_upload(name: str, size: int = 0) -> PlainUpload:
    """A buffered binary stream of the upload's plaintext (raises :class:`UploadDamaged`)."""
    stream = PlainUpload(_DecryptingReader(name), buffer_size=SEGMENT_BYTES)
    stream.size = size
    return stream


def open_seekable(name: str, size: int = 0) -> IO[bytes]:
    """The plaintext as a seekable file (openpyxl needs random access to an .xlsx zip): in
    memory up to 64 MiB, else in an already unlinked temporary file on the worker's disk."""
    spool: Any = tempfile.SpooledTemporaryFile(max_size=64 * SEGMENT_BYTES)  # noqa: SIM115 (the caller closes it)
    with open_upload(name, size) as stream:
        while block := stream.read(SEGMENT_BYTES):
            spool.write(block)
    spool.seek(0)
    return spool  # type: ignore[no-any-return]


def verify_upload(name: str, sha256: str) -> None:
    """Read the whole stored upload once: every segment authentic, the SHA-256 as recorded."""
    digest = hashlib.sha256()
    with open_upload(name) as stream:
        while block := stream.read(SEGMENT_BYTES):
            digest.update(block)
    if digest.hexdigest() != sha256:
        raise UploadDamaged("the stored upload does not match its SHA-256")


def delete_upload(name: str) -> None:
    if name:
        upload_storage().delete(name)


def upload_exists(name: str) -> bool:
    return bool(name) and upload_storage().exists(name)
