"""Properties of the job state machine: random sequences of actions never reach a status
the design does not allow, an illegal transition raises and changes nothing, a user's
cancel is carried out only from reserved or created."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from amazon_jobs.domain.jobs import (
    ACTIVE_STATUSES,
    TERMINAL_STATUSES,
    TRANSITIONS,
    USER_CANCELABLE,
    JobStatus,
    check_transition,
)
from amazon_jobs.errors import IllegalTransition
from tests.unit.test_jobs_domain import ALLOWED

S = JobStatus

#: The diagram of DESIGN.md, edge by edge (one copy, in the unit tests).
DESIGN_EDGES = ALLOWED


class Job:
    """A job as the domain lets it move: every move checked first."""

    def __init__(self) -> None:
        self.status = S.RESERVED
        self.path = [S.RESERVED]

    def move(self, to: JobStatus) -> None:
        check_transition(7, self.status, to)
        self.status = to
        self.path.append(to)

    def user_cancel(self) -> bool:
        """A cancel asked for by a user: carried out at once only while nothing was sent."""
        if self.status not in USER_CANCELABLE:
            return False
        self.move(S.CANCELED)
        return True


class JobLife(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.job = Job()

    @rule(to=st.sampled_from(JobStatus))
    def move(self, to: JobStatus) -> None:
        before = list(self.job.path)
        if (self.job.status, to) in DESIGN_EDGES:
            self.job.move(to)
            return
        with pytest.raises(IllegalTransition) as raised:
            self.job.move(to)
        assert raised.value.job_id == 7
        assert (raised.value.from_, raised.value.to) == (before[-1], to)
        assert str(raised.value) == f"job 7 cannot go from {before[-1]} to {to}"
        assert self.job.path == before

    @rule()
    def user_cancel(self) -> None:
        before = self.job.status
        done = self.job.user_cancel()
        assert done == (before in {S.RESERVED, S.CREATED})
        assert self.job.status == (S.CANCELED if done else before)

    @invariant()
    def path_follows_the_design(self) -> None:
        path = self.job.path
        assert path[0] is S.RESERVED
        assert all(step in DESIGN_EDGES for step in itertools.pairwise(path))
        # Nothing is ever sent twice and a finished job stays finished.
        assert len(path) == len(set(path))
        assert all(s not in TERMINAL_STATUSES for s in path[:-1])

    @invariant()
    def a_job_is_canceled_at_most_once_and_never_after_it_ended(self) -> None:
        # processing -> canceled exists (the Listings Items API channel stops between two
        # calls once a cancel was asked for), but a user's cancel is never carried out at
        # once in processing: see the user_cancel rule.
        path = self.job.path
        assert path.count(S.CANCELED) <= 1
        assert S.CANCELED not in path[:-1]


JobLife.TestCase.settings = settings(
    max_examples=80, stateful_step_count=20, deadline=None, database=None
)
test_random_actions_never_reach_an_illegal_state = JobLife.TestCase


def test_transition_table_is_the_design_and_terminal_states_are_final() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == DESIGN_EDGES
    assert set(TRANSITIONS) == set(JobStatus)
    assert all(TRANSITIONS[s] == frozenset() for s in TERMINAL_STATUSES)
    assert {S.RESERVED, S.CREATED} == USER_CANCELABLE
    assert set(JobStatus) == ACTIVE_STATUSES | TERMINAL_STATUSES
