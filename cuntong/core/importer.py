"""The XLSX/CSV import framework every module uses.

An :class:`Importer` names its columns (Chinese and English headers both accepted), parses and validates each row as
the file streams past, and collects every bad row with its row number and reason. Nothing is written unless the whole
file is valid — or the user explicitly asks to import only the valid rows. Writing happens in one transaction.

Subclasses implement ``clean_row`` (row-level rules, may consult earlier rows through ``self``) and ``write``.

Large files are checked and written in sets: an importer reads the records it checks against in one query per kind
(not per row), may check the whole file once it has been read (``check_file``: rows repeating one another or records
already stored, found by :class:`RepeatFinder` without holding every key in memory), keeps its cleaned rows on disk
(``spooled``: :class:`Spool`) rather than in a list, and writes through a service that inserts in batches. On
PostgreSQL the tables an import filled are analysed after it commits (``filled_tables``), so the planner's statistics
know about the new rows at once.

Input is bounded before it is parsed: an XLSX whose members decompress past ``IMPORT_MAX_UNPACKED_BYTES`` or whose
sheet declares more than ``IMPORT_MAX_ROWS`` rows is refused unread, and rows stream from the file one at a time.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import logging
import pickle
import struct
import tempfile
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils.translation import gettext as _

from cuntong.core.actors import require_actor

Progress = Callable[[int, int | None], None]

logger = logging.getLogger(__name__)

# Bounds on what an import reads (bytes and rows); a deployment may override any of them in its settings.
# A county's largest real file (every resident of a township) is far below them.
LIMITS = {
    "IMPORT_MAX_UPLOAD_BYTES": 20 * 1024 * 1024,
    "IMPORT_MAX_UNPACKED_BYTES": 200 * 1024 * 1024,
    "IMPORT_MAX_ROWS": 200_000,
}


def limit(name: str) -> int:
    return getattr(settings, name, LIMITS[name])


class RowInvalid(Exception):
    """Raised by parsers and ``clean_row``: the message names what is wrong, ``column`` where."""

    def __init__(self, message: str, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]
    required: bool = False
    parse: Callable[[str], Any] = str

    @property
    def label(self) -> str:
        return self.headers[0]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = _("第%(row)d行") % {"row": self.row}
        return f"{where}" + (f"（{self.column}）" if self.column else "") + f"：{self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    valid_rows: int = 0
    written: int = 0
    committed: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "valid_rows": self.valid_rows,
            "written": self.written,
            "committed": self.committed,
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors],
        }


# --- cell parsers: each returns a value or raises RowInvalid with a message a clerk understands ----------------


def text(value: str) -> str:
    return value.strip()


def integer(value: str) -> int | None:
    if value == "":
        return None
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation as exc:
        raise RowInvalid(_("“%(v)s”不是整数") % {"v": value}) from exc
    if number != number.to_integral_value():
        raise RowInvalid(_("“%(v)s”不是整数") % {"v": value})
    return int(number)


def non_negative_integer(value: str) -> int | None:
    number = integer(value)
    if number is not None and number < 0:
        raise RowInvalid(_("不能为负数：%(v)s") % {"v": value})
    return number


def decimal(value: str) -> Decimal | None:
    if value == "":
        return None
    try:
        return Decimal(value.replace(",", "").replace("¥", ""))
    except InvalidOperation as exc:
        raise RowInvalid(_("“%(v)s”不是数字") % {"v": value}) from exc


def non_negative_decimal(value: str) -> Decimal | None:
    number = decimal(value)
    if number is not None and number < 0:
        raise RowInvalid(_("不能为负数：%(v)s") % {"v": value})
    return number


_TRUE = {"1", "是", "y", "yes", "true", "t", "√", "✓"}
_FALSE = {"", "0", "否", "n", "no", "false", "f", "×"}


def boolean(value: str) -> bool:
    key = value.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise RowInvalid(_("“%(v)s”应为 是/否") % {"v": value})


def day(value: str) -> date | None:
    if value == "":
        return None
    candidate = value.split(" ")[0].replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y年%m月%d日", "%Y%m%d"):
        try:
            return datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
    raise RowInvalid(_("“%(v)s”不是日期（应为 2020-05-18 或 2020年5月18日）") % {"v": value})


def month(value: str) -> date | None:
    """A reporting month: 2020-05, 2020年5月 or any date in it; returned as the month's first day."""
    if value == "":
        return None
    candidate = value.split(" ")[0].replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m", "%Y年%m月", "%Y%m", "%Y-%m-%d"):
        try:
            return datetime.strptime(candidate, fmt).date().replace(day=1)
        except ValueError:
            continue
    raise RowInvalid(_("“%(v)s”不是月份（应为 2020-05）") % {"v": value})


