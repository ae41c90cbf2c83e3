"""Where the machine's CPU went during a measured run, read from /proc (Linux).

A throughput figure alone cannot say whether a second replica had room to help: on two cores,
one replica whose messages already keep the cores 80 % busy (itself, PostgreSQL, nginx, the
action servers and the load generator together) can at best add the last 20 %. `CpuMeter`
counts the clock ticks the whole machine and each named group of processes (a process and all
its descendants) spent between `start` and `stop`, so a bench can report the busy cores and
the ceiling they leave: `cores / busy cores` is the most any number of replicas could scale a
run whose every message costs the same CPU.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Set, Tuple


def machine_ticks(proc: Path = Path("/proc")) -> Tuple[int, int, int]:
    """(all ticks, idle ticks, cores) since boot, from /proc/stat."""
    lines = (proc / "stat").read_text().splitlines()
    values = [int(v) for v in lines[0].split()[1:]]
    # user nice system idle iowait irq softirq steal [guest guest_nice: already inside user]
    total = sum(values[:8])
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    cores = sum(1 for line in lines if line.startswith("cpu") and line[3:4].isdigit())
    return total, idle, max(cores, 1)


def _stat_fields(proc: Path, pid: int) -> Optional[List[str]]:
    try:
        text = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name sits in parentheses and may itself hold spaces or parentheses.
    return text[text.rindex(")") + 2:].split()


def process_ticks(proc: Path, pid: int) -> int:
    """CPU ticks a process and its reaped children spent (utime stime cutime cstime)."""
    fields = _stat_fields(proc, pid)
    if fields is None:
        return 0
    # After the name: state ppid ... utime is field 14 of the whole line, here index 11.
    return sum(int(v) for v in fields[11:15])


def children(proc: Path) -> Dict[int, List[int]]:
    """Every live process's children, by parent pid."""
    tree: Dict[int, List[int]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(proc, int(entry.name))
        if fields is not None:
            tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def descendants(roots: Iterable[int], tree: Mapping[int, List[int]]) -> Set[int]:
    """The roots and everything they started, however deep."""
    seen: Set[int] = set()
    stack = list(roots)
    while stack:
        pid = stack.pop()
        if pid not in seen:
            seen.add(pid)
            stack.extend(tree.get(pid, ()))
    return seen


@dataclass
class CpuMeter:
    """Busy cores of the machine and of each group, between `start` and `stop`.

    A group's processes that exit during the run lose their ticks (their parent counts them
    only once it reaps them), so groups are measured while their processes are alive.
    """

    groups: Mapping[str, Iterable[int]]
    proc: Path = Path("/proc")
    # Groups counted without their descendants: the bench's own process started the cluster,
    # so everything is its descendant.
    alone: Iterable[str] = ()
    _machine: Tuple[int, int, int] = (0, 0, 1)
    _groups: Dict[str, Dict[int, int]] = field(default_factory=dict)

    def _snapshot(self) -> Dict[str, Dict[int, int]]:
        tree = children(self.proc)
        alone = set(self.alone)
        return {name: {pid: process_ticks(self.proc, pid)
                       for pid in (set(roots) if name in alone else descendants(roots, tree))}
                for name, roots in self.groups.items()}

    def start(self) -> None:
        try:
            self._machine = machine_ticks(self.proc)
            self._groups = self._snapshot()
        except OSError:  # no /proc (not Linux): the bench runs, without this report
            self._machine = (0, 0, 1)

    def stop(self) -> Dict[str, object]:
        """{"cores", "busy_cores", "by_group": {name: cores}} over the time since `start`
        (all zero where /proc cannot be read)."""
        try:
            total, idle, cores = machine_ticks(self.proc)
        except OSError:
            return {"cores": 0, "busy_cores": 0.0, "by_group": {name: 0.0 for name in self.groups}}
        elapsed = total - self._machine[0]
        if elapsed <= 0:
            return {"cores": cores, "busy_cores": 0.0, "by_group": {name: 0.0 for name in self.groups}}
        per_core = elapsed / cores  # ticks one core had in the interval
        busy = (elapsed - (idle - self._machine[1])) / per_core
        now = self._snapshot()
        by_group = {}
        for name, pids in now.items():
            before = self._groups.get(name, {})
            spent = sum(ticks - before.get(pid, 0) for pid, ticks in pids.items())
            by_group[name] = round(max(spent, 0) / per_core, 3)
        return {"cores": cores, "busy_cores": round(busy, 3), "by_group": by_group}
