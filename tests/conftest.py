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


@pytest.fixture()
def course_store(tmp_path):
    """Make a store in a temporary SQLite file holding one course: ``course_store(code, trainer_code)``."""
    from sipkurs.store import Store

    stores = []

    def make(code: str, trainer_code: str):
        store = Store(f"sqlite:///{tmp_path / 'kurs.db'}")
        store.create_course(code, archetype="sjukskriven", trainer_code=trainer_code)
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()
