"""docs/drift.md for real: two `sipkurs serve` on one PostgreSQL behind HAProxy (deploy/haproxy/haproxy.cfg), TLS.

Participants routed to different instances each get a working page and their drafts land in the one database; when
an instance is stopped, its participant comes back through the proxy on the other one and finds everything saved.
"""

from __future__ import annotations

import gzip
import time

import pytest
from browserkit import COURSE, TRAINER_CODE
from pgdeploy import Participant, saved_draft

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.postgres]


def test_proxy_serves_only_the_app_over_tls_within_limits(deployment):
    status, headers, _ = deployment.request("/voila/static/voila.js", tls=False)
    assert status == 301 and headers["location"].startswith("https://")
    status, headers, _ = deployment.request("/")
    assert status == 302 and headers["location"] == "/voila/render/sip_utkast.ipynb"
    for path in ("/tree", "/lab", "/api/kernels", "/api/contents", "/voila/../api/status"):
        assert deployment.request(path)[0] == 404, path
    status, headers, plain = deployment.request("/voila/static/voila.js")
    assert status == 200 and "max-age" in headers["strict-transport-security"]
    status, headers, packed = deployment.request("/voila/static/voila.js", headers={"Accept-Encoding": "gzip"})
    assert headers["content-encoding"] == "gzip" and gzip.decompress(packed) == plain and len(packed) < len(plain) / 2
    assert "set-cookie" not in headers or "SIPKURS_SERVER=" in headers["set-cookie"]
    assert deployment.request("/voila/render/x.ipynb", method="POST", headers={"Content-Length": "70000"})[0] == 413
    # At most 60 page views a minute from one address (a page view starts a kernel). A notebook that does not exist
    # counts too but starts nothing; the table is cleared afterwards so the browser test is not limited.
    try:
        statuses = [deployment.request("/voila/render/finns-inte.ipynb")[0] for _ in range(61)]
        assert statuses[:60] == [404] * 60 and statuses[60] == 429
    finally:
        deployment.proxy.admin("clear table sipkurs")
    assert set(deployment.proxy.server_states().values()) == {"UP"}


def test_participants_on_two_instances_share_one_database_and_survive_a_stopped_instance(
    deployment_browser, deployment
):
    deployment.ensure_running()
    anna = Participant(deployment_browser, deployment, "Anna Andersson")
    bo = Participant(deployment_browser, deployment, "Bo Berg")
    try:
        anna.join()
        anna.write("Nuvarande situation", "Anna skrev detta före stoppet.")
        bo.join()
        bo.write("Nuvarande situation", "Bo skrev detta.")
        # leastconn sends the second participant to the instance without one; the cookie keeps each where it is.
        assert {anna.instance, bo.instance} == {i.name for i in deployment.instances}
        assert "Bo skrev detta." not in saved_draft(deployment, anna.secret)  # one database, separate drafts

        # Anna's instance stops (an update, a crash): she reopens her link and lands on Bo's instance.
        stopped = anna.instance
        deployment.instance(stopped).stop()
        anna.come_back()
        assert anna.instance == bo.instance != stopped
        assert anna.page.get_by_label("Nuvarande situation").input_value() == "Anna skrev detta före stoppet."
        anna.write("Nuvarande situation", "Anna skrev vidare efter stoppet.")

        # Bo never noticed: same instance, same page, still saving.
        bo.write("Nuvarande situation", "Bo skrev vidare.")
        deployment.proxy.wait_states({stopped: "DOWN"})
    finally:
        anna.close()
        bo.close()
        deployment.ensure_running()


def test_a_group_on_two_instances_edits_one_plan_live_and_loses_nothing(deployment_browser, deployment):
    """Two members of one group, each routed to their own instance: one plan, edited live across servers."""
    from sipkurs.roleplay import form_group

    deployment.ensure_running()
    group = form_group(deployment.store, COURSE, TRAINER_CODE, name="Grupp över två servrar")
    anna = Participant(deployment_browser, deployment, "Anna Andersson")
    bo = Participant(deployment_browser, deployment, "Bo Berg")
    try:
        anna.claim(group.seats[0].code)
        bo.claim(group.seats[1].code)
        assert {anna.instance, bo.instance} == {i.name for i in deployment.instances}
        anna.page.get_by_label("Mötesledare").fill("Anna leder mötet")
        bo.sees("Mötesledare", "Anna leder mötet", timeout=2)
        bo.page.get_by_label("Personens önskemål").fill("Bo skrev önskemålen")
        anna.sees("Personens önskemål", "Bo skrev önskemålen", timeout=2)

        stopped = anna.instance
        deployment.instance(stopped).stop()
        anna.page.goto(deployment.app_url(f"&kod={anna.secret}"))  # her link again: the proxy picks Bo's instance
        anna.page.get_by_text("Gruppens plan är hämtad.").wait_for()
        assert anna.instance == bo.instance != stopped
        assert anna.page.get_by_label("Mötesledare").input_value() == "Anna leder mötet"
        assert anna.page.get_by_label("Personens önskemål").input_value() == "Bo skrev önskemålen"
        anna.page.get_by_label("Mötesledare").fill("Anna leder, från den andra servern")
        bo.sees("Mötesledare", "Anna leder, från den andra servern", timeout=2)
    finally:
        anna.close()
        bo.close()
        deployment.ensure_running()


def test_a_participant_is_told_when_their_instance_stops_and_loses_nothing(deployment_browser, deployment):
    """Her instance stops: the page says so (in Swedish, as an alert), keeps what she types meanwhile in the browser,
    and "Anslut igen" opens her personal link on a live instance, where the kept text is written back and saved."""
    deployment.ensure_running()
    cara = Participant(deployment_browser, deployment, "Cara Ceder")
    try:
        cara.join()
        cara.write("Nuvarande situation", "Cara hann spara detta.")
        first = cara.instance
        deployment.instance(first).stop()
        alert = cara.page.get_by_role("alert").filter(has_text="tappat kontakten med servern")
        alert.wait_for(timeout=15_000)
        cara.page.get_by_label("Personens önskemål").fill("Skrivet efter att servern försvann.")
        cara.page.wait_for_timeout(500)  # the guard keeps it in the browser (the kernel that would save it is gone)
        assert "Skrivet efter" not in saved_draft(deployment, cara.secret)
        alert.get_by_role("button", name="Anslut igen").click()
        cara.page.get_by_text("Ditt sparade utkast är återställt.").wait_for()
        assert cara.instance != first
        assert cara.page.get_by_label("Nuvarande situation").input_value() == "Cara hann spara detta."
        deadline = time.monotonic() + 15
        while "Skrivet efter att servern försvann." not in saved_draft(deployment, cara.secret):
            assert time.monotonic() < deadline, "the text kept in the browser was never saved after reconnecting"
            cara.page.wait_for_timeout(200)
    finally:
        cara.close()
        deployment.ensure_running()
