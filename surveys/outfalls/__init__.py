"""The outfall register: 查、测、溯、治 — register, monitor, trace, remediate (no Qt).

Modules
-------
codes
    The code tables as data (``resources/outfalls/``): the nine outfall classes of the
    Yuncheng plan mapped from what the data says, and the discharge standards (GB 18918-2002,
    GB 8978-1996) with their limits.
store
    The project's tables ``pa_outfalls`` (register facts, outfalls added in the field),
    ``pa_outfall_monitoring`` (samples) and ``pa_outfall_decisions`` (一口一策), written
    through the project file's owner (:mod:`network.io.gpkg`).
monitoring
    Excel import of samples with a column mapping and a rejected-rows report; exceedances
    and dry-weather flow at rain outlets; the monitored load.
register
    The register rows with the faults found, the upstream trace of an outfall with the COD
    mass balance and each discharger's share (共用), the "what if sealed" analysis.
status
    The decision status of each outfall (sealed / merge / keep / undecided) for the map.
decisions
    Decisions as ledger problems, the 一口一策 table and the task table.
export
    The Excel workbooks.
"""
