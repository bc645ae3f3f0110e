"""A stateful property test of the waiting list: random bookings, cancellations, declines and capacity
changes against a plain first-come-first-served model. After every step: never more booked than the
capacity, the waiting list in `queued_at` order and equal to the model's, nobody waiting while a place
is free."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from kapabel.learning import selectors, services
from kapabel.learning.models import Enrolment, EnrolmentStatus
from kapabel.learning.services import Refused
from tests.conftest import make_employee
from tests.learning.factories import SYSTEM

S = EnrolmentStatus
PEOPLE = 8


def test_waiting_list_stays_first_come_first_served(world, lw):
    people = [make_employee(world.a, world.team1, f"Q{i}", f"Kø {i}") for i in range(PEOPLE)]
    counter = itertools.count()

    class Queue(RuleBasedStateMachine):
        @initialize(capacity=st.integers(min_value=1, max_value=4))
        def start(self, capacity):
            # No sessions: cohorts of different runs never overlap in time.
            self.cohort = services.cohort_create(
                offer=lw.offer, capacity=capacity, code=f"Q{next(counter)}", status="open", actor=SYSTEM
            )
            self.capacity = capacity
            self.booked: list[int] = []  # people holding a place (order irrelevant)
            self.waiting: list[int] = []  # the model queue, first come first

        def _live(self, person):
            return Enrolment.objects.filter(
                cohort=self.cohort, employee=people[person], status__in=[S.BOOKED, S.WAITLISTED]
            ).first()

        def _promote(self):
            while self.waiting and len(self.booked) < self.capacity:
                self.booked.append(self.waiting.pop(0))

        @rule(person=st.integers(0, PEOPLE - 1))
        def book(self, person):
            try:
                enrolment = services.enrolment_book(cohort=self.cohort, employee=people[person], actor=SYSTEM)
            except Refused as refused:
                assert refused.code == "already_enrolled"
                assert person in self.booked or person in self.waiting
                return
            if len(self.booked) < self.capacity and not self.waiting:
                self.booked.append(person)
                assert enrolment.status == S.BOOKED
            else:
                self.waiting.append(person)
                assert enrolment.status == S.WAITLISTED

        @rule(person=st.integers(0, PEOPLE - 1), decline=st.booleans())
        def leave(self, person, decline):
            enrolment = self._live(person)
            if enrolment is None:
                return
            if decline:
                services.enrolment_decline(enrolment=enrolment, actor=SYSTEM)
            else:
                services.enrolment_cancel(enrolment=enrolment, actor=SYSTEM)
            if person in self.booked:
                self.booked.remove(person)
                self._promote()
            else:
                self.waiting.remove(person)

        @rule(delta=st.integers(-2, 3))
        def change_capacity(self, delta):
            new = max(1, self.capacity + delta)
            try:
                services.cohort_update(cohort=self.cohort, capacity=new, actor=SYSTEM)
            except Refused as refused:
                assert refused.code == "capacity" and new < len(self.booked)
                return
            self.capacity = new
            self._promote()

        @invariant()
        def matches_the_model(self):
            taken = selectors.places_taken(self.cohort)
            queue = list(selectors.waitlist(self.cohort).values_list("employee_id", "queued_at"))
            assert taken <= self.capacity
            assert [t for _e, t in queue] == sorted(t for _e, t in queue)
            assert not (queue and taken < self.capacity), "someone waits while a place is free"
            assert [e for e, _t in queue] == [people[p].pk for p in self.waiting]
            booked = set(
                Enrolment.objects.filter(cohort=self.cohort, status=S.BOOKED).values_list(
                    "employee_id", flat=True
                )
            )
            assert booked == {people[p].pk for p in self.booked}

    run_state_machine_as_test(
        Queue,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
