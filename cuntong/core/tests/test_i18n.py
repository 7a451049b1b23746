"""Every app's English catalogue is complete, compiled, and covers every Chinese source string."""

import contextlib
import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

APPS_DIR = Path(settings.BASE_DIR) / "cuntong"
CATALOGUES = sorted(APPS_DIR.glob("*/locale/en/LC_MESSAGES/django.po"))


def _app(po: Path) -> str:
    return po.relative_to(APPS_DIR).parts[0]


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 4


@pytest.mark.parametrize("po", CATALOGUES, ids=_app)
def test_catalogue_is_complete_and_compiled(po):
    catalogue = polib.pofile(str(po))
    missing = [e.msgid for e in catalogue if not e.translated() and not e.obsolete]
    assert not missing, f"{_app(po)}: untranslated or fuzzy: {missing[:10]}"
    compiled = polib.mofile(str(po.with_suffix(".mo")))
    assert _pairs(compiled) == _pairs(e for e in catalogue if e.translated() and not e.obsolete), (
        f"{_app(po)}: run `make messages`"
    )


def _pairs(entries) -> set:
    return {
        (e.msgid, tuple(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr) for e in entries if e.msgid
    }


@pytest.mark.skipif(
    not shutil.which("xgettext") and os.environ.get("CI") != "true", reason="needs GNU gettext (xgettext)"
)
@pytest.mark.parametrize("po", CATALOGUES, ids=_app)
def test_catalogue_covers_the_source(po, tmp_path):
    app_dir = po.parents[3]
    work = tmp_path / app_dir.name
    shutil.copytree(app_dir, work, ignore=shutil.ignore_patterns("locale", "tests", "__pycache__"))
    (work / "locale").mkdir()
    with contextlib.chdir(work):  # makemessages extracts what lies under the working directory
        call_command("makemessages", locale=["en"], no_location=True, verbosity=0)
    extracted = {e.msgid for e in polib.pofile(str(work / "locale/en/LC_MESSAGES/django.po")) if e.msgid}
    assert extracted, f"{app_dir.name}: nothing extracted: the check would pass on anything"
    known = {e.msgid for e in polib.pofile(str(po)) if not e.obsolete}
    assert not extracted - known, (
        f"{app_dir.name}: strings missing from its catalogue (run `make messages`): {sorted(extracted - known)[:10]}"
    )
