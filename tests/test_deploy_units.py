"""The systemd unit and its environment file in deploy/systemd/ start a working `sipkurs serve` as written."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from servers import sipkurs_command, start_serve

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "systemd"
UNIT = DEPLOY / "sipkurs@.service"
ENV_FILE = DEPLOY / "sipkurs.env"
INSTALLED = "/opt/sipkurs/.venv/bin/sipkurs"  # where docs/drift.md installs it


def _env_file() -> dict[str, str]:
    lines = ENV_FILE.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def _exec_start() -> list[str]:
    [line] = [line for line in UNIT.read_text(encoding="utf-8").splitlines() if line.startswith("ExecStart=")]
    return line.removeprefix("ExecStart=").split()


def test_environment_file_sets_every_variable_the_unit_uses():
    used = set(re.findall(r"\$\{(\w+)\}", UNIT.read_text(encoding="utf-8")))
    given = set(_env_file())
    assert used <= given, f"saknas i {ENV_FILE.name}: {sorted(used - given)}"
    # serve reads the store from the environment itself (click envvar); the trainer code is the course's own (set by
    # `sipkurs course create`, changed by `sipkurs course change`), never the environment's: a restart keeps it.
    assert "SIPKURS_DB" in given and "SIPKURS_TRAINER_CODE" not in given and "SIPKURS_CASE" not in given


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze saknas")
def test_unit_passes_systemd_analyze(tmp_path):
    unit = tmp_path / "sipkurs@.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace(INSTALLED, sipkurs_command()), encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "sipkurs@8866.service")], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


@pytest.mark.slow
def test_unit_command_line_starts_an_instance_on_postgresql(postgres_url):
    """The unit's ExecStart with the environment file's values: only the address, port and database differ."""
    import os

    from browserkit import _free_port

    values = {**_env_file(), "SIPKURS_DB": postgres_url, "SIPKURS_HOST": "127.0.0.1", "SIPKURS_POOL_SIZE": "0"}
    port = str(_free_port())
    args = [re.sub(r"\$\{(\w+)\}", lambda m: values[m[1]], word).replace("%i", port) for word in _exec_start()]
    assert args[0] == INSTALLED
    args[0] = sipkurs_command()
    env = {**os.environ, **{k: v for k, v in values.items() if k.startswith("SIPKURS_")}}
    env.pop("SIPKURS_TRAINER_CODE", None)
    # As docs/drift.md says: the course is created once, before the instances start.
    created = subprocess.run([sipkurs_command(), "course", "create", "--course", values["SIPKURS_COURSE"], "--case",
                              "sjukskriven_utmattning"], capture_output=True, text=True, env=env)
    assert created.returncode == 0, created.stderr
    assert args[1] == "serve"
    proc, text = start_serve(args[2:], env)
    try:
        assert f"Kurskod:    {values['SIPKURS_COURSE']}" in text, text
        assert f"{values['SIPKURS_PUBLIC_URL']}/?kurs={values['SIPKURS_COURSE']}" in text  # the participants' address
        assert "Lärarkod:   oförändrad" in text and "Fall:       sjukskriven_utmattning" in text
        assert "postgresql+psycopg://postgres@/" in text  # the store it opened (password hidden)
    finally:
        proc.send_signal(signal.SIGINT)  # the unit's KillSignal
        assert proc.wait(timeout=45) == 0
        proc.stdout.close()
