# nbgrader course for the cross-agency SIP training. Run nbgrader commands from this folder, with the project's
# .venv/bin first on PATH (nbgrader calls the `alembic` program by name).
import os

c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = "sip-samverkan"
# Files beside the notebook that belong to the assignment: the plan template a group fills in.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__"]
c.ExecutePreprocessor.timeout = 60
# autograde copies the source's own files over a submission's, to protect test files; the plan is the group's work.
c.Autograde.exclude_overwriting = {"sip-grundkurs": ["plan.json"]}

# The feedback groups read is Swedish and shows the case, the feedback and the points, not the code: templates/feedback
# takes the place of nbgrader's English template of the same name (the formgrader's button always asks for "feedback").
c.HTMLExporter.template_name = "feedback"
c.HTMLExporter.extra_template_basedirs = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")]
c.HTMLExporter.exclude_input_prompt = True
c.HTMLExporter.exclude_output_prompt = True
