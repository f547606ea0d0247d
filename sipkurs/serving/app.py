"""The server process: Voila, standalone, with our front door, limits, template, static files and log.

``python -m sipkurs.serving CONFIG.json`` (what ``sipkurs serve`` runs). ``SipVoila`` is Voila's application with:
- only the pages in the config (sipkurs/serving/pages.py): no file listing, no contents API, no Jupyter login pages;
- ``/`` → the first page, ``/utbildare`` → the trainer login, anything else → a Swedish 404;
- the kernel manager of sipkurs/serving/kernels.py (start gate, caps, release) and the renderer and websocket filter
  of sipkurs/serving/render.py (no tracebacks to the browser, never a blank page);
- the template ``sipkurs`` (share/voila/templates/sipkurs): Swedish loading screen, nothing from the internet, the
  dead-kernel banner and the draft guard;
- static files gzipped once and cached for a year under versioned addresses; unused front-end extensions left out.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_server.utils import url_path_join
from traitlets.config import Config

SHARE = Path(__file__).parent / "share"
TEMPLATE = "sipkurs"
# The front-end extensions a page needs (the widgets); the others (nbgrader's, notebook's, pygments') are not loaded.
FRONTEND_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8")
TRACEBACK_REPLACEMENT = "Ett fel uppstod på servern. Detaljerna finns i serverns logg."

log = logging.getLogger("sipkurs.serving")


def static_version() -> str:
    """A short fingerprint of Voila's front end: changes whenever Voila's static files do."""
    import voila
    from voila.paths import collect_static_paths

    digest = hashlib.sha1(voila.__version__.encode())
    for root in collect_static_paths(["voila", "nbconvert"], "base"):
        if os.path.isdir(root):
            for name in sorted(os.listdir(root)):
                info = os.stat(os.path.join(root, name))
                digest.update(f"{name}:{info.st_size}:{int(info.st_mtime)}".encode())
    return digest.hexdigest()[:12]


def page_config_hook(page_config: dict, base_url: str = "/", **_kwargs) -> dict:
    """Versioned static address (so the browser may cache for a year), only the extensions we use, no CDN."""
    page_config["fullStaticUrl"] = url_path_join(base_url, "voila/static/v", STATIC_VERSION)
    page_config["federated_extensions"] = [
        e for e in page_config.get("federated_extensions", []) if e.get("name") in FRONTEND_EXTENSIONS
    ]
    page_config["fullMathjaxUrl"] = url_path_join(base_url, "voila/templates", TEMPLATE, "static/no-mathjax.js")  # no CDN
    return page_config


STATIC_VERSION = ""


def voila_config(sip, runtime: Path) -> Config:
    """Voila's settings for ``sip`` (a ServeConfig); everything that would otherwise come from flags or voila.json."""
    limits = sip.limits
    c = Config()
    c.Voila.ip = sip.host
    c.Voila.port = sip.port
    c.Voila.port_retries = 0
    c.Voila.open_browser = False
    c.Voila.config_file_paths = []  # no voila.json from the working directory or ~/.jupyter
    c.Voila.connection_dir_root = str(runtime)
    c.Voila.log_level = "WARN"
    c.Voila.kernel_websocket_connection_class = "sipkurs.serving.render.FilteredConnection"
    vc = c.VoilaConfiguration
    vc.template = TEMPLATE
    vc.allow_template_override = "NO"
    vc.allow_theme_override = "NO"
    vc.show_tracebacks = False
    vc.preheat_kernel = True
    vc.default_pool_size = 0
    vc.multi_kernel_manager_class = "sipkurs.serving.kernels.SipKernelManager"
    vc.kernel_spec_manager_class = "sipkurs.serving.kernels.PageKernelSpecManager"  # no debugger in page kernels
    c.PageKernelSpecManager.fork = sip.fork_kernels  # page kernels forked from a preloaded process
    vc.http_header_envs = ["X-Sipkurs-Trainer-Code"]
    vc.file_allowlist = [r".*\.(png|jpg|jpeg|gif|svg|webp)"]
    c.VoilaKernelManager.kernel_pools_config = {
        **{p.notebook: {"pool_size": sip.pool_of(p)} for p in sip.pages},
        "default": {"pool_size": 0},
    }
    c.VoilaKernelManager.preheat_denylist = [p.notebook for p in sip.pages if sip.pool_of(p) == 0]
    c.VoilaKernelManager.fill_delay = 0  # the start gate decides when a refill may run
    c.VoilaExporter.language_code = "sv"
    c.KernelManager.transport = "ipc"  # no random TCP ports (a burst once hit "Address already in use")
    c.KernelRestarter.restart_limit = 0  # a dead kernel is removed, not restarted without the page's widgets
    c.MappingKernelManager.cull_idle_timeout = min(limits.abandoned_timeout, limits.idle_timeout)
    c.MappingKernelManager.cull_interval = limits.cull_interval
    c.MappingKernelManager.allow_tracebacks = False
    c.MappingKernelManager.traceback_replacement_message = TRACEBACK_REPLACEMENT
    return c


