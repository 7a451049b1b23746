"""``cuntong ledger verify --all``: every programme's chain in one run, each reported, then a summary; a tampered
ledger in one programme makes the run fail with that programme named, while the others are still reported OK."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cuntong.funds import ledger
from cuntong.programme.tests.province import three_programmes

from .test_ledger import set_column


@pytest.fixture
def province(base_data):
    programmes = three_programmes()
    for index, programme in enumerate(programmes):
        for amount in range(index + 2):  # 2, 3 and 4 entries after the plan's budget events
            ledger.append(programme.pk, "budget_set", programme, amount=Decimal(amount + 1))
    return programmes


def _verify_all():
    out, err = StringIO(), StringIO()
    try:
        call_command("ledger", "verify", "--all", "--no-progress", stdout=out, stderr=err)
    except CommandError as failed:
        return out.getvalue(), err.getvalue(), failed
    return out.getvalue(), err.getvalue(), None


def test_every_programme_is_verified_then_summarised(province, monkeypatch):
    calls = []
    verify = ledger.verify
    monkeypatch.setattr(ledger, "verify", lambda pid, **options: calls.append(pid) or verify(pid, **options))
    out, _err, failed = _verify_all()
    assert failed is None and calls == [p.pk for p in province]  # one process, one programme after another
    counts = [programme.ledger_entries.count() for programme in province]
    assert len(set(counts)) == 3  # each chain its own length (the plan's budget events, then 2, 3 and 4 more)
    for programme, entries in zip(province, counts, strict=True):
        section = out[out.index(f"== {programme.code}") :]
        assert section.splitlines()[1] == f"ledger OK: {entries} entries, 0 daily head(s) match"
    summary = out[out.index("== ledger verify: summary") :].splitlines()
    assert [line.split()[:2] for line in summary[1:4]] == [[p.code, "OK"] for p in province]
    assert summary[4] == "ledger verify: all 3 programmes OK"


def test_a_tampered_programme_fails_the_run_and_is_named(province):
    tampered = province[1]
    entry = tampered.ledger_entries.order_by("seq")[1]
    set_column(entry, "amount", Decimal("999.00"))
    out, err, failed = _verify_all()
    assert failed is not None and failed.returncode == 1
    assert str(failed) == f"ledger verify: 1 of 3 programmes not OK: {tampered.code}"
    assert f"示范项目 {tampered.code} 第 2 条（id={entry.pk}）" in err  # the first bad entry, as verify names it
    summary = out[out.index("== ledger verify: summary") :].splitlines()
    assert summary[1].split()[:2] == [province[0].code, "OK"]
    assert summary[2].split()[:2] == [tampered.code, "PROBLEMS"] and "哈希不符" in summary[2]
    assert summary[3].split()[:2] == [province[2].code, "OK"]  # checked after the tampered one


def test_one_programme_and_every_chain_at_once_as_before(province):
    tampered = province[2]
    set_column(tampered.ledger_entries.order_by("seq")[0], "via", "x")
    out = StringIO()
    call_command("ledger", "verify", "--no-progress", "--programme", province[0].code, stdout=out)
    entries = province[0].ledger_entries.count()
    assert out.getvalue().startswith(f"ledger OK: {entries} entries in 1 chain(s)")
    with pytest.raises(CommandError, match="ledger verification FAILED: 1 problem"):
        call_command("ledger", "verify", "--no-progress", stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize("extra", [["--head", "a" * 64], ["--programme", "puning-2019"]])
def test_all_refuses_what_names_one_programme(province, extra):
    with pytest.raises(CommandError, match="--head with --programme|not allowed with argument"):
        call_command("ledger", "verify", "--all", "--no-progress", *extra, stdout=StringIO())
