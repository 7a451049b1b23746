"""Meta-test: every scoped model is covered by a ScopedModelTests subclass somewhere in the suite.

It imports every ``cuntong/*/tests/**/test_*.py`` module (so modules added by any app are found, whichever tests
were selected to run), collects the ``model`` of every concrete ``ScopedModelTests`` subclass, and compares them with
the scoped models: ``core.models.business_models()`` plus any model declaring a ``scope``. A model may be exempt only
when it has no page and no API endpoint at all; each exemption says why.
"""

import importlib
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings

from cuntong.core.models import business_models
from cuntong.web.testing import ScopedModelTests

APPS_DIR = Path(settings.BASE_DIR) / "cuntong"

# label → why the model has no page or endpoint of its own to test.
EXEMPT = {
    "jobs.Job": "background jobs are reached only by their creator (jobs.views.visible_jobs): no scoped list, export "
    "or API; their results are covered by the tests of what they run",
    "funds.ContractMilestone": "milestones have no page or endpoint of their own: they appear inside their contract's "
    "page and API, whose scope TestContractScope checks",
}


def _test_modules() -> list[str]:
    paths = sorted(APPS_DIR.glob("*/tests/**/test_*.py"))
    return [".".join(path.relative_to(APPS_DIR.parent).with_suffix("").parts) for path in paths]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _covered() -> set[str]:
    for name in _test_modules():
        importlib.import_module(name)
    return {sub.model._meta.label for sub in _subclasses(ScopedModelTests) if sub.model is not None}


def _scoped() -> set[str]:
    return {model._meta.label for model in business_models()}


def test_test_modules_are_found():
    names = _test_modules()
    assert "cuntong.web.tests.test_scope_coverage" in names
    assert any(name.startswith("cuntong.people.tests.") for name in names)


def test_every_scoped_model_is_scope_tested():
    missing = _scoped() - _covered() - set(EXEMPT)
    assert not missing, (
        "scoped models without a ScopedModelTests subclass (add one beside the model's tests, e.g. "
        f"`class TestXScope(ScopedModelTests)`): {sorted(missing)}"
    )


def test_exemptions_are_still_needed():
    """An exemption for a model that no longer exists, or that is now covered, is removed."""
    scoped, covered = _scoped(), _covered()
    assert set(EXEMPT) <= scoped, f"exempt but not a scoped model: {sorted(set(EXEMPT) - scoped)}"
    assert not set(EXEMPT) & covered, f"exempt yet covered: {sorted(set(EXEMPT) & covered)}"


def test_the_meta_test_catches_an_uncovered_model(monkeypatch):
    """Proof the check bites: a scoped model with no test is reported."""
    uncovered = SimpleNamespace(_meta=SimpleNamespace(label="core.Uncovered"))
    real = business_models()
    monkeypatch.setattr(f"{__name__}.business_models", lambda: [*real, uncovered])
    assert "core.Uncovered" in _scoped() - _covered() - set(EXEMPT)
