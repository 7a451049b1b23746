"""The DOCX sign-in sheet opens in LibreOffice (headless) and converts to PDF, carrying the session's names with
masked ID numbers; the attendance roster workbook opens too, one row per trainee with their person-times."""

import datetime
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import SOFFICE
from cuntong.training import services
from cuntong.web.testing import HONGYANG, login, make_user

from .factories import make_session, make_trainee

pytestmark = pytest.mark.usefixtures("base_data")
DAYS = [datetime.date(2020, 10, 12), datetime.date(2020, 10, 13)]


def _convert(content: bytes, target: str, folder: Path) -> Path:
    source = folder / "sheet.docx"
    source.write_bytes(content)
    done = subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to",
            target,
            "--outdir",
            str(folder),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    produced = folder / f"sheet.{target.split(':')[0]}"
    assert done.returncode == 0 and produced.exists(), f"LibreOffice could not convert: {done.stdout}{done.stderr}"
    return produced


def test_the_signin_sheet_converts_to_pdf_with_names_and_masked_ids(libreoffice, tmp_path):
    session = make_session(HONGYANG, code="DOC1", days=DAYS, title="直播带货培训班")
    trainees = [make_trainee(HONGYANG, n, name=name) for n, name in ((91, "陈秀英"), (92, "林志强"))]
    for trainee in trainees:
        services.record_attendance(services.SYSTEM, session.days.first(), trainee)
    response = login(make_user("office", "office")).get(f"/training/sessions/{session.pk}/signin-sheet.docx")
    assert response.status_code == 200 and response["Content-Type"].endswith("wordprocessingml.document")
    with zipfile.ZipFile(__import__("io").BytesIO(response.content)) as archive:
        xml = archive.read("word/document.xml").decode()
    for trainee in trainees:
        assert trainee.name in xml and str(trainee.id_number) in xml and trainee.id_number.reveal() not in xml
    pdf = _convert(response.content, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = _convert(response.content, "txt:Text", tmp_path).read_text(encoding="utf-8", errors="replace")
    assert "直播带货培训班" in text and "陈秀英" in text and "林志强" in text
    assert str(trainees[0].id_number) in text and trainees[0].id_number.reveal() not in text
    assert shutil.which(SOFFICE) or Path(SOFFICE).exists()


def test_the_attendance_roster_opens_in_libreoffice(libreoffice):
    session = make_session(HONGYANG, code="DOC2", days=DAYS)
    trainee = make_trainee(HONGYANG, 93, name="黄丽华")
    for day in session.days.all():
        services.record_attendance(services.SYSTEM, day, trainee)
    sheets = libreoffice(
        login(make_user("office", "office")).get(f"/training/sessions/{session.pk}/roster.xlsx").content
    )
    (rows,) = sheets.values()
    assert rows[0][-1] == "人次" and rows[1][0] == "黄丽华" and rows[1][-1] == "2"
    assert rows[1][1] == str(trainee.id_number) and trainee.id_number.reveal() not in " ".join(rows[1])
