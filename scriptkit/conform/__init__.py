"""Conform: read back what the editor did, and carry it into the next version.

Four pure steps on OpenTimelineIO timelines, one module each: `identity` (whose clip is it), `layout` (the
timeline flattened into identified clips, joins and markers), `diff` (what the editor changed, in plain words)
and `apply` (the edit carried onto a new plan). The commands at the edge live elsewhere: `scriptkit diff` in
`scriptkit.project`, the refine pipeline in `scriptkit.refine`; files are read through the format registry.
"""