def choice(options: dict[str, str]) -> Callable[[str], str]:
    """Accept a stored value or its label (either language); ``options`` maps value → label."""
    lookup = {str(k).lower(): k for k in options} | {str(v).lower(): k for k, v in options.items()}

    def parse(value: str) -> str:
        key = value.strip().lower()
        if key in lookup:
            return lookup[key]
        raise RowInvalid(
            _("“%(v)s”不在可选值中：%(opts)s") % {"v": value, "opts": "、".join(map(str, options.values()))}
        )

    return parse


# --- reading files -----------------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def _unpacked_size(stream: BinaryIO) -> int:
    """What an XLSX decompresses to, from its zip directory (``zipfile`` never inflates a member past its size)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            return sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise RowInvalid(_("无法读取 Excel 文件：文件已损坏，或不是 .xlsx 格式")) from exc
    finally:
        stream.seek(0)


def _xlsx_rows(stream: BinaryIO) -> tuple[Iterator[list[str]], int | None]:
    unpacked = _unpacked_size(stream)
    if unpacked > limit("IMPORT_MAX_UNPACKED_BYTES"):
        raise RowInvalid(
            _("Excel 文件解压后有 %(size)s，超过了 %(limit)s 的上限：请分成几个文件导入")
            % {"size": megabytes(unpacked), "limit": megabytes(limit("IMPORT_MAX_UNPACKED_BYTES"))}
        )
    from openpyxl import load_workbook

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        declared = sheet.max_row  # from the sheet's <dimension>, read without parsing its rows
    except Exception as exc:  # openpyxl raises many types for a broken file; the user needs no more than this
        logger.info("unreadable XLSX upload", exc_info=True)
        raise RowInvalid(_("无法读取 Excel 文件：文件已损坏，或不是 .xlsx 格式")) from exc
    total = declared if declared and declared > 1 else None
    return _sheet_rows(book, sheet), total


def _sheet_rows(book, sheet) -> Iterator[list[str]]:
    """The sheet's rows as cell texts, as ``sheet.iter_rows(values_only=True)`` gives them, with each row's XML
    dropped once read: openpyxl's read-only parser clears a row's cells but leaves the emptied row in the tree, about
    90 bytes a row for as long as the sheet is read (9 MB for 100,000 rows). Its row parser is used as it is (cell
    types, shared strings, dates by number format); rows missing from the file come as empty rows, so row numbers
    hold."""
    from openpyxl.worksheet import _reader

    class RowsOnly(_reader.WorkSheetParser):
        def parse(self):
            rows = None
            for event, element in _reader.iterparse(self.source, events=("start", "end")):
                if event == "start":
                    if element.tag == _reader.DATA_TAG:
                        rows = element
                elif element.tag == _reader.ROW_TAG:
                    row = self.parse_row(element)
                    if rows is not None:
                        rows.clear()  # the row just read is its only child
                    yield row

    with sheet._get_source() as source:
        parser = RowsOnly(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        last, limit_row = 0, sheet.max_row
        for number, cells in parser.parse():
            if limit_row is not None and number > limit_row:
                break
            for _missing in range(last + 1, number):
                yield []
            last = number
            texts = [""] * (cells[-1]["column"] if cells else 0)
            for cell in cells:
                texts[cell["column"] - 1] = _cell_text(cell["value"])
            yield texts


def _csv_encoding(stream: BinaryIO) -> tuple[str, int]:
    """The CSV's encoding (UTF-8, else GBK/GB18030) and its line count, read in chunks; the stream is rewound."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 0
        stream.seek(0)
        try:
            while chunk := stream.read(1 << 16):
                decoder.decode(chunk)
                lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        stream.seek(0)
        return encoding, lines
    raise RowInvalid(_("无法识别文件编码：请保存为 UTF-8 或 GBK 编码的 CSV"))


