"""What the server tells a page's kernel about its request, beyond the query string.

The trainer page opens only after the kernel-free login at /utbildare has checked the trainer code against the store.
The server then hands that code to the trainer page's kernel (an HTTP header only the server sets, which Voila puts
into the kernel's environment), so the page can show the overview without asking again.
"""

from __future__ import annotations

import os

TRAINER_ENV = "HTTP_X_SIPKURS_TRAINER_CODE"


def trainer_code() -> str:
    """The checked trainer code for this kernel's page ("" when the page was not opened through the login).

    Read once: the variable is removed from the environment, so nothing started later in the kernel inherits it.
    """
    return os.environ.pop(TRAINER_ENV, "")
