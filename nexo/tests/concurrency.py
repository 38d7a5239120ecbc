"""Running service calls at the same moment, for the PostgreSQL concurrency tests: each call in a thread of
its own with its own database connection, all released together by a barrier."""

import threading
from collections.abc import Callable, Sequence

from django.db import connection
from django.utils import translation


def at_once(calls: Sequence[Callable[[], object]]) -> list:
    """Each call's result, in the order they finished; a call that raised gives the error's repr instead, so a
    deadlock or any other failure shows up in the test's assertion. Messages are in English."""
    results: list = []
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            with translation.override("en"):
                results.append(call())
        except Exception as error:
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
