"""Tools apart from the runtime: starting the processes on one machine (make run, tests, benchmarks)."""
