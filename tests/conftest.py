import pytest

from simulator.catalogue import load_catalogue


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


PLANS = __import__("pathlib").Path(__file__).parent / "data" / "plans"


def labelled_scenario(scenario_id: str):
    """The pinned scenario of a labelled-plan folder (tests/data/plans/<id>/scenario.yaml)."""
    from simulator.lookup import get_scenario

    return get_scenario(str(PLANS / scenario_id / "scenario.yaml"))
