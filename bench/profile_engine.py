"""Issue 17's "before" profile: where one worker's CPU goes per job step (cProfile).

    python -m bench.profile_engine [--jobs 200] [--api-jobs 20] [--items 50] [--out /tmp/aj_profile]

Set up as :mod:`bench.engine` (SQLite, 20 simulator accounts, unlimited quotas,
the simulator answering at once in this process), then run one worker in a
child process twice per channel: once plain (its CPU per step, no profiler
overhead) and once under cProfile. Channels: ``feed`` with Update Products QTY
jobs of one item each (*--jobs*), and ``listings-api`` with jobs of *--items*
items each (*--api-jobs*), so that the per-item cost shows.

The child steps jobs with ``Worker.run_once`` on its main thread (concurrency 1,
no heartbeat thread), because cProfile sees only the thread it runs on; the
``amazon-jobs worker`` command runs steps on a thread pool. The raw ``.prof``
files and a Markdown summary (per-step tables limited to amazon_jobs,
sqlalchemy and httpx) are written under *--out*, outside the repository; the
findings kept are in ``bench/results/engine_profile_before.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from amazon_jobs.config import load_settings
from amazon_jobs.domain.jobs import JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.runtime import Runtime
from amazon_jobs.service import create_listings_job
from amazon_jobs.serving import serve_in_thread
from amazon_jobs.simulator import create_app
from amazon_jobs.store.models import Job
from amazon_jobs.worker import Worker
from bench.engine import ACCOUNTS, installation, seed

#: Modules the tables keep (path fragments of the profiled functions' files).
OURS = ("amazon_jobs", "sqlalchemy", "httpx")
TOP = 25


@dataclass
class Run:
    """One child worker's run: steps taken, CPU seconds, idle polls."""

    steps: int
    cpu_s: float
    idle_polls: int


def create(rt: Runtime, accounts: list[int], jobs: int, items: int, offset: int) -> None:
    """*jobs* Update QTY jobs of *items* SKUs each, round robin over the accounts;
    *offset* moves to SKUs no earlier job holds (a reserved SKU cannot be taken again)."""
    for k in range(jobs):
        n = k % ACCOUNTS
        first = offset + (k // ACCOUNTS) * items
        skus = tuple(f"E{n}-{(first + i) % 200}" for i in range(items))
        create_listings_job(rt, JobType.UPDATE_QTY, accounts[n], Selection(skus=skus))


def child(env: dict[str, str], profile: Path | None) -> Run:
    args = [sys.executable, "-m", "bench.profile_engine", "--worker"]
    if profile:
        args += ["--profile", str(profile)]
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True, timeout=900)
    return Run(**json.loads(out.stdout.strip().splitlines()[-1]))


def worker_main(profile: str | None) -> None:
    """The child: step every job to its end on this thread, print a JSON :class:`Run`."""
    rt = Runtime.build(load_settings())
    engine = Worker(rt, concurrency=1)
    # Wall time (perf_counter): a CPU-time timer costs a system call per event and
    # inflates small functions 4x; the waits for the simulator's answers show as
    # the tottime of the socket reads.
    profiler = cProfile.Profile() if profile else None
    steps = polls = 0
    started = resource.getrusage(resource.RUSAGE_SELF)
    if profiler:
        profiler.enable()
    while True:
        done = engine.run_once()
        steps += done
        if done:
            continue
        with rt.db.read() as session:
            left = session.scalar(select(func.count()).where(Job.next_run_at.is_not(None)))
        if not left:
            break
        polls += 1
        time.sleep(0.001)  # a feed is waited for (poll_first_s): no CPU while asleep
    if profiler and profile:
        profiler.disable()
        profiler.dump_stats(profile)
    ended = resource.getrusage(resource.RUSAGE_SELF)
    cpu = ended.ru_utime + ended.ru_stime - started.ru_utime - started.ru_stime
    rt.close()
    sys.stdout.write(json.dumps({"steps": steps, "cpu_s": cpu, "idle_polls": polls}) + "\n")


def measure(channel: str, jobs: int, items: int, out: Path) -> tuple[Run, Run, Path]:
    """A plain and a profiled run of one worker over *jobs* jobs of *items* items."""
    profile = out / f"engine_{channel}.prof"
    with tempfile.TemporaryDirectory() as home:
        rt, sim, env = installation(f"sqlite:///{home}/engine.db", home, channel)
        with serve_in_thread(create_app(sim)) as server:
            accounts = seed(rt, sim, server.url)
            create(rt, accounts, jobs, items, offset=0)
            plain = child(env, None)
            create(rt, accounts, jobs, items, offset=100)
            profiled = child(env, profile)
        rt.close()
    return plain, profiled, profile


def ours(file: str) -> bool:
    return any(f"/{name}/" in file for name in OURS)


def table(stats: pstats.Stats, key: int, steps: int, unit: str) -> list[str]:
    """The *TOP* functions of ours by *key* (2: tottime, 3: cumtime), per *unit*."""
    rows = [
        (func_, entry)
        for func_, entry in stats.stats.items()  # type: ignore[attr-defined]
        if ours(func_[0])
    ]
    rows.sort(key=lambda row: row[1][key], reverse=True)
    lines = [
        f"| function | calls/{unit} | tottime ms/{unit} | cumtime ms/{unit} |",
        "|---|---:|---:|---:|",
    ]
    for (file, line, name), (_, ncalls, tottime, cumtime, _) in rows[:TOP]:
        where = file.split("/site-packages/")[-1].split("/src/")[-1]
        lines.append(
            f"| `{where}:{line} {name}` | {ncalls / steps:.1f} | {1000 * tottime / steps:.3f} "
            f"| {1000 * cumtime / steps:.3f} |"
        )
    return lines


def summary(
    channel: str, plain: Run, profiled: Run, profile: Path, jobs: int, items: int
) -> list[str]:
    stats = pstats.Stats(str(profile))
    total = stats.total_tt  # type: ignore[attr-defined]
    unit, per = ("step", profiled.steps) if items == 1 else ("item", jobs * items)
    lines = [f"## Channel `{channel}` ({items} item(s) per job)", ""]
    lines.append(
        f"- plain run: {plain.steps} steps, worker CPU {plain.cpu_s:.2f} s = "
        f"{1000 * plain.cpu_s / plain.steps:.2f} ms/step, "
        f"{1000 * plain.cpu_s / (jobs * items):.2f} ms/item ({jobs} jobs x {items})"
    )
    lines.append(
        f"- profiled run: {profiled.steps} steps, {profiled.idle_polls} idle polls, "
        f"CPU {profiled.cpu_s:.2f} s ({1000 * profiled.cpu_s / profiled.steps:.2f} ms/step), "
        f"profiled (wall) {total:.2f} s; raw profile `{profile}`"
    )
    lines.append("")
    for title, key in (("cumulative", 3), ("tottime", 2)):
        lines += [f"### Top {TOP} by {title} (per {unit})", ""]
        lines += table(stats, key, per, unit)
        lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--api-jobs", type=int, default=20)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--out", type=Path, default=Path("/tmp/aj_profile"))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args.profile)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    lines = ["# Engine profile (issue 17, before)", ""]
    for channel, jobs, items in (
        ("feed", args.jobs, 1),
        ("listings-api", args.api_jobs, args.items),
    ):
        plain, profiled, profile = measure(channel, jobs, items, args.out)
        lines += summary(channel, plain, profiled, profile, jobs, items)
    report = args.out / "engine_profile.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stdout.write(f"{report}\n")


if __name__ == "__main__":
    main()
