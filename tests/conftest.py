import os

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
def course_store(store_url):
    """Make a store holding one course, ``course_store(code, trainer_code)``, on SQLite and on PostgreSQL."""
    from sipkurs.store import Store

    stores = []

    def make(code: str, trainer_code: str):
        store = Store(store_url)
        store.create_course(code, archetype="sjukskriven", trainer_code=trainer_code)
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()


# --- PostgreSQL: a real server for the whole session, a fresh database per test ----------------------------------
REQUIRE_POSTGRES = "SIPKURS_REQUIRE_POSTGRES"  # "1" in CI: a missing PostgreSQL fails the tests instead of skipping


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throw-away PostgreSQL server (Debian's binaries) for the session; see tests/pgcluster.py.

    Skipped where PostgreSQL is not installed, failed instead when $SIPKURS_REQUIRE_POSTGRES=1 (CI).
    """
    from pgcluster import PostgresCluster, PostgresUnavailable

    try:
        cluster = PostgresCluster()
    except PostgresUnavailable as exc:
        if os.environ.get(REQUIRE_POSTGRES) == "1":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    try:
        yield cluster.start()
    finally:
        cluster.destroy()


@pytest.fixture()
def postgres_url(postgres_cluster):
    """The SQLAlchemy URL of a fresh, empty PostgreSQL database, dropped after the test."""
    url = postgres_cluster.create_database()
    yield url
    postgres_cluster.drop_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    """A store URL, once for each backend: a temporary SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kurs.db'}"
    return request.getfixturevalue("postgres_url")


def pytest_collection_modifyitems(items):
    """Whatever uses the PostgreSQL fixtures directly carries the `postgres` marker, so `-m "not postgres"` works."""
    for item in items:
        if {"postgres_cluster", "postgres_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


# --- several `sipkurs serve` behind HAProxy on one PostgreSQL (docs/drift.md), for browser tests -------------------
@pytest.fixture(scope="module")
def deployment(postgres_cluster, tmp_path_factory):
    """Two instances sharing a fresh PostgreSQL database behind the shipped HAProxy configuration, on loopback.

    Yields a tests/pgdeploy.py ``Deployment``: ``.url`` / ``.app_url(query)`` / ``.trainer_url()`` (the proxy),
    ``.instances`` (each with ``.name``, ``.stop()``, ``.start()``, ``.running``), ``.instance(name)``,
    ``.ensure_running()``, ``.proxy.server_states()``, ``.db_url`` and ``.store`` (a Store on the shared database).
    People in the browser: ``pgdeploy.Participant(deployment_browser, deployment, name)``. A test that stops an
    instance starts it again with ``ensure_running()``; tests begin with it too.
    """
    from pgdeploy import HAPROXY, PROXY_MISSING, Deployment, app_database

    if not HAPROXY.exists():
        if os.environ.get(REQUIRE_POSTGRES) == "1":
            pytest.fail(PROXY_MISSING)
        pytest.skip(PROXY_MISSING)
    # As docs/drift.md sets it up: the shipped SQL script, an unprivileged role that owns its database.
    workdir = tmp_path_factory.mktemp("drift")
    deploy = Deployment(app_database(postgres_cluster, f"sipkurs_{os.getpid()}_{workdir.name}"), workdir)
    try:
        yield deploy.start()
    finally:
        deploy.stop()
        postgres_cluster.drop_database(deploy.db_url, role=True)


@pytest.fixture(scope="module")
def deployment_browser():
    """Headless Chromium that reaches the deployment by its host name (request it before ``deployment``).

    One ``browser.new_context(ignore_https_errors=True)`` per participant: each has its own cookies, so its own
    sticky instance.
    """
    from pgdeploy import CHROMIUM_RESOLVER
    from playwright.sync_api import sync_playwright
    from browserkit import CHROMIUM, CHROMIUM_ARGS, require_browser as _require_browser

    _require_browser()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, CHROMIUM_RESOLVER])
        yield browser
        browser.close()
