"""What the SWMM reader, writer and runner share: the error, units and column names."""

from __future__ import annotations

from network.errors import NetworkError

#: metres per model length unit, by FLOW_UNITS (US flow units → feet, SI → metres)
FT = 0.3048
US_FLOW_UNITS = ("CFS", "GPM", "MGD")
SI_FLOW_UNITS = ("CMS", "LPS", "MLD")

# columns the SWMM import adds to the pipe layer (kept as ordinary source columns)
LINK_TYPE = "link_type"  # conduit / pump / orifice / weir / outlet
XS_SHAPE = "xs_shape"  # SWMM cross-section shape (CIRCULAR, RECT_CLOSED …)
XS_HEIGHT_M = "xs_height_m"  # Geom1 in metres
XS_WIDTH_M = "xs_width_m"  # Geom2 in metres (0 where the shape has none)
BARRELS = "barrels"
ROUGHNESS = "roughness"  # Manning's n
IN_OFFSET_M = "in_offset_m"  # inlet offset above the from node's invert
OUT_OFFSET_M = "out_offset_m"  # outlet offset above the to node's invert
MODEL_LENGTH_M = "model_length_m"  # the model's conduit length (not the drawn length)
SWMM_PARAMS = "swmm_params"  # JSON of a pump/orifice/weir/outlet's own fields
INVERT_M = "invert_m"  # node invert (manholes layer)

LINK_TYPES = ("conduit", "pump", "orifice", "weir", "outlet")
NODE_TYPES = ("junction", "storage", "divider", "outfall")


def flow_unit_length(flow_units: str) -> tuple[str, float]:
    """``("ft", 0.3048)`` for US flow units, ``("m", 1.0)`` for SI ones.

    Raises
    ------
    SwmmError
        The FLOW_UNITS option names no SWMM flow unit.

    Examples
    --------
    >>> flow_unit_length("CFS"), flow_unit_length("lps")
    (('ft', 0.3048), ('m', 1.0))
    """
    fu = str(flow_units or "CFS").upper()
    if fu in US_FLOW_UNITS:
        return "ft", FT
    if fu in SI_FLOW_UNITS:
        return "m", 1.0
    raise SwmmError(
        f"FLOW_UNITS {flow_units!r} is no SWMM flow unit; expected one of "
        f"{', '.join(US_FLOW_UNITS + SI_FLOW_UNITS)}.",
        field="FLOW_UNITS",
    )


class SwmmError(NetworkError):
    """A SWMM model cannot be read, written or run; the message says which file and why."""
