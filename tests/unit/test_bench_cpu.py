"""The CPU meter the cluster bench uses to say how much room a second replica had."""

from pathlib import Path

from bench.cpu import CpuMeter, descendants, children, machine_ticks, process_ticks


def write_machine(proc: Path, user: int, idle: int, cores: int = 2) -> None:
    lines = [f"cpu  {user} 0 0 {idle} 0 0 0 0 0 0"]
    lines += [f"cpu{i} 0 0 0 0 0 0 0 0 0 0" for i in range(cores)]
    (proc / "stat").write_text("\n".join(lines) + "\nintr 1\n")


def write_process(proc: Path, pid: int, ppid: int, name: str, utime: int, stime: int = 0) -> None:
    (proc / str(pid)).mkdir(exist_ok=True)
    # pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
    (proc / str(pid) / "stat").write_text(
        f"{pid} ({name}) S {ppid} 1 1 0 -1 0 0 0 0 0 {utime} {stime} 0 0 20 0 1 0\n")


def test_the_machine_line_counts_idle_and_waiting_as_idle(tmp_path):
    (tmp_path / "stat").write_text("cpu  100 5 20 300 10 1 2 0 0 0\ncpu0 1 0 0 0 0 0 0 0 0 0\n")
    assert machine_ticks(tmp_path) == (438, 310, 1)


def test_a_name_with_spaces_and_parentheses_does_not_shift_the_fields(tmp_path):
    write_process(tmp_path, 7, 1, "rasa (main) x", utime=40, stime=2)
    assert process_ticks(tmp_path, 7) == 42


def test_a_process_that_is_gone_counts_nothing(tmp_path):
    assert process_ticks(tmp_path, 99) == 0


def test_a_group_is_its_processes_and_everything_they_started(tmp_path):
    write_process(tmp_path, 10, 1, "postgres", 0)
    write_process(tmp_path, 11, 10, "postgres", 0)
    write_process(tmp_path, 12, 11, "postgres", 0)
    write_process(tmp_path, 20, 1, "nginx", 0)
    assert descendants([10], children(tmp_path)) == {10, 11, 12}


def test_the_meter_reports_busy_cores_and_each_groups_share(tmp_path):
    # Two cores; over the run the machine counts 200 ticks (100 per core), 50 of them idle.
    write_machine(tmp_path, user=1000, idle=1000)
    write_process(tmp_path, 10, 1, "rasa", utime=500)
    write_process(tmp_path, 11, 10, "rasa worker", utime=10)
    write_process(tmp_path, 20, 1, "postgres", utime=300)
    meter = CpuMeter({"replica": [10], "database": [20]}, proc=tmp_path)
    meter.start()
    write_machine(tmp_path, user=1150, idle=1050)
    write_process(tmp_path, 10, 1, "rasa", utime=560)
    write_process(tmp_path, 11, 10, "rasa worker", utime=30)
    write_process(tmp_path, 20, 1, "postgres", utime=340)
    result = meter.stop()
    assert result["cores"] == 2
    assert result["busy_cores"] == 1.5
    assert result["by_group"] == {"replica": 0.8, "database": 0.4}


def test_a_child_started_during_the_run_is_counted_from_zero(tmp_path):
    write_machine(tmp_path, user=0, idle=0)
    write_process(tmp_path, 10, 1, "postgres", utime=100)
    meter = CpuMeter({"database": [10]}, proc=tmp_path)
    meter.start()
    write_machine(tmp_path, user=200, idle=0)
    write_process(tmp_path, 31, 10, "postgres: backend", utime=50)
    assert meter.stop()["by_group"] == {"database": 0.5}


def test_a_group_counted_alone_leaves_out_what_it_started(tmp_path):
    # The bench's own process starts the cluster: its load generator is itself only.
    write_machine(tmp_path, user=0, idle=0)
    write_process(tmp_path, 5, 1, "python -m bench.cluster", utime=0)
    write_process(tmp_path, 10, 5, "rasa", utime=0)
    meter = CpuMeter({"load generator": [5], "replicas": [10]}, proc=tmp_path, alone=["load generator"])
    meter.start()
    write_machine(tmp_path, user=200, idle=0)
    write_process(tmp_path, 5, 1, "python -m bench.cluster", utime=10)
    write_process(tmp_path, 10, 5, "rasa", utime=90)
    assert meter.stop()["by_group"] == {"load generator": 0.1, "replicas": 0.9}


def test_without_proc_the_meter_reports_nothing_and_the_bench_goes_on(tmp_path):
    meter = CpuMeter({"replicas": [10]}, proc=tmp_path / "missing")
    meter.start()
    assert meter.stop() == {"cores": 0, "busy_cores": 0.0, "by_group": {"replicas": 0.0}}
