"""Issue 11, bursts: what kept 50 concurrent chat messages from finishing near the compute floor.

Each test pins one mechanism found by timing a Slack/Teams burst (`make bench`): the worker re-read
every waiting question's query text for each answer (N x N), the group commit held threads of the
event loop's small default pool while waiting, SQLite reads queued behind other threads' fsyncs,
a burst's first question was encoded alone while the rest were still loading their conversations,
the encoders sat idle until a message's conversation was loaded, and every answer waited for the whole burst's encoding (now a pipeline of encoder threads).
The engine here is a stand-in that records what it was asked; the stores are real.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bot.serving.admission import FIRST_PACE_S, LONG_SHARE, MAX_WAIT_S, Busy, EngineQueue
from bot.feedback.sqlite import SqliteStore
from bot.serving.groupcommit import GroupCommit
from bot.types import Answer, Question


class RecordingEngine:
    """Answers at once; counts query-text reads. `prime` records each batch it is given."""

    def __init__(self) -> None:
        self.reads = 0
        self.batches: list[list[str]] = []

    def query_text(self, question: Question) -> str:
        self.reads += 1
        return question.text

    def respond(self, question: Question) -> Answer:
        return Answer(text=question.text, lang="nb", citations=(), kind="answer")

    def prime(self, texts) -> None:
        self.batches.append(list(texts))


def _ask_a_burst(queue: EngineQueue, count: int) -> list[str]:
    """`count` questions queued at once (announced, so no batch starts before all are in); the texts of
    their answers, in order. Closes the queue."""
    try:
        with queue.coming():
            futures = [queue.submit(Question(f"question {n}")) for n in range(count)]
        return [f.result(5).text for f in futures]
    finally:
        queue.close()


def test_each_waiting_question_is_read_once_for_batching_not_once_per_answer():
    engine = RecordingEngine()
    queue = EngineQueue(engine, max_queue=100, prime=engine.prime)
    release = threading.Event()
    try:
        blocker = queue.submit(Question("first"), call=lambda: release.wait(5))
        futures = [queue.submit(Question(f"question {n}")) for n in range(30)]
        release.set()
        blocker.result(5)
        for future in futures:
            future.result(5)
    finally:
        queue.close()
    batched = [text for batch in engine.batches for text in batch]
    # Every one encoded in a batch, but perhaps a last one left alone (the worker encodes a lone question).
    assert len({f"question {n}" for n in range(30)} - set(batched)) <= 1
    assert engine.reads <= 31  # 'first' and the 30 once each; was 30 + 29 + ... + 1 = 465 more


def test_a_question_on_its_way_is_encoded_in_the_same_batch_as_the_one_before_it():
    """While a conversation loads, the question is announced (`coming`); the encoder waits for it briefly
    instead of encoding the first question alone and making the rest wait for that encoding."""
    engine = RecordingEngine()
    queue = EngineQueue(engine, max_queue=100, prime=engine.prime, encoders=1)
    try:
        with queue.coming():
            first = queue.submit(Question("first question"))
            time.sleep(0.005)  # the worker has taken the first question by now
            second = queue.submit(Question("second question"))
        first.result(5)
        second.result(5)
    finally:
        queue.close()
    assert engine.batches == [["first question", "second question"]]


def test_an_announced_question_is_encoded_while_its_conversation_still_loads():
    """A burst's messages spend their first 20-40 ms in the adapters and the store (delivery check,
    conversation load) before they are queued; the encoders sat idle meanwhile. Announced with its
    question, a message is encodable at once, and once queued it is not encoded again."""
    engine = RecordingEngine()
    queue = EngineQueue(engine, max_queue=100, prime=engine.prime, encoders=1)
    try:
        with queue.coming(Question("first question")) as first_ticket, \
                queue.coming(Question("second question")) as second_ticket:
            deadline = time.perf_counter() + 5
            while not engine.batches and time.perf_counter() < deadline:
                time.sleep(0.002)  # the "conversation" is still loading: nothing is submitted yet
            assert engine.batches == [["first question", "second question"]]
            first = queue.submit(Question("first question"), ticket=first_ticket)
            second = queue.submit(Question("second question"), ticket=second_ticket)
        assert [first.result(5).text, second.result(5).text] == ["first question", "second question"]
    finally:
        queue.close()
    assert engine.batches == [["first question", "second question"]] and engine.reads == 2


def test_the_first_answers_go_out_while_later_questions_are_still_being_encoded():
    """The pipeline: the worker answers a batch as soon as it is encoded. Before, the worker encoded
    every queued question before answering the second one, so a burst's answers all came at its end."""
    engine = RecordingEngine()
    later_batch_started, release = threading.Event(), threading.Event()

    def prime(texts):
        engine.prime(texts)
        if len(engine.batches) > 1:
            later_batch_started.set()
            release.wait(5)

    queue = EngineQueue(engine, max_queue=100, prime=prime, encoders=1)
    try:
        with queue.coming():  # all twenty are queued before the first batch is taken
            futures = [queue.submit(Question(f"question {n}")) for n in range(20)]
        assert later_batch_started.wait(5)
        first_batch = len(engine.batches[0])
        assert 1 < first_batch < 20
        assert all(f.result(2).text == f"question {n}" for n, f in enumerate(futures[:first_batch]))
        assert not futures[first_batch].done()  # its batch is still being encoded
        release.set()
        assert [f.result(5).text for f in futures] == [f"question {n}" for n in range(20)]
    finally:
        release.set()
        queue.close()


