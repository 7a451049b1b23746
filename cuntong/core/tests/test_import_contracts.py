"""The import contracts of `.importlinter` (what `make lint` checks) hold on the code, and each one breaks when the
import it forbids appears: the real import graph is built once, and every case adds one import to a copy of it."""

import copy
from pathlib import Path

import grimp
import pytest
from django.conf import settings
from django.utils.module_loading import import_string
from importlinter.api import read_configuration
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.independence import IndependenceContract
from importlinter.contracts.layers import LayersContract

CONFIGURATION = read_configuration(str(Path(settings.BASE_DIR) / ".importlinter"))
CONTRACT_IDS = [options["id"] for options in CONFIGURATION["contracts_options"]]
BUILT_IN_TYPES = {
    "forbidden": ForbiddenContract,
    "layers": LayersContract,
    "independence": IndependenceContract,
    "acyclic_siblings": AcyclicSiblingsContract,
}


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("cuntong", include_external_packages=True, cache_dir=None)


def contract(contract_id: str):
    session = CONFIGURATION["session_options"]
    types = dict(BUILT_IN_TYPES)
    for entry in session.get("contract_types", []):
        name, path = entry.split(": ")
        types[name] = import_string(path)
    options = next(o for o in CONFIGURATION["contracts_options"] if o["id"] == contract_id)
    return types[options["type"]](name=options["name"], session_options=session, contract_options=options)


def kept(graph, contract_id: str, added: tuple[str, str, str] | None = None) -> bool:
    """Whether the contract holds on the graph, with ``added`` = (importer, imported, line) imported as well."""
    graph = copy.deepcopy(graph)  # a check removes the imports its contract ignores
    if added:
        importer, imported, line = added
        graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=line)
    return contract(contract_id).check(graph, verbose=False).kept


def test_the_configuration_has_every_contract():
    assert set(CONTRACT_IDS) == {"layers", "kernel", "independent-domains", "training-leaf", "acyclic", "pure-rules"}


@pytest.mark.parametrize("contract_id", CONTRACT_IDS)
def test_the_code_keeps_the_contract(graph, contract_id):
    assert kept(graph, contract_id)


@pytest.mark.parametrize(
    ("contract_id", "added"),
    [
        pytest.param(
            "kernel",
            ("cuntong.core.money", "cuntong.stations.models", "from cuntong.stations.models import Station"),
            id="the kernel imports an app",
        ),
        pytest.param(
            "kernel",
            ("cuntong.core.scoping", "cuntong.web.views", "from cuntong.web.views import ObjectListView"),
            id="the kernel imports the web layer",
        ),
        pytest.param(
            "layers",
            ("cuntong.geo.models", "cuntong.stations.models", "from cuntong.stations.models import Station"),
            id="an app imports one above it (a cycle: stations already import geo)",
        ),
        pytest.param(
            "layers",
            ("cuntong.audit.changelog", "cuntong.programme.models", "from cuntong.programme.models import Programme"),
            id="audit imports programme again",
        ),
        pytest.param(
            "independent-domains",
            ("cuntong.funds.services", "cuntong.stations.models", "from cuntong.stations.models import Station"),
            id="funds know stations",
        ),
        pytest.param(
            "independent-domains",
            ("cuntong.people.services", "cuntong.funds.models", "from cuntong.funds.models import Contract"),
            id="people know funds",
        ),
        pytest.param(
            "training-leaf",
            ("cuntong.stations.views", "cuntong.training.models", "from cuntong.training.models import Session"),
            id="stations know training",
        ),
        pytest.param(
            "acyclic",
            ("cuntong.core.scoping", "cuntong.core.models", "from .models import BusinessModel"),
            id="a cycle inside an app",
        ),
        pytest.param(
            "pure-rules",
            ("cuntong.geo.rules", "django", "from django.db import models"),
            id="rules import django.db",
        ),
        pytest.param(
            "pure-rules",
            ("cuntong.people.rules", "django", "import django.db.models"),
            id="rules import a part of django.db",
        ),
        pytest.param(
            "pure-rules",
            ("cuntong.stations.rules", "cuntong.stations.models", "from .models import Station"),
            id="rules import their models",
        ),
        pytest.param(
            "pure-rules",
            ("cuntong.stations.spatial", "cuntong.funds.services", "from cuntong.funds import services"),
            id="rules reach another app's services indirectly",
        ),
    ],
)
def test_the_contract_breaks_on_the_import_it_forbids(graph, contract_id, added):
    assert not kept(graph, contract_id, added)


def test_rules_may_use_the_rest_of_django(graph):
    assert kept(graph, "pure-rules", ("cuntong.geo.rules", "django", "from django.utils.translation import gettext"))
