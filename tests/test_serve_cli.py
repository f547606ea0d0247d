"""`sipkurs serve`'s log and the command line's answers to odd input: one Swedish line, never a traceback."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from sipkurs.cli import main
from sipkurs.serving.logfile import PrivateRotatingFileHandler, redact
from servers import CourseServer, free_port

SIPKURS = str(Path(sys.executable).with_name("sipkurs"))


def run_cli(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out = capsys.readouterr()
    return exit_.value.code, out.out + out.err


# --- the log -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("line,secret", [
    ("WARNING 404 GET /voila/render/sip_utkast.ipynb?kurs=KURS1&kod=ABCDE-FGH23 (127.0.0.1) 2.1ms", "ABCDE-FGH23"),
    ("GET /?kurs=K&kod=ett-hemligt-värde HTTP/1.1", "ett-hemligt-värde"),
    ("url: http://h:8866/voila/render/x?_xsrf=2|abc|def&token=t0k3n", "t0k3n"),
    ("QUERY_STRING='kurs=K&lararkod=LARAR-KOD42'", "LARAR-KOD42"),
    ("a personal code KQ7XM-2PZ9D in a message", "KQ7XM-2PZ9D"),
])
def test_redaction_hides_codes_in_any_line(line, secret):
    assert secret not in redact(line)
    assert redact("kurs=SIP-K7QXM sida sip_utkast.ipynb") == "kurs=SIP-K7QXM sida sip_utkast.ipynb"


def test_the_log_rotates_and_is_only_the_owners(tmp_path):
    path = tmp_path / "serve-1.log"
    handler = PrivateRotatingFileHandler(path, maxBytes=2000, backupCount=2)
    logger = logging.getLogger("test-rotation")
    logger.handlers[:] = [handler]
    logger.propagate = False
    for i in range(200):
        logger.warning("rad %03d %s", i, "x" * 40)
    handler.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["serve-1.log", "serve-1.log.1", "serve-1.log.2"]
    assert all(stat.S_IMODE((tmp_path / f).stat().st_mode) == 0o600 for f in files)
    assert "rad 199" in path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_server_log_is_private_appended_across_restarts_and_never_records_codes(tmp_path):
    logs = tmp_path / "state" / "logs"
    env = {"SIPKURS_LOG_DIR": str(logs)}
    secret, port = "ABCDE-FGH23", free_port()
    for _round in range(2):
        server = CourseServer(tmp_path / "kurs.db", "--course", "LOGGKURS", "--trainer-code", "LARAR-KOD42",
                              "--pool-size", "0", env=env, port=port)
        try:
            log_path = Path(server.line("Logg"))
            for path in (f"/?kurs=LOGGKURS&kod={secret}", f"/voila/render/sip_utkast.ipynb?kurs=LOGGKURS&kod={secret}",
                         f"/logout?kod={secret}", f"/finns-inte?kod={secret}"):
                try:
                    urllib.request.urlopen(server.base + path, timeout=120).read()
                except urllib.error.HTTPError:
                    pass
        finally:
            server.stop()
    assert log_path.parent == logs
    assert stat.S_IMODE(logs.stat().st_mode) == 0o700 and stat.S_IMODE(log_path.stat().st_mode) == 0o600
    content = log_path.read_text(encoding="utf-8")
    assert content.count("sipkurs serve startar") == 2 and content.count("sipkurs serve avslutad") == 2
    assert secret not in content and "LARAR-KOD42" not in content
    assert "Traceback" not in content.split("sipkurs serve avslutad")[0]  # the first run: no traceback at all


def test_a_log_behind_a_symlink_is_refused_and_its_target_untouched(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o700)
    target = tmp_path / "annan-fil"
    target.write_text("orörd\n", encoding="utf-8")
    port = free_port()
    (logs / f"serve-{port}.log").symlink_to(target)
    result = subprocess.run([SIPKURS, "serve", "--db", str(tmp_path / "k.db"), "--port", str(port)],
                            capture_output=True, text=True, timeout=120, env={**os.environ, "SIPKURS_LOG_DIR": str(logs)})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("sipkurs: fel: kunde inte öppna loggen") and result.stderr.count("\n") == 1
    assert target.read_text(encoding="utf-8") == "orörd\n"
    linked = tmp_path / "länkad"
    linked.symlink_to(logs)
    result = subprocess.run([SIPKURS, "serve", "--db", str(tmp_path / "k.db"), "--port", str(port)],
                            capture_output=True, text=True, timeout=120, env={**os.environ, "SIPKURS_LOG_DIR": str(linked)})
    assert result.returncode == 1 and "ingen vanlig mapp" in result.stderr


# --- odd input: one line, no traceback ---------------------------------------------------------------------------


@pytest.mark.parametrize("args,message", [
    (["serve", "--seed", str(10**23)], "ligger inte inom"),
    (["serve", "--port", "9" * 5000], "är inte ett giltigt heltal"),
    (["serve", "--course", "KURS\nANNAN"], "kurskoden får bara innehålla"),
    (["serve", "--course", "kurs med mellanslag"], "kurskoden får bara innehålla"),
    (["serve", "--course", "Å" * 41], "kurskoden får bara innehålla"),
    (["serve", "--trainer-code", "LARAR\tKOD42"], "lärarkoden får inte innehålla"),
    (["serve", "--trainer-code", "K" * 101], "lärarkoden får inte innehålla"),
    (["serve", "--host", "999.1.1.1"], "ogiltig adress för --host"),
    (["serve", "--host", "a\nb"], "ogiltig adress för --host"),
    (["serve", "--max-kernels", "0"], "ligger inte inom"),
    (["export", "--course", "K", "--trainer-code", "X", "--participant", str(2**70)], "ligger inte inom"),
    (["export", "--course", "K\nK", "--trainer-code", "X", "--participant", "1"], "kurskoden får bara innehålla"),
    (["export", "--course", "K", "--trainer-code", "X", "--participant", "1", "--db", "/dev/zero"], "ingen vanlig fil"),
    (["export", "--course", "K", "--trainer-code", "X", "--participant", "1", "-f", "pdf"], "PDF kräver --output"),
    (["scenario", "preview", "sjukskriven_utmattning@" + "9" * 5000], "ogiltigt varianttal"),
    (["rules", "\x1b[31m\x01"], "okänd regel '?[31m?'"),
    (["generate", "--seed", "9" * 6000], "är inte ett giltigt heltal"),
])
def test_odd_command_line_input_gives_one_swedish_line(capsys, tmp_path, monkeypatch, args, message):
    monkeypatch.setenv("SIPKURS_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("SIPKURS_DB", str(tmp_path / "kurs.db"))
    code, output = run_cli(capsys, *args)
    assert code != 0 and "Traceback" not in output
    assert output.startswith("sipkurs: fel:") and output.count("\n") == 1, output
    assert message in output and len(output) < 400
    assert all(c.isprintable() for c in output.rstrip("\n"))
