"""Cleaning raw GPS: duplicates, out-of-order, accuracy, jumps, clock skew, bursts."""

from datetime import UTC, datetime, timedelta

from tracking.domain.fixes import FilterConfig, Fix, FixFilter, Verdict, in_order, too_old
from tracking.simulation import offset

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
HOME = (52.52, 13.405)


def fix_at(seconds: float, east_m: float = 0.0, accuracy: float = 5.0) -> Fix:
    lat, lon = offset(*HOME, 0.0, east_m)
    return Fix(T0 + timedelta(seconds=seconds), lat, lon, accuracy_m=accuracy)


def judge(f: FixFilter, fix: Fix, received: datetime | None = None) -> Verdict:
    return f.judge(fix, received or fix.time + timedelta(seconds=1))[0]


def test_accepts_a_plausible_sequence() -> None:
    f = FixFilter()
    assert [judge(f, fix_at(s, s * 10)) for s in range(0, 50, 5)] == [Verdict.ACCEPTED] * 10
    assert f.last == fix_at(45, 450)


def test_duplicates_are_dropped_even_when_late() -> None:
    f = FixFilter()
    for s in (0, 5, 10):
        judge(f, fix_at(s, s * 10))
    assert judge(f, fix_at(10, 100)) is Verdict.DUPLICATE
    assert judge(f, fix_at(5, 50)) is Verdict.DUPLICATE


def test_out_of_order_never_moves_the_vehicle_back() -> None:
    f = FixFilter()
    judge(f, fix_at(0, 0))
    judge(f, fix_at(20, 200))
    assert judge(f, fix_at(10, 100)) is Verdict.OUT_OF_ORDER
    assert f.last is not None
    assert f.last.time == T0 + timedelta(seconds=20)


def test_poor_accuracy_is_not_used_for_position() -> None:
    f = FixFilter(FilterConfig(max_accuracy_m=50))
    judge(f, fix_at(0))
    assert judge(f, fix_at(5, 40, accuracy=400)) is Verdict.INACCURATE
    assert f.last == fix_at(0)


def test_impossible_jump_is_rejected() -> None:
    f = FixFilter()
    judge(f, fix_at(0, 0))
    assert judge(f, fix_at(5, 5_000)) is Verdict.JUMP  # 1 km/s
    assert judge(f, fix_at(10, 80)) is Verdict.ACCEPTED
    assert f.last == fix_at(10, 80)


def test_consistent_jumps_reanchor_after_a_bad_first_fix() -> None:
    f = FixFilter(FilterConfig(reanchor_after=3))
    judge(f, fix_at(0, 50_000))  # a wild first fix, 50 km off
    verdicts = [judge(f, fix_at(s, s * 8)) for s in (5, 10, 15, 20)]
    assert verdicts == [Verdict.JUMP, Verdict.JUMP, Verdict.ACCEPTED, Verdict.ACCEPTED]


def test_clock_a_few_seconds_ahead_is_clamped_far_ahead_rejected() -> None:
    f = FixFilter(FilterConfig(max_clock_ahead_s=60))
    received = T0
    verdict, fixed = f.judge(fix_at(8), received)
    assert verdict is Verdict.ACCEPTED
    assert fixed.time == received
    assert f.judge(fix_at(600), received)[0] is Verdict.FUTURE


def test_burst_after_offline_gap_is_applied_in_time_order() -> None:
    f = FixFilter()
    judge(f, fix_at(0, 0))
    burst = [fix_at(s, s * 8) for s in (300, 100, 200, 150, 250)]  # arrived shuffled
    verdicts = [f.judge(x, T0 + timedelta(seconds=301))[0] for x in in_order(burst)]
    assert verdicts == [Verdict.ACCEPTED] * 5
    assert f.last == fix_at(300, 2400)


def test_fixes_older_than_retention_are_not_kept() -> None:
    assert too_old(fix_at(0), T0 + timedelta(days=31), 30)
    assert not too_old(fix_at(0), T0 + timedelta(days=29), 30)
