"""Safety and naming rules for zip files uploaded for bulk filing.

A zip is read in memory, member by member, and nothing is extracted to disk.
Each member becomes either a ``ZipMember`` (base file name, size and content)
or a ``RejectedMember`` with a reason code and an English message. Callers
map the codes to their own translated messages. Problems that make the whole
zip unusable raise ``ZipRejectedError``.

Members to file are named ``<ARCHIVE_NUMBER>_<TYPE_CODE>[_<free text>].<ext>``,
e.g. ``BEV-00042_CON_signed-contract.pdf``, and their content must match
their extension.
"""

import io
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date

from .file_names import find_unsafe_character

try:
    import lzma
except ImportError:  # Python built without liblzma: zipfile cannot read LZMA.
    lzma = None

READ_CHUNK_SIZE = 64 * 1024
MAX_NAME_LENGTH = 255
# Office files with more parts than this are not inspected and are rejected.
MAX_OFFICE_PARTS = 10000

# Reason codes of rejected members.
ABSOLUTE_PATH = "absolute_path"
PARENT_DIRECTORY = "parent_directory"
DRIVE_OR_BACKSLASH = "drive_or_backslash"
UNSAFE_CHARACTER = "unsafe_character"
NAME_TOO_LONG = "name_too_long"
SYMLINK = "symlink"
NOT_REGULAR_FILE = "not_regular_file"
ENCRYPTED = "encrypted"
TOO_LARGE = "too_large"
RATIO_TOO_HIGH = "ratio_too_high"
UNREADABLE = "unreadable"
BAD_NAME = "bad_name"
UNSUPPORTED_TYPE = "unsupported_type"
CONTENT_MISMATCH = "content_mismatch"
# Reason codes of rejected zips.
NOT_A_ZIP = "not_a_zip"
TOO_MANY_MEMBERS = "too_many_members"
TOTAL_TOO_LARGE = "total_too_large"

NAME_CONVENTION = "<ARCHIVE_NUMBER>_<TYPE_CODE>[_<free text>].<ext>"
NAME_EXAMPLE = "BEV-00042_CON_signed-contract.pdf"
# Archive numbers are a folder prefix and one or more numeric parts, such as
# BEV-00042 or JD-2026-00042; type codes are ASCII letters and digits.
FILE_NAME_PATTERN = re.compile(
    r"(?P<archive_number>[A-Z][A-Z0-9]{0,9}(?:-[0-9]+)+)"
    r"_(?P<type_code>[A-Za-z0-9]+)"
    r"(?:_(?P<free_text>.+))?"
    r"\.(?P<extension>[A-Za-z0-9]+)"
)
# A date in the free text follows an underscore: _YYYYMMDD or _YYYY-MM-DD.
DATE_PATTERN = re.compile(r"(?<=_)(\d{4})(-?)(\d{2})\2(\d{2})(?![0-9])")
# Folders and files that archivers and file managers add on their own.
SYSTEM_FOLDERS = ("__MACOSX/",)
SYSTEM_FILE_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})

_ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
) + ((lzma.LZMAError,) if lzma else ())


@dataclass(frozen=True)
class ZipLimits:
    """Limits applied to a zip and its members; sizes are in bytes."""

    max_file_size: int
    max_total_size: int
    max_ratio: float
    max_members: int = 1000
    # Members up to this uncompressed size skip the ratio check, because small
    # text files often compress well and the other limits already bound them.
    ratio_check_min_size: int = 100 * 1024


@dataclass(frozen=True)
class Rejection:
    """Reason code, English message and the values the message names."""

    code: str
    message: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ZipMember:
    """Member that passed the safety checks, read into memory."""

    path: str
    file_name: str
    size: int
    data: bytes


@dataclass(frozen=True)
class RejectedMember:
    """Member that is not filed, with the reason."""

    path: str
    file_name: str
    reason: Rejection


@dataclass(frozen=True)
class FilingName:
    """Parts of a file name that follows the bulk filing convention."""

    archive_number: str
    type_code: str
    free_text: str
    document_date: date | None
    extension: str


@dataclass(frozen=True)
class FilingCandidate:
    """Safe member whose name follows the convention and whose content matches."""

    member: ZipMember
    name: FilingName


class ZipRejectedError(ValueError):
    """Raised when the zip as a whole cannot be read within the limits."""

    def __init__(self, reason):
        super().__init__(reason.message)
        self.reason = reason


