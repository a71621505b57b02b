"""Reading layers and the project file (no Qt).

``read`` (vector files into the canonical schema), ``encoding`` (GBK/UTF-8 detection),
``fields`` (field roles and value synonyms), ``hygiene`` (geometry clean-up), ``crs``
(CGCS2000 zones, metric CRS) and ``project`` (the one owner of the project GeoPackage).
"""
