# nbgrader course for the cross-agency SIP training. Run nbgrader commands from this folder, with the project's
# .venv/bin first on PATH (nbgrader calls the `alembic` program by name).
c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = "sip-samverkan"
# Files beside the notebook that belong to the assignment: the plan template a group fills in.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__"]
c.ExecutePreprocessor.timeout = 60
# autograde copies the source's own files over a submission's, to protect test files; the plan is the group's work.
c.Autograde.exclude_overwriting = {"sip-grundkurs": ["plan.json"]}