@dataclass
class _PlannedMember:
    info: zipfile.ZipInfo
    path: str
    file_name: str
    rejection: Rejection | None


class SafeZip:
    """Zip opened for reading under ``limits``.

    Opening reads only the central directory and raises ``ZipRejectedError``
    when the zip is unreadable, has too many members or declares more
    uncompressed bytes than ``limits.max_total_size`` in the members it will
    read. Iterating reads the members in zip order and yields a ``ZipMember``
    or a ``RejectedMember`` for each. Directories and system files such as
    ``__MACOSX/`` and ``.DS_Store`` are skipped. Sizes are enforced again while
    decompressing, so a member whose header understates its size is rejected
    after at most ``max_file_size`` bytes.
    """

    def __init__(self, source, limits):
        self.limits = limits
        if isinstance(source, bytes | bytearray | memoryview):
            stream = io.BytesIO(source)
        else:
            stream = source
        count = _declared_member_count(stream)
        if count is not None and count > limits.max_members:
            raise _too_many_members(count, limits)
        try:
            stream.seek(0)
            self._zip = zipfile.ZipFile(stream)
        except _ZIP_READ_ERRORS as err:
            raise ZipRejectedError(
                Rejection(
                    NOT_A_ZIP,
                    f"the file is not a readable zip: {err}",
                    {"error": str(err)},
                )
            ) from err
        infos = self._zip.infolist()
        if len(infos) > limits.max_members:
            self._zip.close()
            raise _too_many_members(len(infos), limits)
        self._planned = [
            planned for info in infos if (planned := _plan_member(info, limits))
        ]
        declared_total = sum(
            planned.info.file_size
            for planned in self._planned
            if planned.rejection is None
        )
        if declared_total > limits.max_total_size:
            self._zip.close()
            raise _total_too_large(limits)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()

    def close(self):
        self._zip.close()

    @property
    def entry_count(self):
        """Number of entries iterating yields: files read and files rejected."""
        return len(self._planned)

    @property
    def pending_file_names(self):
        """Base names of the members that passed the checks done before reading."""
        return [
            planned.file_name for planned in self._planned if planned.rejection is None
        ]

    def __iter__(self):
        total = 0
        for planned in self._planned:
            if planned.rejection is not None:
                yield RejectedMember(planned.path, planned.file_name, planned.rejection)
                continue
            data, rejection = self._read_member(planned.info, total)
            if rejection is not None:
                yield RejectedMember(planned.path, planned.file_name, rejection)
                continue
            total += len(data)
            yield ZipMember(planned.path, planned.file_name, len(data), data)

    def _read_member(self, info, total_so_far):
        """Read one member, returning ``(data, None)`` or ``(None, rejection)``."""
        limits = self.limits
        max_size = min(limits.max_file_size, limits.max_total_size - total_so_far)
        try:
            with self._zip.open(info) as stream:
                data = read_limited(stream, max_size)
        except SizeLimitExceeded:
            if limits.max_file_size <= limits.max_total_size - total_so_far:
                return None, _too_large(limits)
            raise _total_too_large(limits) from None
        except _ZIP_READ_ERRORS as err:
            return None, Rejection(
                UNREADABLE, f"the member cannot be read: {err}", {"error": str(err)}
            )
        if _ratio_too_high(len(data), info.compress_size, limits):
            return None, _ratio_rejection(len(data), info.compress_size, limits)
        return data, None


class SizeLimitExceeded(ValueError):
    """Raised by ``read_limited`` when a stream yields more than the limit."""


def read_limited(stream, max_size, chunk_size=READ_CHUNK_SIZE):
    """Read ``stream`` to its end and return the bytes.

    :raises SizeLimitExceeded: as soon as more than ``max_size`` bytes were
        read; at most ``max_size + 1`` bytes are requested from the stream.
    """
    chunks = []
    size = 0
    while True:
        chunk = stream.read(min(chunk_size, max_size + 1 - size))
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_size:
            raise SizeLimitExceeded(f"more than {max_size} bytes")
        chunks.append(chunk)


