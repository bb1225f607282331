"""The resumable run loop both studies share: a pool of workers, a JSON-lines log, a progress bar.

Each finished run is appended to the log as one JSON line the moment it arrives, so an
interrupted study resumes where it stopped: a task whose key is already in ``done`` is skipped.
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import time


def single_thread():
    """Run TensorFlow's ops on one thread, as every stored run did: a rerun repeats it exactly
    (more threads may sum in another order), and two workers do not oversubscribe two cores.
    Call it before TensorFlow runs its first op."""
    import tensorflow as tf  # here, not at the top: only the TensorFlow backend has threads

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)


@contextlib.contextmanager
def worker_pool(workers):
    """``workers`` spawned processes (TensorFlow does not survive a fork), one thread each."""
    with multiprocessing.get_context("spawn").Pool(workers, initializer=single_thread) as pool:
        yield pool


def read_records(path, key):
    """Every record of the JSON-lines log at ``path`` by ``key(record)``; later lines win."""
    if not path.exists():
        return {}
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {key(record): record for record in records}


def run_logged(tasks, pool, worker, log, done, task_key, record_key, describe):
    """Run the tasks whose ``task_key`` is not in ``done`` with ``pool.imap_unordered(worker)``.

    Appends each record to ``log`` and to ``done`` (under ``record_key(record)``) as it
    finishes, and prints a progress bar with the elapsed time, an ETA and ``describe(record)``.
    """
    todo = [t for t in tasks if task_key(t) not in done]
    if not todo:
        return
    start = time.perf_counter()
    with log.open("a") as out:
        for i, record in enumerate(pool.imap_unordered(worker, todo), 1):
            out.write(json.dumps(record) + "\n")
            out.flush()
            done[record_key(record)] = record
            elapsed = time.perf_counter() - start
            eta = elapsed / i * (len(todo) - i)
            bar = "#" * int(30 * i / len(todo))
            print(
                f"\r[{bar:<30}] {i}/{len(todo)} runs, {elapsed / 60:.1f} min, "
                f"ETA {eta / 60:.1f} min  ({describe(record)})   ",
                end="",
                flush=True,
            )
    print()


def workers_from_command_line(description):
    """``--workers N`` from the command line (default: 2, or fewer cores)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    return parser.parse_args().workers


def provenance(workers, packages=(), **machine):
    """What produced a results file: package versions and the machine (``versions``,
    ``machine``), with ``packages`` (module names) added to the usual ones."""
    import focal

    import platform

    import keras
    import numpy
    import scipy
    import sklearn

    versions = {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "tensorflow": __import__("tensorflow").__version__,
        "keras": keras.__version__,
        "focal": focal.__version__,
    }
    for name in packages:
        module = __import__(name)
        versions[name] = getattr(module, "__version__", None) or _distribution_version(name)
    return {
        "versions": versions,
        "machine": {
            "cpu_count": os.cpu_count(),
            "workers": workers,
            "platform": platform.platform(),
            **machine,
        },
    }


def _distribution_version(name):
    from importlib import metadata

    return metadata.version(name)
