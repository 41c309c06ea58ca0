"""The restart back-off: doubling, capped, reset after a healthy run."""

from __future__ import annotations

from lastmile.restarts import RestartPolicy, RestartState


def test_delays_double_up_to_the_cap() -> None:
    state = RestartState(RestartPolicy(initial_s=1, max_s=10, healthy_after_s=100))
    state.started(0)
    delays = []
    for i in range(6):
        delays.append(state.crashed(now=i + 0.5))
        state.started(now=i + 0.6)
    assert delays == [1, 2, 4, 8, 10, 10]


def test_a_healthy_run_resets_the_back_off() -> None:
    state = RestartState(RestartPolicy(initial_s=1, max_s=10, healthy_after_s=100))
    state.started(0)
    assert state.crashed(now=1) == 1
    state.started(2)
    assert state.crashed(now=3) == 2
    state.started(5)
    assert state.crashed(now=105) == 1  # ran 100 s before this crash