def _access_log(handler) -> None:
    """Only server errors, by path: a query (?kod=…) never reaches the log. The waiting page (503) logs itself."""
    status = handler.get_status()
    if status >= 500 and status != 503:
        log.warning("HTTP %d %s %s (%.0f ms)", status, handler.request.method, handler.request.path,
                    1000 * handler.request.request_time())


def make_app_class():
    from voila.app import Voila
    from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler
    from voila.tornado.contentshandler import VoilaContentsHandler
    from voila.tornado.handler import TornadoVoilaHandler
    from voila.tornado.treehandler import TornadoVoilaTreeHandler
    from jupyter_server.auth.login import LoginFormHandler
    from jupyter_server.auth.logout import LogoutHandler
    from jupyter_server.base.handlers import FileFindHandler

    from sipkurs.serving import handlers as h

    replaced = (MultiStaticFileHandler, TemplateStaticFileHandler, VoilaContentsHandler, TornadoVoilaHandler,
                TornadoVoilaTreeHandler, FileFindHandler, LoginFormHandler, LogoutHandler)

    class SipVoila(Voila):
        def __init__(self, sip, **kwargs) -> None:
            super().__init__(**kwargs)
            self.sip = sip

        def init_settings(self) -> dict:
            settings = super().init_settings()
            self.kernel_manager.configure(self.sip.limits)
            settings.update(
                sip_config=self.sip,
                sip_sessions=h.TrainerSessions(),
                sip_throttle=h.LoginThrottle(),
                default_handler_class=h.NotFoundHandler,
                websocket_max_message_size=self.sip.limits.max_ws_message_bytes,
                compress_response=True,
                log_function=_access_log,
            )
            return settings

        def init_handlers(self) -> list:
            voila_handlers = [
                spec for spec in super().init_handlers()
                if not (isinstance(spec[1], type) and issubclass(spec[1], replaced))
            ]
            base = self.server_url
            ours = [
                (base, h.FrontDoorHandler),
                (url_path_join(base, "halsa"), h.HealthHandler),
                (url_path_join(base, "logout"), h.LeaveHandler),
                (url_path_join(base, "login"), h.LeaveHandler),
                (url_path_join(base, r"voila/render/(.*)"), h.PageHandler, {
                    "sip": self.sip, "template_paths": self.template_paths, "config": self.config,
                    "voila_configuration": self.voila_configuration,
                }),
                (url_path_join(base, r"voila/static/v/[^/]+/(.*)"), h.AssetHandler,
                 {"roots": lambda p: (self.static_paths, p), "versioned": True}),
                (url_path_join(base, r"voila/static/(.*)"), h.AssetHandler, {"roots": lambda p: (self.static_paths, p)}),
                (url_path_join(base, r"voila/templates/(.*)"), h.AssetHandler, {"roots": _template_roots}),
                (url_path_join(base, r"voila/labextensions/(.*)"), h.AssetHandler,
                 {"roots": lambda p: (self.labextensions_path, p)}),
            ]
            if self.sip.trainer_page is not None:
                ours.append((url_path_join(base, "utbildare"), h.TrainerLoginHandler))
            return ours + voila_handlers

        def listen(self) -> None:
            listen = self.app.listen

            def limited_listen(port, address="", **kwargs):
                kwargs.update(xheaders=self.sip.proxy, max_body_size=self.sip.limits.max_body_bytes)
                return listen(port, address, **kwargs)

            self.app.listen = limited_listen
            super().listen()

    return SipVoila


