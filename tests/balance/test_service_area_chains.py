"""A plant's service area is the band around its pipes: buffering the pipes joined into
chains gives the band that buffering each pipe gives, for pipes meeting end to end, pipes
that only cross, multipart pipes and lone ones."""

from __future__ import annotations

import numpy as np
import shapely

from surveys.balance.areas import _chains


def _band_each(lines, d=100.0):
    return shapely.union_all(shapely.buffer(np.asarray(lines, dtype=object), d, quad_segs=4))


def _band_chained(lines, d=100.0):
    return shapely.union_all(
        shapely.buffer(np.asarray(_chains(lines), dtype=object), d, quad_segs=4)
    )


def test_a_sewer_tree_gives_the_same_band_with_far_fewer_pieces():
    rng = np.random.default_rng(5)
    lines = []
    for col in range(40):  # a trunk along y = 0 and a branch every 30 m, pipes 30 m long
        x = col * 30.0
        lines.append(shapely.LineString([(x, 0), (x + 30, 0)]))
        xs = np.r_[x, x + rng.normal(0, 2, 10)]  # the branch's manholes, a little off line
        for k in range(10):
            lines.append(shapely.LineString([(xs[k], k * 30.0), (xs[k + 1], (k + 1) * 30.0)]))
    chained = _chains(lines)
    assert len(chained) < len(lines) / 5
    a, b = _band_each(lines), _band_chained(lines)
    assert abs(a.area - b.area) / a.area < 1e-4
    assert a.symmetric_difference(b).area / a.area < 1e-4


def test_crossing_multipart_and_lone_pipes_are_all_in_the_band():
    lines = [
        shapely.LineString([(0, 0), (500, 0)]),
        shapely.LineString([(250, -200), (250, 200)]),  # crosses, shares no end
        shapely.MultiLineString([[(1000, 0), (1100, 0)], [(1100, 0), (1100, 300)]]),
        shapely.LineString([(3000, 3000), (3010, 3000)]),  # alone, far away
        shapely.LineString(),  # empty
    ]
    a = _band_each([g for g in lines if not g.is_empty])
    b = _band_chained(lines)
    assert a.symmetric_difference(b).area / a.area < 1e-4
    assert b.contains(shapely.Point(3005, 3050)) and b.contains(shapely.Point(1100, 390))


def test_one_pipe_is_its_own_chain():
    pipe = shapely.LineString([(0, 0), (10, 0)])
    assert _chains([pipe]) == [pipe]
