"""One checked network: built by one function, frozen, used by traces without side caches."""

from __future__ import annotations

import dataclasses

import pytest
from net_fixtures import park_layers

from network.analysis import connection_register
from network.checks import run_checks
from network.errors import NetworkError
from network.graph import build_network
from network.state import CheckedNetwork, build_checked_network, iter_checked_network
from network.trace import IssueIndex, trace_downstream, trace_upstream


@pytest.fixture(scope="module")
def checked():
    return build_checked_network(park_layers(), {"snap_tolerance_m": 0.05})


def test_checked_network_holds_the_findings_and_register_of_its_network(checked):
    net = checked.network
    assert list(checked.checks) == run_checks(net)
    assert checked.register.to_dict() == connection_register(net).to_dict()
    assert isinstance(checked.issue_index, IssueIndex)
    assert checked.issue_index.findings == checked.checks
    assert checked.errors and all(i.severity == "error" for i in checked.errors)
    with pytest.raises(dataclasses.FrozenInstanceError):
        checked.version = 3  # type: ignore[misc]


def test_progress_runs_from_zero_to_one_and_carries_the_version():
    steps = []
    gen = iter_checked_network(park_layers(), version=7)
    while True:
        try:
            steps.append(next(gen))
        except StopIteration as stop:
            result = stop.value
            break
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] <= 1.0
    assert result.version == 7


def test_new_data_make_a_new_state_old_states_stay_as_built():
    layers = park_layers()
    first = build_checked_network(layers)
    layers["pipes"] = layers["pipes"].assign(status="open")  # P6 no longer blocked
    second = build_checked_network(layers)
    assert not first.network.edge_open.all() and second.network.edge_open.all()
    assert first.built_from("pipes", first.network.layers["pipes"])
    assert not first.built_from("pipes", layers["pipes"])
    assert second.built_from("pipes", layers["pipes"])


def test_traces_warn_only_about_the_findings_they_are_given(checked):
    net = checked.network
    with_index = trace_upstream(net, "W1", findings=checked.issue_index)
    with_list = trace_upstream(net, "W1", findings=list(checked.checks))
    assert with_index.warnings == with_list.warnings and with_index.warnings
    assert trace_upstream(net, "W1").warnings == ()  # nothing given, nothing hidden
    assert (
        trace_upstream(net, "W1", findings=checked.issue_index, with_warnings=False).warnings == ()
    )
    # the same trace on a fresh network of the same data gives the same answer
    fresh = build_network(park_layers(), {"snap_tolerance_m": 0.05})
    again = trace_downstream(fresh, "E1", findings=run_checks(fresh))
    assert again == trace_downstream(net, "E1", findings=checked.issue_index)


def test_no_pipe_layer_is_a_network_error():
    with pytest.raises(NetworkError, match="no pipe layer"):
        build_checked_network({})


def test_checked_network_is_built_from_given_parts(checked):
    copy = CheckedNetwork(checked.network, list(checked.checks), checked.register, version=2)
    assert copy.checks == checked.checks and copy.version == 2
    assert copy.issue_index is not checked.issue_index
