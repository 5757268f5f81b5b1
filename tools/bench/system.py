"""The machine: its description, CPU time per process group from /proc, waiting for the
server to go idle, and how much CPU other programs took during a run (interference)."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "wrk": wrk[0].split(" [")[0] if wrk else "unknown",
    }


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def process_tree(root: int) -> list[int]:
    """root and all its descendants (by parent pid, read now)."""
    children, found, todo = _children_map(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_ticks(pid: int) -> int:
    """utime + stime of one process, in clock ticks (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) ticks of all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total


def _own_ticks() -> int:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return round((usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime) * CLK_TCK)


@dataclass
class CpuSnapshot:
    at: float
    busy: int
    groups: dict[str, int]
    own: int
    foreign: dict[int, int] = field(default_factory=dict)


@dataclass
class CpuUse:
    """Cores used on average during an interval, per group; `other` is everyone else."""

    seconds: float
    cores: dict[str, float] = field(default_factory=dict)

    @property
    def other(self) -> float:
        return self.cores.get("other", 0.0)


class CpuMeter:
    """CPU per group of processes (each group: a function giving its root pids)."""

    def __init__(self, groups: dict[str, Callable[[], Iterable[int]]]) -> None:
        self.groups = groups

    def snapshot(self) -> CpuSnapshot:
        busy, _ = machine_busy_ticks()
        groups, ours = {}, set(process_tree(os.getpid()))
        for name, roots in self.groups.items():
            pids = {pid for root in roots() for pid in process_tree(root)}
            ours |= pids
            groups[name] = sum(cpu_ticks(pid) for pid in pids)
        foreign = {
            int(entry): cpu_ticks(int(entry))
            for entry in os.listdir("/proc")
            if entry.isdigit() and int(entry) not in ours
        }
        return CpuSnapshot(time.monotonic(), busy, groups, _own_ticks(), foreign)

    @staticmethod
    def foreign_cores(before: CpuSnapshot, after: CpuSnapshot) -> float:
        """Cores used by processes that are not ours and lived through the whole interval
        (where our own short-lived processes, e.g. database backends that closed, would
        otherwise count as other programs)."""
        seconds = max(after.at - before.at, 1e-6)
        ticks = sum(after.foreign[pid] - ticks for pid, ticks in before.foreign.items() if pid in after.foreign)
        return max(ticks, 0) / CLK_TCK / seconds

    @staticmethod
    def between(before: CpuSnapshot, after: CpuSnapshot) -> CpuUse:
        seconds = max(after.at - before.at, 1e-6)
        per = {name: (after.groups[name] - before.groups.get(name, 0)) / CLK_TCK / seconds for name in after.groups}
        per["bench client"] = (after.own - before.own) / CLK_TCK / seconds
        total = (after.busy - before.busy) / CLK_TCK / seconds
        per["other"] = max(0.0, total - sum(per.values()))
        per["machine"] = total
        return CpuUse(seconds, per)


def wait_until_idle(
    pids: Callable[[], Iterable[int]], threshold_cores: float = 0.05, window: float = 0.5, timeout: float = 20.0
) -> float:
    """Wait until these processes (and descendants) use under ``threshold_cores`` over a window.
    Returns the seconds waited (abandoned requests still run after a load generator stops)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        tree = {pid for root in pids() for pid in process_tree(root)}
        before = sum(cpu_ticks(pid) for pid in tree)
        time.sleep(window)
        after = sum(cpu_ticks(pid) for pid in tree)
        if (after - before) / CLK_TCK / window < threshold_cores:
            break
    return time.monotonic() - started
