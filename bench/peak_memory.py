"""The process's peak resident memory, read the way EmberBench reads it (VmHWM in /proc/self/status)."""


def peak_resident_mib():
    """Peak resident set size of this process in MiB, or NaN where /proc is not there."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")
