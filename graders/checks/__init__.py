"""The check functions, one module per rule family; importing this package registers them all."""

from graders.checks import case, checklist, formal, legal, quality  # noqa: F401
