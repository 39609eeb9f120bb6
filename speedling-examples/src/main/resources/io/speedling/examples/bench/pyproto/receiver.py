#!/usr/bin/env python3
# The node side of the Python baseline of bench/remote-calls: a receiver built the way the
# original speedling's was (our code, its design): length-prefixed pickled dicts read from fd 4,
# one thread per task running the function by name, answers queued to one writer thread on fd 5,
# a "systemcontrol" line on fds 5 and 6 once it is up.
import os
import pickle
import queue
import threading
import traceback

INPUT_FD, OUTPUT_FD, LOG_FD = 4, 5, 6
MAGIC = b'systemcontrol\n'
answers = queue.Queue()
done = threading.Event()


def read_exactly(fd, n):
    buf = b''
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def write_all(fd, buf):
    view = memoryview(buf)
    while view:
        view = view[os.write(fd, view):]


def run_task(task_id, function_name, c_args=(), c_kwargs=None, **_):
    # the original compiled a small program per call and ran it with exec
    scope = {}
    code = "return_value = {}(*{}, **{})".format(function_name, repr(tuple(c_args)), repr(c_kwargs or {}))
    try:
        exec(code, globals(), scope)
        answers.put({'status': 0, 'task_id': task_id, 'return_value': scope['return_value']})
    except BaseException:
        answers.put({'status': 1, 'task_id': task_id, 'err': traceback.format_exc()})


def read_tasks():
    while True:
        head = read_exactly(INPUT_FD, 8)
        if head is None:
            done.set()
            return
        msg = pickle.loads(read_exactly(INPUT_FD, int.from_bytes(head, 'little')))
        threading.Thread(target=run_task, kwargs=msg).start()


def write_answers():
    while True:
        try:
            ans = pickle.dumps(answers.get(timeout=1))
        except queue.Empty:
            if done.is_set():
                return
            continue
        write_all(OUTPUT_FD, len(ans).to_bytes(8, 'little'))
        write_all(OUTPUT_FD, ans)


if __name__ == '__main__':
    os.write(OUTPUT_FD, MAGIC)
    os.write(LOG_FD, MAGIC)
    writer = threading.Thread(target=write_answers)
    writer.start()
    threading.Thread(target=read_tasks, daemon=True).start()
    writer.join()
