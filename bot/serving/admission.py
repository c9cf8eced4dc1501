"""Admission control in front of the engine: one worker thread, a bounded queue, an answer cache.

Why one worker: the engine is CPU-bound and the embedder already uses every core for a batch, so
answers run one at a time in arrival order (under a burst the first answers go out early instead of
all finishing together).

Why a bound: without one, a burst of requests whose clients have long given up is computed anyway
and the next real question waits behind all of them (2,000 abandoned requests made the
next question wait 74 s). A request that may be refused (`POST /api/ask`) is refused at once when
`max_queue` questions are already waiting (the server answers 503 with Retry-After); one that was
already acknowledged to a chat platform is always queued (it is answered late, never dropped).
A queued request whose asker has gone (`wanted()` is False) is skipped when its turn comes.

Micro-batching in a pipeline: encoder threads, one per core, ask the engine which text each queued
(or announced: `coming(question)`) question will embed (`Engine.query_text`) and give them, a few
at a time in arrival order, to `prime` (the embedder's batch call, one core per call, with a
query-vector cache); the worker answers a
question once its vector is ready. While the encoders work on the next batches (native code, no
interpreter lock) the worker and the chat adapters do their Python for the answers before them.
Encoding everything first and then answering (the previous design) left one core idle for the whole
tail of a burst: in a Teams burst of 50 the answers' own Python came after the last encoding, ~200 ms
at one core. One serial call per core, rather than one call split over the cores, keeps encoding at
full speed while Python runs beside it (retrieval/embedders.py `embed_queries_serially`).

The answer cache keeps answers to repeated questions and commands that carry no conversation
(a follow-up in a conversation may depend on what came before). Its key includes the corpus and
embedder identity; every hit gets a fresh answer id, so votes still attach to one answer each.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Protocol

from bot.types import Answer, Question

log = logging.getLogger(__name__)

# Sizing: an admitted request waits at most about max_queue x the time of one answer (~15 ms warm
# with e5 on two cores), so 100 keeps the worst wait near 1.5 s, inside the 3 s a chat user (and
# Slack's own retry clock) tolerates. Size it as (acceptable wait) / (warm answer time from
# `make bench`); more cores make answers faster, so the same wait allows a longer queue.
DEFAULT_MAX_QUEUE = 100
# A refusable request is also refused when the queue ahead of it would take longer than this to
# answer, by the pace answers leave at (`EngineQueue._pace`): on a machine slowed by other work the
# count alone would admit requests that then wait far longer than the 1.5 s the count was sized for.
# 1.5 s, not 2: the pace is a past average, and under a flood of 600 clients the event loop's own work
# (reading and parsing every request) made the last admitted answers come ~1.5 x later than estimated
# (3.1 s at 2 s); 1.5 s keeps them inside the 3 s a chat user tolerates.
MAX_WAIT_S = 1.5
ANSWER_CACHE_SIZE = 1024
FIRST_PACE_S = 0.02  # the time per answer assumed before any answer was timed
PACE_WINDOW = 32  # answers the time per answer is averaged over: four batches
# Questions encoded in one batch call. A batch's answers wait for all of it, and the last batch's
# Python is the one part of a burst that cannot overlap an encoding: small batches keep that tail
# short. The embedder's cost per question is nearly flat from 8 up (e5: 19-20 ms of CPU each at 8 or
# at 50, 22 ms one at a time), so little is lost. Chosen with `make bench` (Teams/Slack burst p95).
ENCODE_BATCH = 8
# A question costing this many typical ones (`cost`: ~38 tokens and up) is encoded in a batch of its own:
# a batch is padded to its longest text, so one question of 2,000 random letters made seven typical
# ones beside it cost what it did (a batch of eight: 1.44 s instead of 0.31 s).
LONG_COST = 4.0
# Long questions together may hold at most this share of MAX_WAIT_S: a flood of them (2,000 random
# letters from many clients) otherwise filled the queue, and ordinary questions were refused with 503.
LONG_SHARE = 0.5
# How long an encoder waits for questions already on their way (their conversation being loaded)
# before it starts a batch without them: a burst's first question otherwise went alone, and the
# rest waited for its single encoding. A question with nothing on its way is never held.
GATHER_S = 0.03


class Busy(Exception):
    """The queue is full: try again after `retry_after_s`."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"engine queue full; retry after {retry_after_s:.0f} s")
        self.retry_after_s = retry_after_s