def read_zip(source, limits):
    """Return a ``ZipMember`` or ``RejectedMember`` for each member of a zip.

    ``source`` is the zip as bytes or as a seekable binary file object. All
    accepted members are held in memory together, so iterate a ``SafeZip``
    instead when memory matters.

    :raises ZipRejectedError: when the zip as a whole is rejected.
    """
    with SafeZip(source, limits) as archive:
        return list(archive)


def iter_filing_candidates(archive):
    """Yield a ``FilingCandidate`` or a ``RejectedMember`` for each member.

    On top of the safety checks of ``archive`` (a ``SafeZip``), a member is
    rejected when its name does not follow the bulk filing convention, its
    extension is not supported or its content does not match the extension.
    """
    for member in archive:
        if isinstance(member, RejectedMember):
            yield member
            continue
        name = parse_file_name(member.file_name)
        if name is None:
            yield RejectedMember(member.path, member.file_name, _bad_name())
            continue
        rejection = check_content(name.extension, member.data)
        if rejection is not None:
            yield RejectedMember(member.path, member.file_name, rejection)
            continue
        yield FilingCandidate(member, name)


def parse_file_name(file_name):
    """Split a bulk filing file name into its parts, or return None.

    The type code is returned in upper case and the extension in lower case.
    The document date is the first valid ``_YYYYMMDD`` or ``_YYYY-MM-DD`` in
    the free text; digits that form no valid date are left as free text.
    """
    match = FILE_NAME_PATTERN.fullmatch(file_name)
    if not match:
        return None
    free_text = match["free_text"] or ""
    return FilingName(
        archive_number=match["archive_number"],
        type_code=match["type_code"].upper(),
        free_text=free_text,
        document_date=_find_date("_" + free_text),
        extension=match["extension"].lower(),
    )


def _find_date(text):
    for match in DATE_PATTERN.finditer(text):
        year, _separator, month, day = match.groups()
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            continue
    return None


# File contents


# Every signature is checked at offset 0. Some PDF readers accept a header
# anywhere in the first 1024 bytes, but a file that starts with another
# format's signature and has "%PDF-" later is a polyglot, which one program
# opens as that format and another as a PDF.


def _has_prefix(*prefixes):
    return lambda data: data.startswith(prefixes)


def _is_webp(data):
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def _is_ooxml(folder):
    """Return a check for an Office Open XML zip with a part under ``folder``."""

    def check(data):
        try:
            with _open_inner_zip(data) as inner:
                names = set(inner.namelist())
        except (_NotAnInnerZip, *_ZIP_READ_ERRORS):
            return False
        return "[Content_Types].xml" in names and any(
            name.startswith(folder) for name in names
        )

    return check


def _is_opendocument(mimetype):
    """Return a check for an OpenDocument zip whose ``mimetype`` member is given."""
    expected = mimetype.encode("ascii")

    def check(data):
        # OpenDocument requires the mimetype as the first part, so its name
        # follows the first local file header, which is 30 bytes long.
        if data[30:38] != b"mimetype":
            return False
        try:
            with _open_inner_zip(data) as inner, inner.open("mimetype") as stream:
                # Read one byte more than expected at most, so a huge
                # compressed mimetype member is never decompressed in full.
                return stream.read(len(expected) + 1).strip() == expected
        except (KeyError, _NotAnInnerZip, *_ZIP_READ_ERRORS):
            return False

    return check


class _NotAnInnerZip(ValueError):
    pass


def _open_inner_zip(data):
    """Open an office file as a zip, or raise ``_NotAnInnerZip``.

    Files without the zip signature or with more than ``MAX_OFFICE_PARTS``
    parts raise before ``zipfile`` parses the central directory, and files
    with data before the first part raise after.
    """
    if not data.startswith(b"PK\x03\x04"):
        raise _NotAnInnerZip("no zip signature")
    stream = io.BytesIO(data)
    count = _declared_member_count(stream)
    if count is None or count > MAX_OFFICE_PARTS:
        raise _NotAnInnerZip(f"{count} parts")
    inner = zipfile.ZipFile(stream)
    # zipfile finds the parts from the central directory at the end and
    # accepts other data before the first part. A file whose first part does
    # not start at offset 0 carries data that is not part of the zip.
    if min((info.header_offset for info in inner.infolist()), default=0) != 0:
        inner.close()
        raise _NotAnInnerZip("data before the first part")
    return inner


