#!/usr/bin/env python3
"""A/B timing of two or more declproc binaries on the same input, runs alternating.

On a machine whose speed drifts from minute to minute, timing one build and then the
other compares minutes, not builds. This runs each binary in turn, ROUNDS times, and
reports the fastest and the median CPU time (user + system, from os.wait4) of each.

Usage: Scripts/ab.py ROUNDS INPUT BINARY [BINARY ...] -- ARGS...
Example: Scripts/ab.py 10 /tmp/declproc-bench-5mb.txt /tmp/old .build/release/declproc -- convert --config s2t
Not a test: it reports.
"""
import os, subprocess, sys

def main():
    if "--" not in sys.argv or len(sys.argv) < 5:
        sys.exit(__doc__)
    split = sys.argv.index("--")
    rounds, path, binaries, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:split], sys.argv[split + 1:]
    times = {binary: [] for binary in binaries}
    for _ in range(rounds):
        for binary in binaries:
            with open(path, "rb") as stdin:
                process = subprocess.Popen([binary] + args, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                _, status, usage = os.wait4(process.pid, 0)
            if status != 0:
                sys.exit(f"{binary} {' '.join(args)}: exit status {status}")
            times[binary].append(usage.ru_utime + usage.ru_stime)
    for binary in binaries:
        ordered = sorted(times[binary])
        print(f"{binary}: fastest {ordered[0]:.3f} s, median {ordered[len(ordered) // 2]:.3f} s of CPU over {rounds} runs")

if __name__ == "__main__":
    main()