def _csv_rows(stream: BinaryIO) -> tuple[Iterator[list[str]], int | None]:
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    if size > limit("IMPORT_MAX_UNPACKED_BYTES"):
        raise RowInvalid(
            _("CSV 文件有 %(size)s，超过了 %(limit)s 的上限：请分成几个文件导入")
            % {"size": megabytes(size), "limit": megabytes(limit("IMPORT_MAX_UNPACKED_BYTES"))}
        )
    encoding, lines = _csv_encoding(stream)
    return _csv_records(stream, encoding), lines or None


def _csv_records(stream: BinaryIO, encoding: str) -> Iterator[list[str]]:
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        for row in csv.reader(text):
            yield list(map(str.strip, row))
    finally:
        text.detach()  # the caller's stream stays open


def read_rows(stream: BinaryIO, filename: str) -> tuple[Iterator[list[str]], int | None]:
    """Rows of cell texts (header first), streamed, and the row count the file declares."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(stream)
    if suffix in (".csv", ".txt"):
        return _csv_rows(stream)
    raise RowInvalid(_("不支持的文件类型“%(s)s”：请上传 .xlsx 或 .csv") % {"s": suffix or filename})


class Spool:
    """Cleaned rows kept on disk rather than in memory: ``append`` pickles them in chunks to a temporary file, and
    iterating reads them back in order (as often as needed). Memory holds one chunk, whatever the file's size."""

    chunk = 1000

    def __init__(self):
        self._file = None
        self._pending: list = []
        self._count = 0

    def append(self, item) -> None:
        self._pending.append(item)
        self._count += 1
        if len(self._pending) >= self.chunk:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            if self._file is None:
                self._file = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by close(), after the import
            self._file.seek(0, io.SEEK_END)
            pickle.dump(self._pending, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._pending = []

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator:
        self._flush()
        if self._file is None:
            return
        self._file.seek(0)
        while True:
            try:
                chunk = pickle.load(self._file)
            except EOFError:
                return
            position = self._file.tell()
            yield from chunk
            self._file.seek(position)  # another iteration may have moved the file meanwhile

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def digest64(text: str) -> int:
    """A 64-bit key for :class:`RepeatFinder` from any text (two different texts share one with chance 2⁻⁶⁴)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class Repeat:
    """A file row whose key is already taken: by an earlier row (``first_row``) or by a stored record (``stored``)."""

    row: int
    first_row: int | None = None
    stored: int | None = None


class RepeatFinder:
    """Which rows repeat a key — of an earlier row of the file, or of a record already stored — with memory that
    does not grow with the file: each key (an integer below 2⁶⁴) is written with its row number to one of
    ``buckets`` temporary files by its value, and each bucket is checked on its own once the file has been read.

    ``stored(key, ref)`` names a record the key already belongs to (``ref``: its id), ``add(key, row)`` a file row's
    key; ``repeats()`` yields a :class:`Repeat` for every file row whose key was stored or came earlier (a row repeating
    a stored key and an earlier row is reported as repeating the row)."""

    _entry = struct.Struct("<QqB")
    _FILE, _STORED = 0, 1

    def __init__(self, buckets: int = 32):
        self._count = buckets
        self._buckets: list = []  # opened when the first key comes
        self.rows = 0

    def _put(self, key: int, ref: int, kind: int) -> None:
        if not self._buckets:
            self._buckets = [tempfile.TemporaryFile(buffering=1 << 16) for _ in range(self._count)]  # noqa: SIM115
        self._buckets[key % self._count].write(self._entry.pack(key, ref, kind))

    def stored(self, key: int, ref: int) -> None:
        self._put(key, ref, self._STORED)

    def add(self, key: int, row: int) -> None:
        self._put(key, row, self._FILE)
        self.rows += 1

    def repeats(self) -> Iterator[Repeat]:
        """Bucket by bucket (rows of a bucket in file order); the caller sorts what it reports."""
        for bucket in self._buckets:
            bucket.seek(0)
            data = bucket.read()
            stored: dict[int, int] = {}
            seen: dict[int, int] = {}
            for key, ref, kind in self._entry.iter_unpack(data):
                if kind == self._STORED:
                    stored[key] = ref
            for key, ref, kind in self._entry.iter_unpack(data):
                if kind != self._FILE:
                    continue
                if key in seen:
                    yield Repeat(ref, first_row=seen[key])
                    continue
                seen[key] = ref
                if key in stored:
                    yield Repeat(ref, stored=stored[key])
            del data, stored, seen

    def close(self) -> None:
        for bucket in self._buckets:
            bucket.close()
        self._buckets = []


def analyze(model_tables: Iterable[tuple[type, str]]) -> None:
    """Refresh PostgreSQL's planner statistics for tables an import filled (elsewhere: nothing to do)."""
    for model, table in model_tables:
        connection = connections[router.db_for_write(model)]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _too_many_rows(rows: int) -> str:
    return _("文件有 %(rows)s 行，超过了 %(limit)s 行的上限：请分成几个文件导入") % {
        "rows": f"{rows:,}",
        "limit": f"{limit('IMPORT_MAX_ROWS'):,}",
    }


class Importer(ABC):
    """Subclass with ``columns``, ``clean_row`` and ``write``; call ``run``."""

    # The import page hands the class to its template, which must read it, not instantiate it.
    do_not_call_in_templates = True
    columns: tuple[Column, ...] = ()
    # Headers a file may carry that are knowingly not read (e.g. names the module's export writes beside codes);
    # any other unknown header is an error, so no column is silently dropped.
    ignored_headers: tuple[str, ...] = ()
    title = ""  # what users call the data, shown on the import page
    model = None  # the model written; its "add" permission guards the import page
    # Errors are collected across the whole file; past this many we stop listing (the file is clearly wrong).
    max_errors = 1000
    # Keep the cleaned rows on disk (:class:`Spool`) rather than in a list: for importers of large files, whose
    # cleaned rows are compact (tuples, not model instances).
    spooled = False
    unchecked = False  # set when ``check_file`` found more bad rows than ``max_errors``

    def __init__(self, *, user=None, programme=None):
        require_actor(user)  # the person importing, or SYSTEM for a command: never nobody
        self.user = user
        self.programme = programme

    # -- hooks ------------------------------------------------------------------------------------------------
    def clean_row(self, values: dict[str, Any], row_number: int) -> Any:
        """Cross-field and database rules for one row; return what ``write`` needs or raise RowInvalid."""
        return values

    def check_file(self, cleaned: Iterable[Any], report: ImportReport) -> Iterable[Any]:
        """Checks of the whole file once every row is clean (rows repeating one another, records already stored —
        looked up in sets): add each failing row's error to ``report`` (see :meth:`refuse`) and return the rows to
        write (by default all of them)."""
        return cleaned

    def refuse(self, report: ImportReport, errors: Iterable[RowError]) -> set[int]:
        """Add errors found by ``check_file`` (rows that were valid until then); the row numbers refused."""
        refused = set()
        for error in errors:
            if len(report.errors) >= self.max_errors:
                # Rows past the limit are unchecked: none is written, even when only the valid rows were asked for.
                self.unchecked = True
                report.errors.append(RowError(error.row, None, _("错误过多，已停止检查其余行")))
                break
            report.errors.append(error)
            if error.row not in refused:
                refused.add(error.row)
                report.valid_rows -= 1
        return refused

    @abstractmethod
    def write(self, cleaned: Iterable[Any]) -> int:
        """Write every cleaned row (inside the import's transaction); return how many records were written."""

    def filled_tables(self) -> list[tuple[type, str]]:
        """(model, table) of every table the import fills, analysed after it commits on PostgreSQL."""
        return [(self.model, self.model._meta.db_table)] if self.model is not None else []

    # -- machinery --------------------------------------------------------------------------------------------
    def _header_map(self, header: list[str]) -> dict[str, int]:
        known = {name.lower(): column for column in self.columns for name in column.headers}
        ignored = {name.lower() for name in self.ignored_headers}
        positions: dict[str, int] = {}
        for index, cell in enumerate(header):
            name = cell.strip().lower()
            if not name or name in ignored:
                continue
            column = known.get(name)
            if column is None:
                raise RowInvalid(self._unknown_header(cell.strip()))
            if column.key in positions:
                raise RowInvalid(
                    _("“%(header)s”与第 %(n)d 列重复（都是“%(label)s”）")
                    % {"header": cell.strip(), "n": positions[column.key] + 1, "label": column.label}
                )
            positions[column.key] = index
        missing = [c.label for c in self.columns if c.required and c.key not in positions]
        if missing:
            raise RowInvalid(_("缺少必填列：%(cols)s") % {"cols": "、".join(missing)})
        return positions

    def _unknown_header(self, header: str) -> str:
        names = [name for column in self.columns for name in column.headers]
        expected = "、".join(column.label for column in self.columns)
        nearest = difflib.get_close_matches(header, names, n=1, cutoff=0.5)
        if nearest:
            return _("无法识别的列“%(header)s”，是否应为“%(nearest)s”？可用的列：%(expected)s") % {
                "header": header,
                "nearest": nearest[0],
                "expected": expected,
            }
        return _("无法识别的列“%(header)s”。可用的列：%(expected)s") % {"header": header, "expected": expected}

    def _parse(self, cells: list[str], positions: dict[str, int], row_number: int) -> tuple[dict, list[RowError]]:
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        for column in self.columns:
            raw = cells[positions[column.key]] if column.key in positions and positions[column.key] < len(cells) else ""
            if raw == "" and column.required:
                errors.append(RowError(row_number, column.label, _("必填")))
                continue
            try:
                values[column.key] = column.parse(raw)
            except RowInvalid as exc:
                errors.append(RowError(row_number, exc.column or column.label, exc.message))
            except ValidationError as exc:
                errors.append(RowError(row_number, column.label, "；".join(exc.messages)))
        return values, errors

    def iter_clean(self, rows: Iterable[list[str]], report: ImportReport, progress: Progress | None, total: int | None):
        rows = iter(rows)
        try:
            header = next(rows)
        except StopIteration:
            report.errors.append(RowError(1, None, _("文件为空")))
            return
        try:
            positions = self._header_map(header)
        except RowInvalid as exc:
            report.errors.append(RowError(1, None, exc.message))
            return
        for row_number, cells in enumerate(rows, start=2):
            if row_number > limit("IMPORT_MAX_ROWS") + 1:
                report.errors.append(RowError(row_number, None, _too_many_rows(row_number - 1)))
                return
            if not any(cells):
                continue
            report.rows += 1
            values, errors = self._parse(cells, positions, row_number)
            if not errors:
                try:
                    yield self.clean_row(values, row_number)
                    report.valid_rows += 1
                except RowInvalid as exc:
                    errors.append(RowError(row_number, exc.column, exc.message))
                except ValidationError as exc:
                    errors.append(RowError(row_number, None, "；".join(exc.messages)))
            report.errors.extend(errors)
            if progress and row_number % 200 == 0:
                progress(row_number, total)
            if len(report.errors) >= self.max_errors:
                report.errors.append(RowError(row_number, None, _("错误过多，已停止检查其余行")))
                return

    def run(
        self,
        stream: BinaryIO,
        filename: str,
        *,
        commit: bool = True,
        valid_only: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        report = ImportReport()
        try:
            rows, total = read_rows(stream, filename)
            if total and total > limit("IMPORT_MAX_ROWS") + 1:
                raise RowInvalid(_too_many_rows(total - 1))
        except RowInvalid as exc:
            report.errors.append(RowError(0, None, exc.message))
            return report
        cleaned = Spool() if self.spooled else []
        checked = cleaned
        try:
            for item in self.iter_clean(rows, report, progress, total):
                cleaned.append(item)
            if cleaned and len(report.errors) < self.max_errors:
                checked = self.check_file(cleaned, report)
                report.errors.sort(key=lambda error: error.row)
            if progress:
                progress(total or report.rows + 1, total or report.rows + 1)
            if not commit or not cleaned or (report.errors and not valid_only) or self.unchecked:
                return report
            with transaction.atomic():
                report.written = self.write(checked)
            report.committed = True
        finally:
            for spool in {id(cleaned): cleaned, id(checked): checked}.values():
                if isinstance(spool, Spool):
                    spool.close()
        if report.written:
            analyze(self.filled_tables())
        return report

    @classmethod
    def template_headers(cls) -> list[str]:
        """Header row of a blank template users can download."""
        return [c.label for c in cls.columns]


IMPORTERS: dict[str, type[Importer]] = {}


def register_importer(name: str):
    """Make an importer reachable as ``cuntong import NAME FILE`` and from the generic import page."""

    def decorate(cls: type[Importer]) -> type[Importer]:
        IMPORTERS[name] = cls
        cls.name = name
        return cls

    return decorate
