"""The plan's time budget shared out to group solves by their size: a big group gets more of what is left, never
more than all of it, and the groups still to start keep their shares."""
import dataclasses
from types import SimpleNamespace

import pytest

import planner.fleet.executors as executors
from planner.fleet.budget import Budget, lanes, repair_reserve, size_weight


def test_size_weight_is_the_groups_tasks_over_the_mean_of_those_pending():
    sizes = [50, 15, 35, 15]
    assert size_weight(sizes, 0, range(4)) == pytest.approx(50 / (115 / 4))
    assert size_weight(sizes, 1, [1, 2, 3]) == pytest.approx(15 / (65 / 3))
    assert size_weight([0, 0], 0, [0, 1]) == 1.0  # an empty group counts as one task: no division by zero


def test_a_share_grows_with_the_weight_but_never_beyond_what_is_left():
    budget = Budget(20.0)
    budget.overheads.append(1.0)
    equal = budget.solve_share(4, 1)
    bigger = budget.solve_share(4, 1, 0.0, 2.0)
    assert equal == pytest.approx(20.0 / 4 - 1.0, abs=0.01)
    assert bigger == pytest.approx(20.0 * 2 / 4 - 1.0, abs=0.01)
    assert budget.solve_share(4, 1, 2.0, 10.0) == pytest.approx(20.0 - 2.0 - 1.0, abs=0.01)  # all that is left


@dataclasses.dataclass
class FakeJob:
    tasks: list
    time_limit_s: float = 0.0


def test_groups_solved_in_turn_get_time_by_their_tasks(monkeypatch):
    import planner.fleet.budget as budget_module

    clock = [100.0]
    monkeypatch.setattr(budget_module.time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(executors.time, "perf_counter", lambda: clock[0])
    given: list[float] = []

    def solve_group(job, live=None):  # uses all its time
        given.append(job.time_limit_s)
        clock[0] += job.time_limit_s
        return SimpleNamespace(objective=0, stats={"solve_s": job.time_limit_s}, dropped=[])

    monkeypatch.setattr(executors, "solve_group", solve_group)
    budget = Budget(40.0, started=clock[0])
    budget.overheads.append(0.0)
    executors.run_groups([FakeJob([0] * 30), FakeJob([0] * 10), FakeJob([0] * 20)], "local", 1, budget)
    # 30, 10 and 20 of the 60 tasks: 20 s, then 10 of the 30 tasks left of the 20 s left, then the rest.
    assert given == pytest.approx([20.0, 20.0 / 3, 40.0 - 20.0 - 20.0 / 3])


def test_shares_handed_out_up_front_follow_the_groups_sizes(monkeypatch):
    import planner.fleet.budget as budget_module

    monkeypatch.setattr(budget_module.time, "perf_counter", lambda: 100.0)
    budget = Budget(40.0, started=100.0)
    budget.overheads.append(0.0)
    # 30, 10 and 20 tasks, mean 20, three rounds on one worker: 40 s x 1.5 / 3, x 0.5 / 3, x 1 / 3.
    assert budget.shares_up_front([30, 10, 20], 1) == pytest.approx([20.0, 40.0 / 6, 40.0 / 3])


def test_groups_are_dealt_to_workers_largest_first_onto_the_lightest_lane():
    # 50 and 35 tasks start side by side; each 15-task group follows on the lane with fewer tasks so far.
    assert lanes([50, 15, 35, 15], 2) == [[0, 3], [2, 1]]
    assert lanes([60, 15, 35, 15], 2) == [[0], [2, 1, 3]]
    # Ties go to the first lane; a lane never waits for another's groups.
    assert lanes([30, 20, 20, 10, 10], 2) == [[0, 3, 4], [1, 2]]
    assert lanes([10, 10, 10], 4) == [[0], [1], [2]]


def test_each_worker_shares_its_lane_by_size(monkeypatch):
    import concurrent.futures

    import planner.fleet.budget as budget_module

    monkeypatch.setattr(budget_module.time, "perf_counter", lambda: 100.0)  # the clock stands still: shares only
    given: dict[int, float] = {}

    class InlinePool:  # runs each job at once; a done future is all run_groups waits for
        def __init__(self, max_workers):
            self.max_workers = max_workers

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def submit(self, fn, job):
            future: concurrent.futures.Future = concurrent.futures.Future()
            future.set_result(fn(job))
            return future

    def solve_group(job, live=None):
        given[len(job.tasks)] = given.get(len(job.tasks), 0.0) + job.time_limit_s
        return SimpleNamespace(objective=0, stats={"solve_s": job.time_limit_s}, dropped=[])

    monkeypatch.setattr(executors, "ProcessPoolExecutor", InlinePool)
    monkeypatch.setattr(executors, "solve_group", solve_group)
    budget = Budget(40.0, started=100.0)
    budget.overheads.append(0.0)
    executors.run_groups([FakeJob([0] * 50), FakeJob([0] * 15), FakeJob([0] * 35), FakeJob([0] * 16)], "local", 2,
                         budget)
    # Lanes [50, 15] and [35, 16]: each group gets its size's part of its lane's tasks (nothing spent yet, so the
    # second of a lane gets all that is left of the 40 s).
    assert given == pytest.approx({50: 40.0 * 50 / 65, 15: 40.0, 35: 40.0 * 35 / 51, 16: 40.0})


def test_the_repair_reserve_is_small_until_groups_leave_work_undone_then_follows_the_share_they_left():
    # A 20 s plan in two groups, nothing finished: each unfinished group keeps 4 % of the limit's half (a day whose
    # groups serve everything never uses it; 12 % left a two-group fleet day 2.4 s idle).
    assert repair_reserve(20.0, 2, 2, 0, 0) == pytest.approx(0.8)
    assert repair_reserve(20.0, 2, 1, 0, 127) == pytest.approx(0.4)
    # Work left undone: at least 12 %, else the share left (10 of 40 tasks: 25 %), at most half the limit.
    assert repair_reserve(20.0, 2, 1, 3, 127) == pytest.approx(2.4)
    assert repair_reserve(20.0, 2, 1, 10, 40) == pytest.approx(5.0)
    assert repair_reserve(20.0, 2, 1, 40, 40) == pytest.approx(10.0)
    assert repair_reserve(20.0, 1, 1, 40, 40) == 0.0  # one group: nothing to repair into
