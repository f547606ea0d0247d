"""Graders: the drafted plan (plan.py) and the rules that check it against the law, the checklists and the case."""
