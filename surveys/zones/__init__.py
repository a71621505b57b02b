"""Protected-area conflicts (no Qt): ecological red lines, nature reserves and water-source
zones checked against pipes, manholes, outfalls and plants. ``prepare`` turns a polygon
layer into zones, ``overlap`` is the check itself, ``result`` the rows it finds
(:class:`~surveys.zones.result.OverlapResult`), ``conflicts`` raises them as ledger
problems, ``rules`` is the rule table and ``report`` the bureau's Excel/PDF report. Every
public name of ``prepare``, ``result`` and ``conflicts`` is importable from ``overlap``."""