def test_every_encoder_takes_its_own_share_of_a_burst():
    engine = RecordingEngine()
    lock, running, most = threading.Lock(), [0], [0]

    def prime(texts):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        engine.prime(texts)
        with lock:
            running[0] -= 1

    queue = EngineQueue(engine, max_queue=100, prime=prime, encoders=2)
    assert _ask_a_burst(queue, 20) == [f"question {n}" for n in range(20)]
    assert most[0] == 2
    batched = [t for batch in engine.batches for t in batch]
    assert len(batched) == len(set(batched)) >= 19  # each once; a lone last one is the worker's


def test_a_question_taken_by_itself_in_a_burst_is_still_encoded_by_an_encoder():
    """Only a question alone in the queue is left to the worker (which encodes it on every core). Three
    questions shared by two encoders are two and one; the one used to be left to the worker too, and a
    burst arriving a message at a time was then encoded by the worker, one by one, behind the answers."""
    engine = RecordingEngine()
    queue = EngineQueue(engine, max_queue=100, prime=engine.prime, encoders=2)
    assert _ask_a_burst(queue, 3) == [f"question {n}" for n in range(3)]
    assert sorted(t for batch in engine.batches for t in batch) == ["question 0", "question 1", "question 2"]


def test_the_wait_bound_counts_the_encoding_not_only_the_workers_own_time():
    """MAX_WAIT_S refuses a request when the queue ahead of it would take longer than that to answer.
    Its time per answer was the worker's own, which leaves the encoders' share out (~0.5 ms against
    ~6 ms a question in a burst): the bound admitted ten times the work it was meant to. It is now the
    pace at which answers leave while others wait."""
    engine = RecordingEngine()

    def slow_prime(texts):  # the encoders' share: ~10 ms a question
        time.sleep(0.01 * len(texts))
        engine.prime(texts)

    queue = EngineQueue(engine, max_queue=10_000, prime=slow_prime, encoders=1)
    release = threading.Event()
    try:
        with queue.coming():
            burst = [queue.submit(Question(f"question {n}")) for n in range(30)]
        for future in burst:
            future.result(5)
        blocker = queue.submit(Question(""), call=lambda: release.wait(5))
        admitted = 0
        try:
            while admitted < 5_000:
                queue.submit(Question(f"later {admitted}"), refuse_when_full=True)
                admitted += 1
        except Busy:
            pass
        # 2 s of ~10 ms answers is ~200 questions; the worker's own time (~0) admitted all 5,000.
        assert 50 <= admitted <= 1_000
    finally:
        release.set()
        blocker.result(5)
        queue.close()


def _cost_by_length(text: str) -> float:
    return 14.0 if len(text) > 100 else 1.0