class Gone(Exception):
    """The asker went away before the question's turn came; it was not computed."""


class Responder(Protocol):
    def respond(self, question: Question) -> Answer: ...


def _always() -> bool:
    return True


@dataclass(eq=False)  # identity: a ticket is found and removed as itself, whatever it asks
class _Job:
    question: Question
    future: Future
    wanted: Callable[[], bool] = _always
    enqueued: float = field(default_factory=time.perf_counter)
    # Work other than `engine.respond(question)` that must also run on the engine's one thread (a
    # conversation's follow-up resolution, the dashboard's re-ranking); never cached or shared.
    call: Callable[[], object] | None = None
    # Taken by the encoder (its query text read once: a burst of N is read N times, not N x N), then
    # encoded: its vector is in the embedder's cache, or it has none to encode.
    taken: bool = False
    encoded: bool = False
    cost: float = 1.0  # its encoding in typical questions' (EngineQueue's `cost`)


class AnswerCache:
    """LRU of answers by (identity, normalised text, via_command); thread-safe."""

    def __init__(self, identity: str, size: int = ANSWER_CACHE_SIZE) -> None:
        self.identity = identity
        self.size = size
        self._answers: OrderedDict[tuple, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def key(self, question: Question) -> tuple | None:
        if question.conversation or self.size <= 0:
            return None
        return self.identity, question.text, question.via_command

    def get(self, question: Question, fresh_id: Callable[[], str]) -> Answer | None:
        key = self.key(question)
        if key is None:
            return None
        with self._lock:
            answer = self._answers.get(key)
            if answer is None:
                return None
            self._answers.move_to_end(key)
        return replace(answer, answer_id=fresh_id()) if answer.answer_id else answer

    def has(self, question: Question) -> bool:
        key = self.key(question)
        return key is not None and key in self._answers

    def clear(self) -> None:
        """Forget every answer (an owner's lesson can change any of them)."""
        with self._lock:
            self._answers.clear()

    def put(self, question: Question, answer: Answer) -> None:
        key = self.key(question)
        if key is None:
            return
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)