def _is_text(data):
    """Return whether ``data`` is text in UTF-8, UTF-16 (with BOM) or GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data.decode("utf-16")
        except UnicodeDecodeError:
            return False
        return True
    if _BINARY_BYTES.search(data):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


# C0 control bytes other than tab, line feed, vertical tab, form feed,
# carriage return and escape mark the content as binary.
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODF = "application/vnd.oasis.opendocument."
# Extension -> (type name used in messages, content check).
CONTENT_TYPES = {
    "pdf": ("PDF", _has_prefix(b"%PDF-")),
    "png": ("PNG image", _has_prefix(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("JPEG image", _has_prefix(b"\xff\xd8\xff")),
    "jpeg": ("JPEG image", _has_prefix(b"\xff\xd8\xff")),
    "gif": ("GIF image", _has_prefix(b"GIF87a", b"GIF89a")),
    "tif": ("TIFF image", _has_prefix(b"II*\x00", b"MM\x00*")),
    "tiff": ("TIFF image", _has_prefix(b"II*\x00", b"MM\x00*")),
    "webp": ("WebP image", _is_webp),
    "docx": ("Word document", _is_ooxml("word/")),
    "xlsx": ("Excel workbook", _is_ooxml("xl/")),
    "pptx": ("PowerPoint presentation", _is_ooxml("ppt/")),
    "doc": ("Word 97-2003 document", _has_prefix(_OLE2)),
    "xls": ("Excel 97-2003 workbook", _has_prefix(_OLE2)),
    "odt": ("OpenDocument text", _is_opendocument(_ODF + "text")),
    "ods": ("OpenDocument spreadsheet", _is_opendocument(_ODF + "spreadsheet")),
    "odp": ("OpenDocument presentation", _is_opendocument(_ODF + "presentation")),
    "txt": ("text file", _is_text),
    "csv": ("text file", _is_text),
}


def check_content(extension, data):
    """Return a ``Rejection`` when ``data`` does not match ``extension``, else None.

    Only the extensions of ``CONTENT_TYPES`` are accepted. The check looks at
    signatures ("magic bytes") at the start of the file and, for zip-based
    office files, at the names of the parts inside. It does not validate the
    whole file, so data appended after a valid file is not detected.
    """
    extension = extension.lower()
    if extension not in CONTENT_TYPES:
        supported = ", ".join(sorted(CONTENT_TYPES))
        return Rejection(
            UNSUPPORTED_TYPE,
            f"files of type .{extension} are not supported; supported types: "
            f"{supported}",
            {"extension": extension, "supported": supported},
        )
    type_name, matches = CONTENT_TYPES[extension]
    if matches(data):
        return None
    return Rejection(
        CONTENT_MISMATCH,
        f"content is not a {type_name}",
        {"extension": extension, "type_name": type_name},
    )


# Member names and headers


def decode_member_name(info):
    """Return the member's name as stored, decoded.

    Names flagged as UTF-8 are used as decoded by ``zipfile``, which
    decodes other names as CP437. Many archivers write UTF-8 without the flag,
    and zips made on Chinese Windows often use GBK, so UTF-8 and then GB18030
    are tried before CP437 is kept.
    """
    name = info.orig_filename
    if info.flag_bits & 0x800:
        return name
    raw = name.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def check_member_path(path):
    """Return a ``Rejection`` when ``path`` is unsafe as a member name, else None."""
    code_point = find_unsafe_character(path)
    if code_point:
        return Rejection(
            UNSAFE_CHARACTER,
            f"the name contains the invisible or control character {code_point}",
            {"character": code_point},
        )
    if path.startswith("/"):
        return Rejection(ABSOLUTE_PATH, "unsafe path: the name is an absolute path")
    if "\\" in path or re.match(r"[A-Za-z]:", path):
        return Rejection(
            DRIVE_OR_BACKSLASH,
            "unsafe path: the name contains a drive letter or a backslash",
        )
    if ".." in path.split("/"):
        return Rejection(
            PARENT_DIRECTORY, "unsafe path: the name contains a '..' component"
        )
    return None


def _plan_member(info, limits):
    """Return the member with its rejection found before reading, or None to
    skip a directory or system file."""
    path = decode_member_name(info)
    file_name = unicodedata.normalize("NFC", path.rstrip("/").rsplit("/", 1)[-1])
    rejection = check_member_path(path)
    if rejection is None:
        if _is_directory(info, path) or _is_system_file(path, file_name):
            return None
        rejection = _check_header(info, file_name, limits)
    return _PlannedMember(info, path, file_name, rejection)


def _is_directory(info, path):
    mode = info.external_attr >> 16
    # 0x10 is the MS-DOS directory attribute in the low byte.
    return path.endswith("/") or stat.S_ISDIR(mode) or bool(info.external_attr & 0x10)


def _is_system_file(path, file_name):
    return path.startswith(SYSTEM_FOLDERS) or file_name in SYSTEM_FILE_NAMES


def _check_header(info, file_name, limits):
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return Rejection(SYMLINK, "the member is a symbolic link")
    # Zips made on Windows have no Unix file type (0) and pass. Any other type
    # than a regular file (FIFO, device, socket) is rejected.
    if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
        return Rejection(NOT_REGULAR_FILE, "the member is not a regular file")
    if info.flag_bits & 0x1:
        return Rejection(ENCRYPTED, "the member is encrypted")
    if len(file_name.encode("utf-8")) > MAX_NAME_LENGTH:
        return Rejection(
            NAME_TOO_LONG,
            f"the name is longer than {MAX_NAME_LENGTH} bytes",
            {"max_length": MAX_NAME_LENGTH},
        )
    if info.file_size > limits.max_file_size:
        return _too_large(limits)
    if _ratio_too_high(info.file_size, info.compress_size, limits):
        return _ratio_rejection(info.file_size, info.compress_size, limits)
    return None


def _ratio_too_high(size, compressed_size, limits):
    return size > limits.ratio_check_min_size and size > limits.max_ratio * max(
        compressed_size, 1
    )


def _ratio_rejection(size, compressed_size, limits):
    ratio = round(size / max(compressed_size, 1))
    return Rejection(
        RATIO_TOO_HIGH,
        f"the compression ratio {ratio} is above the limit of {limits.max_ratio:g} "
        f"(possible zip bomb)",
        {"ratio": ratio, "max_ratio": limits.max_ratio},
    )


def _too_large(limits):
    return Rejection(
        TOO_LARGE,
        f"the file is larger than the limit of {limits.max_file_size} bytes",
        {"max_size": limits.max_file_size},
    )


def _too_many_members(count, limits):
    return ZipRejectedError(
        Rejection(
            TOO_MANY_MEMBERS,
            f"the zip has {count} members, more than the limit of {limits.max_members}",
            {"count": count, "max_members": limits.max_members},
        )
    )


def _total_too_large(limits):
    return ZipRejectedError(
        Rejection(
            TOTAL_TOO_LARGE,
            f"the files of the zip are larger than the total limit of "
            f"{limits.max_total_size} bytes when uncompressed",
            {"max_total_size": limits.max_total_size},
        )
    )


def _bad_name():
    return Rejection(
        BAD_NAME,
        f"name does not follow {NAME_CONVENTION}, e.g. {NAME_EXAMPLE}",
        {"convention": NAME_CONVENTION, "example": NAME_EXAMPLE},
    )


# End of central directory records, with the layouts that Python's zipfile
# reads (structEndArchive, structEndArchive64Locator, structEndArchive64).
_EOCD_SIGNATURE = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE = 20
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"


def _declared_member_count(stream):
    """Return the member count of the end of central directory record.

    ``zipfile`` builds one object per member when it opens a zip, so the count
    is read first to reject a zip announcing millions of tiny members. Returns
    None when the record is not found; ``zipfile`` then reports the error.
    """
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    tail_size = min(size, _EOCD_SIZE + 0xFFFF)  # the comment is up to 64 KiB
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    position = tail.rfind(_EOCD_SIGNATURE)
    if position < 0 or len(tail) - position < _EOCD_SIZE:
        return None
    (count,) = struct.unpack_from("<H", tail, position + 10)
    if count != 0xFFFF:
        return count
    locator = position - _ZIP64_LOCATOR_SIZE
    if locator < 0 or tail[locator : locator + 4] != _ZIP64_LOCATOR_SIGNATURE:
        return count
    (record_offset,) = struct.unpack_from("<Q", tail, locator + 8)
    stream.seek(record_offset)
    record = stream.read(40)
    if len(record) < 40 or record[:4] != _ZIP64_EOCD_SIGNATURE:
        return count
    (count,) = struct.unpack_from("<Q", record, 32)
    return count
