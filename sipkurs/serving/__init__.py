"""Serving the course: Voila with our front door, limits, template, static files and log.

- pages.py: the served pages (one list: notebook, Swedish title, pool size, trainer login);
- config.py: the limits and what ``sipkurs serve`` hands to the server process;
- app.py: the server process (``python -m sipkurs.serving CONFIG.json``);
- kernels.py: start gate, caps, readiness, release;
- forkserver.py: page kernels forked from one preloaded process (and its provisioner, with the normal start as
  fallback); ``SIPKURS_FORK_KERNELS=0`` turns it off;
- handlers.py: front door, pages, waiting page, trainer login, static files;
- render.py: Swedish titles, failed pages, no tracebacks to the browser;
- logfile.py: the private, rotated, redacted log;
- draftguard.py: the hash the page's draft guard compares with (``saved_hash``);
- share/voila/templates/sipkurs/: the page template, sipguard.js (dead-kernel banner, drafts in localStorage).
"""
