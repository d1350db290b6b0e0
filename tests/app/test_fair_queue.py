"""The order of an engine worker's requests: priorities, and fair shares between
clients (on a clock the test moves by hand)."""

from __future__ import annotations

import pytest

from app.fair_queue import (
    BACKGROUND,
    COMMAND,
    FRAME,
    STARVE_SECONDS,
    TAU,
    USAGE_HALF_LIFE,
    FairQueue,
    Request,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def queued(queue: FairQueue, clock: Clock, *items: tuple[str, str, int]) -> None:
    """Queue (tenant, op, priority) items, one clock tick apart."""
    for tenant, op, priority in items:
        queue.push(Request("run-" + tenant, op, (), priority, tenant, arrived=clock.now))
        clock.now += 0.001


def order(queue: FairQueue) -> list[str]:
    taken = []
    while (request := queue.pop()) is not None:
        taken.append(request.op)
    return taken


def test_within_their_shares_commands_go_before_frames_before_training(clock: Clock) -> None:
    queue = FairQueue(clock)
    queued(queue, clock, ("a", "train-a", BACKGROUND), ("b", "frame-b", FRAME),
           ("c", "frame-c", FRAME), ("a", "set-a", COMMAND))
    assert order(queue) == ["set-a", "frame-b", "frame-c", "train-a"]


def test_a_client_over_its_share_waits_while_the_others_go_first(clock: Clock) -> None:
    queue = FairQueue(clock)
    queue.charge("greedy", 0.5)  # half a second of the worker just now
    for student in ("s1", "s2", "s3"):
        queue.charge(student, 0.004)
    shares, fair = queue.shares(clock.now)
    assert fair == pytest.approx(1 / 4)
    assert shares["greedy"] == pytest.approx(0.5 / TAU) and shares["greedy"] > fair
    queued(queue, clock, ("greedy", "set-greedy", COMMAND), ("greedy", "frame-greedy", FRAME),
           ("s1", "frame-s1", FRAME), ("s2", "train-s2", BACKGROUND),
           ("s3", "set-s3", COMMAND))
    # even its command waits for the students' frames and training
    assert order(queue) == ["set-s3", "frame-s1", "train-s2", "set-greedy", "frame-greedy"]


def test_when_everyone_is_over_their_share_the_least_used_goes_first(clock: Clock) -> None:
    queue = FairQueue(clock)
    for tenant, used in (("a", 0.6), ("b", 1.8), ("c", 1.2)):
        queue.charge(tenant, used)
    queued(queue, clock, ("b", "frame-b", FRAME), ("c", "frame-c", FRAME),
           ("a", "frame-a", FRAME), ("b", "set-b", COMMAND))
    shares, fair = queue.shares(clock.now)
    assert all(share > fair for share in shares.values())
    assert order(queue) == ["set-b", "frame-a", "frame-c", "frame-b"]


def test_a_request_over_its_share_never_waits_much_longer_than_the_starving_bound(
        clock: Clock) -> None:
    queue = FairQueue(clock)
    queue.charge("greedy", 100.0)
    queued(queue, clock, ("greedy", "frame-greedy", FRAME))
    clock.now += STARVE_SECONDS
    queue.charge("student", 0.001)
    queued(queue, clock, ("student", "frame-student", FRAME))
    assert queue.shares(clock.now)[0]["greedy"] > queue.shares(clock.now)[1]
    assert order(queue) == ["frame-greedy", "frame-student"]


def test_use_is_forgotten_by_half_every_half_life(clock: Clock) -> None:
    queue = FairQueue(clock)
    queue.charge("a", 0.8)
    clock.now += USAGE_HALF_LIFE
    assert queue.usage("a") == pytest.approx(0.4)
    queue.charge("a", 0.1)
    clock.now += 2 * USAGE_HALF_LIFE
    assert queue.usage("a") == pytest.approx(0.125)
    clock.now += 30 * USAGE_HALF_LIFE
    assert queue.shares(clock.now) == ({}, 1.0)  # a quiet tenant is forgotten


def test_a_client_back_within_its_share_is_served_in_order_again(clock: Clock) -> None:
    queue = FairQueue(clock)
    queue.charge("greedy", 1.0)  # of two clients, more than half the worker lately
    queue.charge("student", 0.01)
    queued(queue, clock, ("greedy", "frame-greedy", FRAME), ("student", "frame-student", FRAME))
    assert queue.pop().op == "frame-student"
    queue.push(Request("run-student", "frame-student-2", (), FRAME, "student",
                       arrived=clock.now))
    clock.now += 10 * USAGE_HALF_LIFE  # the greedy client's use has decayed
    queue.charge("student", 0.01)
    assert order(queue) == ["frame-greedy", "frame-student-2"]


def test_a_promoted_request_becomes_a_command(clock: Clock) -> None:
    queue = FairQueue(clock)
    queued(queue, clock, ("a", "frame-a", FRAME), ("b", "frame-b", FRAME))
    frame_b = next(r for r in queue if r.op == "frame-b")
    assert queue.promote(frame_b.future) is True
    assert queue.waiting(COMMAND) == 1 and queue.waiting(FRAME) == 1
    assert order(queue) == ["frame-b", "frame-a"]
    assert queue.promote(frame_b.future) is False
