import io
import stat
import zipfile
from datetime import date

import pytest

from customer_archive.tools.zip_safety import (
    ABSOLUTE_PATH,
    BAD_NAME,
    CONTENT_MISMATCH,
    DRIVE_OR_BACKSLASH,
    ENCRYPTED,
    NAME_TOO_LONG,
    NOT_A_ZIP,
    NOT_REGULAR_FILE,
    PARENT_DIRECTORY,
    RATIO_TOO_HIGH,
    SYMLINK,
    TOO_LARGE,
    TOO_MANY_MEMBERS,
    TOTAL_TOO_LARGE,
    UNREADABLE,
    UNSAFE_CHARACTER,
    UNSUPPORTED_TYPE,
    FilingCandidate,
    RejectedMember,
    SafeZip,
    SizeLimitExceeded,
    ZipLimits,
    ZipMember,
    ZipRejectedError,
    check_content,
    iter_filing_candidates,
    parse_file_name,
    read_limited,
    read_zip,
)

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
LIMITS = ZipLimits(
    max_file_size=1024 * 1024, max_total_size=4 * 1024 * 1024, max_ratio=100
)


def make_zip(*members, compression=zipfile.ZIP_DEFLATED):
    """Build a zip in memory; each member is ``(name_or_zipinfo, data)``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


class CountingStream(io.BytesIO):
    """In-memory stream counting the bytes read from it."""

    bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def member_info(name, mode):
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = mode << 16
    return info


def single_result(data, limits=LIMITS):
    results = read_zip(data, limits)
    assert len(results) == 1
    return results[0]


def rejection_code(data, limits=LIMITS):
    result = single_result(data, limits)
    assert isinstance(result, RejectedMember), result
    return result.reason.code


# Safe members


def test_read_zip_returns_base_name_size_and_content():
    result = single_result(make_zip(("scans/2024/BEV-00042_CON_a.pdf", PDF)))
    assert isinstance(result, ZipMember)
    assert result.file_name == "BEV-00042_CON_a.pdf"
    assert result.path == "scans/2024/BEV-00042_CON_a.pdf"
    assert result.size == len(PDF)
    assert result.data == PDF


def test_read_zip_accepts_file_object():
    results = read_zip(io.BytesIO(make_zip(("a.pdf", PDF))), LIMITS)
    assert [result.file_name for result in results] == ["a.pdf"]


def test_read_zip_skips_directories():
    directory = member_info("photos", stat.S_IFDIR | 0o755)
    data = make_zip(("scans/", b""), (directory, b""), ("scans/a.pdf", PDF))
    assert [result.file_name for result in read_zip(data, LIMITS)] == ["a.pdf"]


def test_read_zip_skips_system_files():
    data = make_zip(
        ("__MACOSX/._a.pdf", b"\x00\x05\x16\x07"),
        ("scans/.DS_Store", b"\x00\x00\x00\x01Bud1"),
        ("a.pdf", PDF),
    )
    assert [result.file_name for result in read_zip(data, LIMITS)] == ["a.pdf"]


def test_read_zip_normalises_name_to_nfc():
    decomposed = "Caf\u0065\u0301.pdf"
    result = single_result(make_zip((decomposed, PDF)))
    assert result.file_name == "Caf\u00e9.pdf"


def test_read_zip_decodes_unflagged_utf8_and_gbk_names():
    utf8_name = "合同-甲.pdf".encode()
    gbk_name = "签约合同.pdf".encode("gbk")
    utf8_placeholder = b"A" * (len(utf8_name) - 4) + b".pdf"
    gbk_placeholder = b"B" * (len(gbk_name) - 4) + b".pdf"
    data = make_zip((utf8_placeholder.decode(), PDF), (gbk_placeholder.decode(), PDF))
    # Rewrite the stored names in place, without the UTF-8 flag, as archivers
    # that ignore the flag and Windows with a GBK code page do.
    data = data.replace(utf8_placeholder, utf8_name).replace(gbk_placeholder, gbk_name)
    names = [result.file_name for result in read_zip(data, LIMITS)]
    assert names == ["合同-甲.pdf", "签约合同.pdf"]


# Unsafe names and member types


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("/abs.pdf", ABSOLUTE_PATH),
        ("//server/share/a.pdf", ABSOLUTE_PATH),
        ("../evil.pdf", PARENT_DIRECTORY),
        ("scans/../../evil.pdf", PARENT_DIRECTORY),
        ("C:/Windows/evil.pdf", DRIVE_OR_BACKSLASH),
        ("c:evil.pdf", DRIVE_OR_BACKSLASH),
        ("..\\evil.pdf", DRIVE_OR_BACKSLASH),
        ("scans\\a.pdf", DRIVE_OR_BACKSLASH),
        ("a\x07.pdf", UNSAFE_CHARACTER),
        ("a\x85.pdf", UNSAFE_CHARACTER),
        ("invoice\u202efdp.exe", UNSAFE_CHARACTER),
        ("invoice\u2066.pdf", UNSAFE_CHARACTER),
        ("invoice\u200efdp.exe", UNSAFE_CHARACTER),
        ("invoice\u200f.pdf", UNSAFE_CHARACTER),
        ("invoice\u061c.pdf", UNSAFE_CHARACTER),
        ("scans/\u200b/a.pdf", UNSAFE_CHARACTER),
        ("a\u2028.pdf", UNSAFE_CHARACTER),
        ("a\ue000.pdf", UNSAFE_CHARACTER),
        ("a" * 252 + ".pdf", NAME_TOO_LONG),
    ],
)
def test_read_zip_rejects_unsafe_name(name, code):
    assert rejection_code(make_zip((name, PDF))) == code


def test_read_zip_rejects_name_with_nul_byte():
    data = make_zip(("a_b.pdf", PDF)).replace(b"a_b.pdf", b"a\x00b.pdf")
    result = single_result(data)
    assert result.reason.code == UNSAFE_CHARACTER
    assert result.reason.params == {"character": "U+0000"}


def test_read_zip_names_refused_character():
    result = single_result(make_zip(("BEV-00042_INF\u200f.pdf", PDF)))
    assert result.reason.code == UNSAFE_CHARACTER
    assert result.reason.params == {"character": "U+200F"}
    assert "U+200F" in result.reason.message


def test_read_zip_rejects_symlink():
    info = member_info("link.pdf", stat.S_IFLNK | 0o777)
    assert rejection_code(make_zip((info, "/etc/passwd"))) == SYMLINK


def test_read_zip_rejects_fifo():
    info = member_info("pipe.pdf", stat.S_IFIFO | 0o644)
    assert rejection_code(make_zip((info, PDF))) == NOT_REGULAR_FILE


def test_read_zip_accepts_regular_unix_mode():
    info = member_info("a.pdf", stat.S_IFREG | 0o644)
    assert isinstance(single_result(make_zip((info, PDF))), ZipMember)


def test_read_zip_rejects_encrypted_member():
    data = bytearray(make_zip(("secret.pdf", PDF)))
    # zipfile cannot write encrypted members: set the encryption flag in the
    # local header (offset 6) and in the central directory entry (offset 8).
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    data[local + 6] |= 0x1
    data[central + 8] |= 0x1
    assert rejection_code(bytes(data)) == ENCRYPTED


def test_read_zip_rejects_corrupt_member():
    data = make_zip(("a.pdf", PDF), compression=zipfile.ZIP_STORED)
    corrupt = data.replace(b"endobj", b"endobX", 1)
    assert rejection_code(corrupt) == UNREADABLE


# Sizes, zip bombs and member counts


def test_read_zip_rejects_declared_size_over_limit():
    limits = ZipLimits(max_file_size=1000, max_total_size=10_000, max_ratio=100)
    result = single_result(make_zip(("big.txt", b"x" * 1001)), limits)
    assert result.reason.code == TOO_LARGE
    assert result.reason.params == {"max_size": 1000}


def test_read_zip_accepts_size_at_limit():
    limits = ZipLimits(max_file_size=1000, max_total_size=10_000, max_ratio=100)
    result = single_result(make_zip(("big.txt", b"x" * 1000)), limits)
    assert result.size == 1000


def test_read_zip_enforces_size_while_reading(monkeypatch):
    limits = ZipLimits(max_file_size=1000, max_total_size=10_000, max_ratio=1000)
    data = make_zip(("small.txt", b"x" * 100))
    # A stream yielding more than the header declares, as a forged header or a
    # decompressor bug could: only the reading limit stops it.
    endless = CountingStream(b"x" * 1_000_000)
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, info: endless)
    assert rejection_code(data, limits) == TOO_LARGE
    assert endless.bytes_read == 1001


def test_read_zip_enforces_total_while_reading(monkeypatch):
    limits = ZipLimits(max_file_size=1000, max_total_size=1500, max_ratio=1000)
    data = make_zip(("a.txt", b"a" * 100), ("b.txt", b"b" * 100))
    monkeypatch.setattr(
        zipfile.ZipFile, "open", lambda self, info: io.BytesIO(b"x" * 900)
    )
    with pytest.raises(ZipRejectedError) as error:
        read_zip(data, limits)
    assert error.value.reason.code == TOTAL_TOO_LARGE


def test_read_limited_stops_at_limit():
    stream = CountingStream(b"x" * (10 * 1024 * 1024))
    with pytest.raises(SizeLimitExceeded):
        read_limited(stream, 1024 * 1024)
    assert stream.bytes_read == 1024 * 1024 + 1


def test_read_limited_returns_content_within_limit():
    assert read_limited(io.BytesIO(b"abc"), 3) == b"abc"


def test_read_zip_rejects_compression_bomb():
    limits = ZipLimits(
        max_file_size=100 * 1024 * 1024, max_total_size=200 * 1024 * 1024, max_ratio=100
    )
    data = make_zip(("zeros.txt", bytes(50 * 1024 * 1024)))
    assert len(data) < 100 * 1024
    result = single_result(data, limits)
    assert result.reason.code == RATIO_TOO_HIGH
    assert result.reason.params["ratio"] > 100


def test_read_zip_skips_ratio_check_for_small_member():
    limits = ZipLimits(max_file_size=1024 * 1024, max_total_size=10**7, max_ratio=10)
    result = single_result(make_zip(("spaces.txt", b" " * 50_000)), limits)
    assert isinstance(result, ZipMember)


def test_read_zip_rejects_total_over_limit():
    limits = ZipLimits(max_file_size=1000, max_total_size=1500, max_ratio=1000)
    data = make_zip(("a.txt", b"a" * 1000), ("b.txt", b"b" * 1000))
    with pytest.raises(ZipRejectedError) as error:
        read_zip(data, limits)
    assert error.value.reason.code == TOTAL_TOO_LARGE


def test_read_zip_total_ignores_rejected_members():
    limits = ZipLimits(max_file_size=1000, max_total_size=1500, max_ratio=1000)
    data = make_zip(("a.txt", b"a" * 1000), ("big.txt", b"b" * 5000))
    codes = [getattr(result, "reason", None) for result in read_zip(data, limits)]
    assert codes[0] is None
    assert codes[1].code == TOO_LARGE


def test_read_zip_rejects_too_many_members():
    limits = ZipLimits(
        max_file_size=1000, max_total_size=10_000, max_ratio=100, max_members=3
    )
    data = make_zip(*((f"{index}.txt", b"x") for index in range(4)))
    with pytest.raises(ZipRejectedError) as error:
        read_zip(data, limits)
    assert error.value.reason.code == TOO_MANY_MEMBERS
    assert error.value.reason.params == {"count": 4, "max_members": 3}


def test_read_zip_counts_members_before_parsing(monkeypatch):
    limits = ZipLimits(
        max_file_size=1000, max_total_size=10_000, max_ratio=100, max_members=3
    )
    data = make_zip(*((f"{index}.txt", b"x") for index in range(4)))

    def fail_if_parsed(*args, **kwargs):
        raise AssertionError("the central directory was parsed")

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", fail_if_parsed)
    with pytest.raises(ZipRejectedError):
        SafeZip(data, limits)


def test_read_zip_counts_zip64_members(monkeypatch):
    limits = ZipLimits(
        max_file_size=1000, max_total_size=10_000, max_ratio=100, max_members=3
    )
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)
    data = make_zip(*((f"{index}.txt", b"x") for index in range(4)))
    assert b"PK\x06\x06" in data
    with pytest.raises(ZipRejectedError) as error:
        read_zip(data, limits)
    assert error.value.reason.params["count"] == 4


@pytest.mark.parametrize("data", [b"", b"not a zip at all", PDF])
def test_read_zip_rejects_non_zip(data):
    with pytest.raises(ZipRejectedError) as error:
        read_zip(data, LIMITS)
    assert error.value.reason.code == NOT_A_ZIP


# File name convention


def test_parse_file_name_with_free_text():
    name = parse_file_name("BEV-00042_CON_signed-contract.pdf")
    assert name.archive_number == "BEV-00042"
    assert name.type_code == "CON"
    assert name.free_text == "signed-contract"
    assert name.document_date is None
    assert name.extension == "pdf"


def test_parse_file_name_without_free_text():
    name = parse_file_name("OTH-00001_INF.jpg")
    assert name.archive_number == "OTH-00001"
    assert name.type_code == "INF"
    assert name.free_text == ""
    assert name.extension == "jpg"


def test_parse_file_name_type_code_case_insensitive():
    name = parse_file_name("BEV-00042_con_x.PDF")
    assert name.type_code == "CON"
    assert name.extension == "pdf"


def test_parse_file_name_multi_part_archive_number():
    assert parse_file_name("JD-2026-00042_PAY.pdf").archive_number == "JD-2026-00042"


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("BEV-00042_CON_20240315.pdf", date(2024, 3, 15)),
        ("BEV-00042_CON_2024-03-15.pdf", date(2024, 3, 15)),
        ("BEV-00042_CON_signed_20240315_v2.pdf", date(2024, 3, 15)),
        ("BEV-00042_CON_signed_2024-03-15.final.pdf", date(2024, 3, 15)),
        ("BEV-00042_CON_20241345_20240229.pdf", date(2024, 2, 29)),
        ("BEV-00042_CON_20230229.pdf", None),
        ("BEV-00042_CON_2024-0315.pdf", None),
        ("BEV-00042_CON_202403150.pdf", None),
        ("BEV-00042_CON_order20240315.pdf", None),
    ],
)
def test_parse_file_name_document_date(file_name, expected):
    assert parse_file_name(file_name).document_date == expected


@pytest.mark.parametrize(
    "file_name",
    [
        "contract.pdf",
        "BEV-00042.pdf",
        "BEV-00042_CON",
        "BEV-00042_CON_.pdf",
        "bev-00042_CON.pdf",
        "BEV00042_CON.pdf",
        "BEV-00042_C-N.pdf",
        "BEV-00042_CON.tar.gz",
        "_CON_x.pdf",
    ],
)
def test_parse_file_name_rejects_other_names(file_name):
    assert parse_file_name(file_name) is None


# Content checks


def office_zip(*names, mimetype=None):
    """Build an office zip; OpenDocument stores its mimetype first, uncompressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if mimetype:
            archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        for name in names:
            archive.writestr(name, b"<xml/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("extension", "data"),
    [
        ("pdf", PDF),
        ("png", PNG),
        ("jpg", JPEG),
        ("JPEG", JPEG),
        ("gif", b"GIF89a\x01\x00"),
        ("tif", b"II*\x00\x08\x00"),
        ("webp", b"RIFF\x24\x00\x00\x00WEBPVP8 "),
        ("docx", office_zip("[Content_Types].xml", "word/document.xml")),
        ("xlsx", office_zip("[Content_Types].xml", "xl/workbook.xml")),
        ("doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16),
        (
            "odt",
            office_zip(
                "content.xml", mimetype=b"application/vnd.oasis.opendocument.text"
            ),
        ),
        ("txt", "客户来电，约好周五品饮。\n".encode()),
        ("csv", "编号,姓名\nBEV-00042,张三\n".encode("gb18030")),
        ("csv", "a,b\n".encode("utf-16")),
        ("txt", b""),
    ],
)
def test_check_content_accepts_matching_content(extension, data):
    assert check_content(extension, data) is None


@pytest.mark.parametrize(
    ("extension", "data", "type_name"),
    [
        ("pdf", PNG, "PDF"),
        ("png", PDF, "PNG image"),
        ("jpg", PNG, "JPEG image"),
        ("gif", PDF, "GIF image"),
        ("docx", office_zip("[Content_Types].xml", "xl/workbook.xml"), "Word document"),
        ("docx", PDF, "Word document"),
        ("xlsx", b"PK\x03\x04 truncated", "Excel workbook"),
        (
            "odt",
            office_zip(
                "content.xml",
                mimetype=b"application/vnd.oasis.opendocument.spreadsheet",
            ),
            "OpenDocument text",
        ),
        ("odt", office_zip("content.xml"), "OpenDocument text"),
        ("txt", PNG, "text file"),
        ("csv", b"\x7fELF\x02\x01\x01\x00", "text file"),
        # Polyglots: another format's signature first, the expected one later.
        ("pdf", PNG + PDF, "PDF"),
        ("pdf", b"\xef\xbb\xbf" + PDF, "PDF"),
        ("png", b" " + PNG, "PNG image"),
        ("jpg", PDF + JPEG, "JPEG image"),
        (
            "docx",
            b"PK\x03\x04" + PDF + office_zip("[Content_Types].xml", "word/x.xml"),
            "Word document",
        ),
        (
            "odt",
            make_zip(
                ("content.xml", b"<xml/>"),
                ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ),
            "OpenDocument text",
        ),
    ],
)
def test_check_content_rejects_mismatch(extension, data, type_name):
    rejection = check_content(extension, data)
    assert rejection.code == CONTENT_MISMATCH
    assert rejection.message == f"content is not a {type_name}"


def test_check_content_rejects_unsupported_extension():
    rejection = check_content("exe", b"MZ\x90\x00")
    assert rejection.code == UNSUPPORTED_TYPE
    assert rejection.params["extension"] == "exe"


# Filing candidates


def test_iter_filing_candidates_classifies_members():
    data = make_zip(
        ("BEV-00042_CON_signed_20240315.pdf", PDF),
        ("OTH-00001_inf.png", PNG),
        ("holiday photo.jpg", JPEG),
        ("BEV-00042_CON_fake.pdf", PNG),
        ("../BEV-00042_CON.pdf", PDF),
    )
    with SafeZip(data, LIMITS) as archive:
        assert archive.pending_file_names == [
            "BEV-00042_CON_signed_20240315.pdf",
            "OTH-00001_inf.png",
            "holiday photo.jpg",
            "BEV-00042_CON_fake.pdf",
        ]
        results = list(iter_filing_candidates(archive))
    first, second, third, fourth, fifth = results
    assert isinstance(first, FilingCandidate)
    assert first.name.document_date == date(2024, 3, 15)
    assert first.member.data == PDF
    assert isinstance(second, FilingCandidate)
    assert second.name.type_code == "INF"
    assert third.reason.code == BAD_NAME
    assert third.reason.message.startswith("name does not follow")
    assert fourth.reason.code == CONTENT_MISMATCH
    assert fifth.reason.code == PARENT_DIRECTORY