class EngineQueue:
    def __init__(self, engine: Responder, max_queue: int = DEFAULT_MAX_QUEUE,
                 prime: Callable[[Sequence[str]], None] | None = None,
                 cache: AnswerCache | None = None, fresh_id: Callable[[], str] | None = None,
                 encoders: int | None = None, cost: Callable[[str], float] | None = None) -> None:
        self.engine = engine
        # A question's encoding cost in typical questions (1 for nearly all; ~14 for 2,000 random
        # letters): the wait a queue means is its total cost, not its length (retrieval/batching.py).
        self._cost = cost
        self.max_queue = max(1, max_queue)
        self._prime = prime
        self.cache = cache
        self._fresh_id = fresh_id or (lambda: "")
        self._jobs: deque[_Job] = deque()
        self._in_flight: dict[tuple, Future] = {}  # cacheable questions queued or being answered
        self._cond = threading.Condition()
        self._closed = False
        self._busy = False
        self._paces: deque[float] = deque(maxlen=PACE_WINDOW)  # time per typical answer, the last few: `_pace`
        self._last_done: float | None = None  # when the last answer went out, if others were waiting then
        self._on_the_way = 0  # questions announced (`coming()`) and not yet submitted
        self._announced: list[_Job] = []  # their tickets: encodable before they are submitted
        self._query_text = getattr(engine, "query_text", None)
        self._encoders: list[threading.Thread] = []
        if prime is not None and self._query_text is not None:
            self._encoders = [threading.Thread(target=self._encode_loop, name=f"encoder-{n}", daemon=True)
                              for n in range(max(1, encoders or os.cpu_count() or 1))]
        for thread in self._encoders:
            thread.start()
        self._thread = threading.Thread(target=self._run, name="engine", daemon=True)
        self._thread.start()

    def swap(self, engine: Responder, prime: Callable[[Sequence[str]], None] | None,
             cost: Callable[[str], float] | None) -> None:
        """Another engine answers from the next question on (call it on the engine's thread, between
        two answers); the encoders prime its embedder from then on."""
        with self._cond:
            self.engine, self._prime, self._cost = engine, prime, cost
            self._query_text = getattr(engine, "query_text", None)

    # --- asking ---------------------------------------------------------------------------------

    def submit(self, question: Question, *, wanted: Callable[[], bool] = _always, refuse_when_full: bool = False,
               call: Callable[[], object] | None = None, ticket: _Job | None = None) -> Future:
        """Queue a question (answered by `call()` when given, else `engine.respond`); raises Busy
        (only with `refuse_when_full`) when the queue is full. `ticket`, from `coming(question)`,
        carries what the encoders already did for it."""
        future: Future = Future()
        key = self.cache.key(question) if self.cache is not None and call is None else None
        cost = ticket.cost if ticket is not None else self._cost_of(question)
        with self._cond:
            if self._closed:
                raise RuntimeError("the engine queue is closed")
            leader = self._in_flight.get(key) if key is not None else None
            if leader is not None:
                # The same question is already waiting or being answered: share its answer (with an
                # answer id of its own) instead of queueing it again. A burst of one question is one answer.
                leader.add_done_callback(lambda done: self._relay(done, question, future, wanted))
                return future
            if refuse_when_full and self._full(cost) and (self._drop_unwanted() == 0 or self._full(cost)):
                raise Busy(self.retry_after_s())
            self._enqueue(question, future, wanted, key, call, ticket, cost)
        return future

    def _cost_of(self, question: Question) -> float:
        if self._cost is None or not question.text:
            return 1.0
        try:
            return max(1.0, float(self._cost(question.text)))
        except Exception:  # noqa: BLE001 - an estimate that fails must not cost the answer
            return 1.0

    @contextmanager
    def coming(self, question: Question | None = None) -> Iterator[_Job | None]:
        """Announce a question that will be submitted when this block ends (after its conversation is
        loaded), so a batch starting meanwhile waits briefly for it. Given the question, the encoders
        may encode it before then: pass the ticket this yields to `submit`. (A burst's messages spend
        their first ~20-40 ms in the adapters and the store; the encoders used to sit idle meanwhile.)"""
        ticket = _Job(question, Future(), cost=self._cost_of(question)) if question is not None and self._encoders else None
        with self._cond:
            self._on_the_way += 1
            if ticket is not None:
                self._announced.append(ticket)
                self._cond.notify_all()
        try:
            yield ticket
        finally:
            with self._cond:
                self._on_the_way -= 1
                if ticket in self._announced:  # not submitted: answered from the cache, shared, or failed
                    self._announced.remove(ticket)
                self._cond.notify_all()

    def _enqueue(self, question: Question, future: Future, wanted: Callable[[], bool], key: tuple | None,
                 call: Callable[[], object] | None = None, ticket: _Job | None = None, cost: float = 1.0) -> None:
        """With the lock held."""
        if ticket is not None and ticket in self._announced:
            self._announced.remove(ticket)
            ticket.question, ticket.future, ticket.wanted, ticket.call = question, future, wanted, call
            ticket.enqueued = time.perf_counter()
            self._jobs.append(ticket)  # taken / encoded as the encoders left it
        else:
            self._jobs.append(_Job(question, future, wanted, call=call, cost=cost))
        if key is not None:
            self._in_flight[key] = future
            future.add_done_callback(lambda done: self._forget(key, done))
        self._cond.notify_all()  # the encoders and the worker wait on one condition: wake them all

    def _drop_unwanted(self) -> int:
        """With the lock held: take the requests whose askers have gone out of the queue at once (the
        worker would skip them anyway), so they never make a live request be refused. Returns how many."""
        alive: deque[_Job] = deque()
        dropped = []
        for job in self._jobs:
            (alive if _still_wanted(job) and not job.future.cancelled() else dropped).append(job)
        self._jobs = alive
        for job in dropped:
            if job.future.set_running_or_notify_cancel():
                job.future.set_exception(Gone())
        return len(dropped)

    def _forget(self, key: tuple, done: Future) -> None:
        with self._cond:
            if self._in_flight.get(key) is done:
                del self._in_flight[key]

    def _relay(self, leader: Future, question: Question, future: Future, wanted: Callable[[], bool]) -> None:
        """Hand the leader's answer on; if the leader was not answered (its asker left), queue this one."""
        if future.done():
            return
        if not leader.cancelled() and leader.exception() is None:
            answer = leader.result()
            if future.set_running_or_notify_cancel():
                future.set_result(replace(answer, answer_id=self._fresh_id()) if answer.answer_id else answer)
            return
        with self._cond:
            if self._closed:
                future.cancel()
                return
            self._enqueue(question, future, wanted, None, cost=self._cost_of(question))  # already admitted: not refused now

    def cached(self, question: Question) -> Answer | None:
        return self.cache.get(question, self._fresh_id) if self.cache is not None else None

    @property
    def waiting(self) -> int:
        return len(self._jobs)

    @property
    def full(self) -> bool:
        return self._full()

    def _full(self, cost: float = 1.0) -> bool:
        """Would a question of this cost be refused now? (With the lock held.)"""
        if len(self._jobs) >= self.max_queue:
            return True
        per_answer = self._seconds_per_answer()
        if cost >= LONG_COST and self._queued_cost(LONG_COST) * per_answer >= LONG_SHARE * MAX_WAIT_S:
            return True
        return self._queued_cost() * per_answer >= MAX_WAIT_S

    def _queued_cost(self, at_least: float = 0.0) -> float:
        """The waiting questions' cost in typical questions, of those costing `at_least` each (a list of at
        most max_queue, read under the lock)."""
        return sum(job.cost for job in self._jobs if job.cost >= at_least)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self._closed

    def retry_after_s(self) -> float:
        """About how long until the queue has room again: its cost times the time per typical answer."""
        return max(1.0, round(self._queued_cost() * self._seconds_per_answer() + 0.5))

    def close(self) -> None:
        with self._cond:
            self._closed = True
            jobs, self._jobs = list(self._jobs), deque()
            self._cond.notify_all()
        for job in jobs:
            job.future.cancel()
        for thread in (self._thread, *self._encoders):
            if threading.current_thread() is not thread:
                thread.join(timeout=30)

    # --- the worker -----------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                # The first question waits for its vector (it is always in the encoder's next batch);
                # a cancelled one is not worth waiting for.
                while not self._closed and (not self._jobs or (
                        self._encoders and not self._jobs[0].encoded and not self._jobs[0].future.done())):
                    self._cond.wait()
                if self._closed:
                    return
                job = self._jobs.popleft()
            if not job.future.set_running_or_notify_cancel():
                continue  # cancelled while waiting (the awaiting task was cancelled)
            if not _still_wanted(job):
                job.future.set_exception(Gone())
                continue
            started = time.perf_counter()
            try:
                answer = None if job.call is not None else self.cached(job.question)
                if answer is None:
                    if job.call is not None:
                        answer = job.call()
                    else:
                        answer = self.engine.respond(job.question)
                        if self.cache is not None:
                            self.cache.put(job.question, answer)
            except BaseException as exc:  # noqa: BLE001 - handed to the asker, the worker lives on
                job.future.set_exception(exc)
                continue
            self._pace(started, job.cost)
            job.future.set_result(answer)

    def _pace(self, started: float, cost: float = 1.0) -> None:
        """Update the time per typical answer. While questions wait, answers leave at the pace of the
        whole pipeline, the encoders' share included: the time between two answers, divided by the
        answered question's cost. The worker's own time for an answer leaves the encoding out (~0.5 ms,
        against ~6 ms a question in a burst of 50 on two cores), so the MAX_WAIT_S bound admitted
        several times the work it was meant to."""
        done = time.perf_counter()
        self._paces.append((done - (self._last_done if self._last_done is not None else started)) / cost)
        self._last_done = done if self._jobs else None

    def _seconds_per_answer(self) -> float:
        # A mean over a window, not a running average: answers leave in batches (eight at once, then a
        # wait for the next batch), and a running average read just after a batch saw only the eight.
        paces = list(self._paces)  # the worker appends from its own thread
        return sum(paces) / len(paces) if paces else FIRST_PACE_S

    # --- the encoder ----------------------------------------------------------------------------

    def _encode_loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed and not self._untaken():
                    self._cond.wait()
                if self._closed:
                    return
                if len(self._untaken()) < ENCODE_BATCH:
                    self._gather()
                untaken = self._untaken()
                if untaken and untaken[0].cost >= LONG_COST:
                    batch = untaken[:1]  # alone: a batch is padded to its longest text
                else:
                    untaken = [job for job in untaken if job.cost < LONG_COST]
                    # A share for each encoder: ten questions are two batches of five, not eight and two.
                    batch = untaken[:min(ENCODE_BATCH, -(-len(untaken) // len(self._encoders)))]
                for job in batch:
                    job.taken = True
                # Nothing else queued or on its way: the worker encodes it itself, on every core.
                alone = len(self._jobs) == 1 and not self._on_the_way
            try:
                self._encode(batch, alone)
            finally:
                with self._cond:
                    for job in batch:
                        job.encoded = True
                    self._cond.notify_all()

    def _untaken(self) -> list[_Job]:
        """With the lock held: what no encoder has taken yet, queued questions first, then announced ones."""
        return [job for job in self._jobs if not job.taken] + [t for t in self._announced if not t.taken]

    def _gather(self) -> None:
        """With the lock held: wait (at most GATHER_S) for the questions on their way to be queued,
        so that a burst's first batch is not one question alone with the rest waiting behind it."""
        deadline = time.perf_counter() + GATHER_S
        while self._on_the_way and not self._closed and len(self._untaken()) < ENCODE_BATCH:
            left = deadline - time.perf_counter()
            if left <= 0:
                return
            self._cond.wait(left)

    def _encode(self, jobs: list[_Job], alone: bool = False) -> None:
        """Encode the query texts of `jobs` in one batch call (the embedder caches them per text).
        Skipped: cancelled jobs, those whose askers left, answers already cached, and a question
        `alone` in the queue."""
        texts: list[str] = []
        for job in jobs:
            if job.future.done() or not _still_wanted(job) or (self.cache is not None and self.cache.has(job.question)):
                continue
            try:
                text = self._query_text(job.question)
            except Exception:  # noqa: BLE001 - a question the engine cannot pre-read is answered normally
                continue
            if text:
                texts.append(text)
        if not texts or (alone and len(texts) == 1):
            # A question alone is left to the worker, whose call splits it over every core (~15 ms
            # with e5, against ~30 ms on one core). Splitting from the encoders instead would give
            # each its own OpenMP pool, and with more pooled threads than cores OpenMP stops
            # spinning at its barriers: every lone question then took ~30 ms anyway. In a burst a
            # question is never alone, even when it is taken by itself: left to the worker, a burst
            # arriving one message at a time was encoded by the worker, one by one, behind the answers.
            return
        try:
            self._prime(list(dict.fromkeys(texts)))
        except Exception as exc:  # noqa: BLE001 - priming is an optimisation; answering still works
            log.warning("batch encoding failed: %s", type(exc).__name__)


def _still_wanted(job: _Job) -> bool:
    try:
        return bool(job.wanted())
    except Exception:  # noqa: BLE001 - a broken check must not cost an answer
        return True
