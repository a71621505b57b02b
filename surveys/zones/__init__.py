"""Protected-area conflicts (no Qt): ecological red lines, nature reserves and water-source
zones checked against pipes, manholes, outfalls and plants (``overlap``), the rule table
(``rules``) and the bureau's Excel/PDF report (``report``)."""
