"""``python -m sipkurs.serving CONFIG.json``: the server process that ``sipkurs serve`` starts."""

from sipkurs.serving.app import main

main()
