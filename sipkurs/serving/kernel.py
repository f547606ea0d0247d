"""A page's kernel: ipykernel as Voila starts it, without the debugger that no page can use.

``python -m sipkurs.serving.kernel -f CONNECTION_FILE`` is the command of the server's kernel spec
(kernels.PageKernelSpecManager puts it where the python3 kernel spec says ``-m ipykernel_launcher``). ipykernel
imports debugpy at start whenever it is installed, for JupyterLab's debugger: ~7.5 MiB in every kernel (measured with
benchmarks/bench_memory.py). Standalone Voila never forwards a debug request to a kernel, so page kernels start
without it. Everything else is ipykernel_launcher's.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    sys.modules["debugpy"] = None  # `import debugpy` raises ImportError: ipykernel starts without its debugger
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    # As ipykernel_launcher: the working directory (the page's folder) is off sys.path while ipykernel loads;
    # ipykernel puts it back for the notebook.
    if sys.path[0] == "" or Path(sys.path[0]) == Path.cwd():
        del sys.path[0]
    main()
