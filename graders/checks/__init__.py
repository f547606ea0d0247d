"""The check functions, one module per rule family; importing this package registers them all."""

from graders.checks import case, checklist, events, formal, legal, quality  # noqa: F401
