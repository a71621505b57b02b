"""One place picks a metric CRS: CGCS2000 3-degree zones in China, UTM elsewhere."""

import math

import pytest
from pyproj import CRS

from network.errors import CRSError
from network.io.crs import (
    choose_project_crs,
    gk3_cm_epsg,
    gk3_cm_zone,
    local_metric_crs,
    metric_crs_for,
)


@pytest.mark.parametrize(
    ("lon", "epsg"),
    [
        (112.4999, 4546),  # just west of the 111/114 zone edge: CM 111 E
        (112.5, 4547),  # on the edge: the zone east of it
        (112.5001, 4547),
        (115.4999, 4547),
        (115.5, 4548),  # banker's rounding of 38.5 would give CM 114 E here
        (75.0, 4534),
        (135.0, 4554),
    ],
)
def test_zone_edges(lon, epsg):
    assert gk3_cm_epsg(lon) == epsg
    assert CRS.from_epsg(epsg).name.endswith(f"CM {gk3_cm_zone(lon) * 3}E")


def test_importer_and_overlap_check_pick_the_same_crs_in_china():
    for lon in (111.2, 112.5, 115.5, 120.9):
        assert (
            choose_project_crs(CRS.from_epsg(4490), lon, 30.0)
            == metric_crs_for(CRS.from_epsg(4490), lon, 30.0)[0]
        )


def test_outside_china_is_utm_and_feet_are_kept_for_measuring():
    assert local_metric_crs(-76.3, 36.8).to_epsg() == 32618
    assert local_metric_crs(151.2, -33.9).to_epsg() == 32756
    feet = CRS.from_epsg(2284)
    crs, factor = metric_crs_for(feet, -76.3, 36.8)
    assert crs == feet and factor == pytest.approx(0.3048006)
    assert choose_project_crs(feet, -76.3, 36.8).to_epsg() == 32618


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_centre_is_a_clear_crs_error(bad):
    with pytest.raises(CRSError, match="not a valid longitude/latitude"):
        local_metric_crs(bad, 30.0)
    with pytest.raises(CRSError):
        metric_crs_for(CRS.from_epsg(4490), 114.0, bad)
    with pytest.raises(CRSError):
        choose_project_crs(CRS.from_epsg(2284), bad, bad)
    with pytest.raises(CRSError):
        gk3_cm_epsg(bad)
    # a CRS already in metres needs no centre at all
    assert choose_project_crs(CRS.from_epsg(4547), bad, bad).to_epsg() == 4547
