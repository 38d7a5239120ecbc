"""Insight: the document flow (every document's origin and successors), the party's 360° view, the role
dashboards with their charts, and the global search. It reads every module and writes nothing; nothing
imports it (layer 9, the top)."""