def test_long_questions_may_fill_only_their_share_of_the_wait_so_ordinary_ones_still_get_in():
    """A flood of 2,000-letter questions from many clients costs ~14 typical questions each: counted as
    one each, they filled the queue with several seconds of work and every ordinary question after them
    was refused (503). Their cost is counted, and together they may hold only LONG_SHARE of MAX_WAIT_S."""
    engine = RecordingEngine()
    queue = EngineQueue(engine, max_queue=10_000, prime=engine.prime, encoders=1, cost=_cost_by_length)
    release = threading.Event()
    blocker = queue.submit(Question(""), call=lambda: release.wait(5))
    try:
        long_admitted = 0
        try:
            while long_admitted < 1_000:
                queue.submit(Question("x" * 2000 + str(long_admitted)), refuse_when_full=True)
                long_admitted += 1
        except Busy:
            pass
        # FIRST_PACE_S (0.02 s) x 14 = 0.28 s each, up to LONG_SHARE of MAX_WAIT_S.
        assert long_admitted == math.ceil(LONG_SHARE * MAX_WAIT_S / (FIRST_PACE_S * 14))
        queue.submit(Question("Hva er hovedanbefalingen?"), refuse_when_full=True)  # not Busy
    finally:
        release.set()
        blocker.result(5)
        queue.close()


def test_a_long_question_is_encoded_in_a_batch_of_its_own():
    """A batch is padded to its longest text: one question of 2,000 random letters among seven typical
    ones made all eight cost what it did."""
    engine = RecordingEngine()
    queue = EngineQueue(engine, max_queue=100, prime=engine.prime, encoders=1, cost=_cost_by_length)
    try:
        with queue.coming():
            futures = [queue.submit(Question("y" * 2000 if n == 3 else f"question {n}")) for n in range(8)]
        for future in futures:
            future.result(5)
    finally:
        queue.close()
    long_batches = [batch for batch in engine.batches if any(len(text) > 100 for text in batch)]
    assert long_batches == [["y" * 2000]]
    assert sum(len(batch) for batch in engine.batches) == 8


def test_nothing_on_its_way_means_no_wait():
    engine = RecordingEngine()
    queue = EngineQueue(engine, max_queue=100, prime=engine.prime)
    try:
        started = time.perf_counter()
        queue.submit(Question("alone")).result(5)
        assert time.perf_counter() - started < 0.025  # GATHER_S is 0.03: a lone question is not held
    finally:
        queue.close()


async def test_waiting_for_a_group_commit_holds_no_thread_of_the_default_pool():
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
    entered, release = threading.Event(), threading.Event()

    def write(batch):
        entered.set()
        release.wait(5)

    commit = GroupCommit(write)
    try:
        waiting = [asyncio.create_task(commit.wait(n)) for n in range(5)]
        assert await asyncio.to_thread(entered.wait, 5)
        # Five writers are waiting for their commit; the pool's one thread is still free for a read.
        assert await asyncio.wait_for(asyncio.to_thread(lambda: "read"), 2) == "read"
        release.set()
        await asyncio.wait_for(asyncio.gather(*waiting), 5)
    finally:
        release.set()
        commit.close()


def test_a_group_commit_hands_each_writer_its_own_result_and_writes_what_is_pending_on_close():
    written = []

    def write(batch):
        written.extend(batch)
        return [item * 2 for item in batch]

    commit = GroupCommit(write)
    assert commit(3) == 6
    futures = [commit.submit(n) for n in range(10)]
    commit.close()
    assert [f.result(0) for f in futures] == [n * 2 for n in range(10)]
    assert sorted(written) == sorted([3, *range(10)])


def test_a_sqlite_read_does_not_wait_for_another_threads_write_transaction(tmp_path):
    store = SqliteStore(tmp_path / "feedback.sqlite3")
    store.migrate()
    inside, release = threading.Event(), threading.Event()

    def long_write():
        with store._transaction(write=True) as run:
            run("INSERT INTO events (event_key, hour) VALUES (?, ?)", ("held", "2026-01-01T00:00Z"))
            inside.set()
            release.wait(5)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert inside.wait(5)
        seen: list[bool] = []
        reader = threading.Thread(target=lambda: seen.append(store.event_seen("held")))
        reader.start()
        reader.join(2)
        assert seen == [False]  # answered while the write was open, from the last committed state
    finally:
        release.set()
        writer.join(5)
    assert store.event_seen("held") is True
    store.close()


def test_the_engine_keeps_numpy_blas_to_one_thread(engine):
    """The embedder uses every core; a multi-threaded BLAS for the memory's small products spun its own
    threads against it (warm answer 13 -> 27 ms p50 in `make bench`). Building an engine limits it."""
    from threadpoolctl import threadpool_info

    numpy_blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas" and "numpy" in pool["filepath"]]
    assert numpy_blas and all(pool["num_threads"] == 1 for pool in numpy_blas)