def _template_roots(path: str) -> tuple[list[str], str]:
    from voila.paths import collect_static_paths

    template, _, rest = path.partition("/")
    static, _, inner = rest.partition("/")
    if static != "static" or not template.replace("-", "").replace("_", "").isalnum():
        return [], ""
    try:
        return collect_static_paths(["voila", "nbconvert"], template), inner
    except ValueError:  # no such template
        return [], ""


def install_patches(sip) -> None:
    """Our renderer and pool class into Voila (this process is ours: nothing else runs Voila here)."""
    import voila.app
    import voila.handler
    import voila.voila_kernel_manager

    from sipkurs.serving import render
    from sipkurs.serving.kernels import pool_manager

    render.TITLES.update({p.notebook: p.title for p in sip.pages})
    if not getattr(voila.app.voila_kernel_manager_factory, "_sipkurs", False):
        factory = pool_manager(voila.app.voila_kernel_manager_factory)
        factory._sipkurs = True
        voila.app.voila_kernel_manager_factory = factory
    voila.handler.NotebookRenderer = render.SipRenderer
    voila.voila_kernel_manager.NotebookRenderer = render.SipRenderer


class _Quiet(logging.Filter):
    """Voila's warning for every page view ("Notebook … is not trusted": our notebooks carry no outputs to trust)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "is not trusted" not in record.getMessage()


def setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_Quiet())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("sipkurs").setLevel(logging.INFO)
    for noisy in ("tornado.access", "tornado.general", "tornado.application"):  # 404s of culled kernels, pings
        logging.getLogger(noisy).setLevel(logging.ERROR)


def socket_dir(preferred: Path) -> Path:
    """Where the kernels' IPC sockets go: ``preferred`` (private) unless its path is too long for a socket address
    (108 bytes on Linux, and the socket names add ~70), then a new private directory in the system's temp folder."""
    if len(str(preferred)) <= 36:
        return preferred
    for base in (tempfile.gettempdir(), "/tmp"):
        if len(base) <= 24 and os.path.isdir(base):
            path = Path(tempfile.mkdtemp(prefix="sk-", dir=base))
            atexit.register(shutil.rmtree, path, True)
            return path
    return preferred


def main(argv: list[str] | None = None) -> None:
    from sipkurs.serving.config import ServeConfig

    global STATIC_VERSION
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("användning: python -m sipkurs.serving KONFIGURATION.json")
    config_path = Path(args[0]).resolve()
    sip = ServeConfig.load(config_path)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(SHARE), os.environ.get("JUPYTER_PATH")]))
    setup_logging()
    STATIC_VERSION = static_version()
    install_patches(sip)
    app = make_app_class()(sip, config=voila_config(sip, socket_dir(config_path.parent)))
    app.initialize([sip.folder])
    app.log.addFilter(_Quiet())
    from sipkurs.serving.handlers import warm_assets
    from voila.paths import collect_static_paths

    warm_assets(collect_static_paths(["voila", "nbconvert"], TEMPLATE))
    app.voila_configuration.page_config_hook = page_config_hook
    log.info("serving %s on %s:%d", ", ".join(p.notebook for p in sip.pages), sip.host, sip.port)
    app.start()
