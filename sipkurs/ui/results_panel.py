"""After submitting in self-study: the person's letter, what the interview never found, what the plan missed, and the
model answer beside the participant's own plan. The content is the graders' debrief (sipkurs.selfstudy.results)."""

from __future__ import annotations

import ipywidgets as w

from sipkurs.templating import render

DIMENSIONS = (("information", "Information"), ("delaktighet", "Delaktighet"), ("samverkan", "Samverkan"),
              ("meningsfullhet", "Meningsfullhet"))


class ResultsPanel:
    def __init__(self, show_comparison) -> None:
        self.body = w.HTML('<p class="sip-hint">Lämna in planen så visas modellsvaret, vad planen missade, vad du '
                           "aldrig fick veta i intervjun och vad personen tycker om planen.</p>")
        self.compare_button = w.Button(description="Visa modellsvaret bredvid din plan", icon="columns",
                                       layout=w.Layout(display="none"))
        self.compare_button.on_click(lambda _b: show_comparison())
        self.widget = w.VBox([self.compare_button, self.body])
        self.debrief = None

    def show(self, debrief, person: str, speakers: dict[str, str]) -> None:
        if debrief is None:
            return
        self.debrief = debrief
        self.body.value = render("results.html.j2", d=debrief, person=person, dimensions=DIMENSIONS, speakers=speakers)
        self.compare_button.layout.display = None

    def comparison_html(self, own: dict) -> str:
        from sipkurs.export import readable

        model = self.debrief.model_answer.model_dump(mode="json")
        return render("compare.html.j2", columns=[("Din plan", readable(own)), ("Modellsvaret", readable(model))])
