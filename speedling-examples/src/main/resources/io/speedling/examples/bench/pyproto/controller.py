#!/usr/bin/env python3
# The controller side of the Python baseline of bench/remote-calls, built the way the original
# speedling's was (our code, its design): one OpenSSH client process per node; the node receives
# a tar.gz of the receiver on stdin, unpacks it in a new directory and runs it with sudo, its
# stdin, stdout and stderr on fds 4, 5 and 6; per node a sender thread with a queue, a reader
# thread and a log reader; a round is one pickled call to every node, waited for with a lock.
#
# usage: controller.py CONFIG_JSON   ({"ssh": [[argv...], ...], "rounds": N, "steady_seconds": S,
#                                      "payload_dir": DIR, "bootstraps": K})
# prints key=value lines: bootstrap_s (best of K), bootstrap_host_cpu_s (the host's busy CPU per bootstrap,
# mean of K), rounds_per_s, steady_rounds_per_s
import io
import json
import os
import pickle
import queue
import subprocess
import sys
import tarfile
import threading
import time
import uuid

MAGIC = b'systemcontrol\n'
REMOTE = ('read a; w=$(mktemp -d); cd "$w"; dd iflag=fullblock bs="$a" count=1 2>/dev/null | tar xz;'
          ' sudo -n bash -c \'exec 4>&0; exec 5>&1; exec 6>&2; exec python3 receiver.py </dev/null'
          ' >"$0"/worker.out 2>&1\' "$w"; cd /; rm -rf "$w"')

pending = {}
pending_lock = threading.Lock()


def payload(directory):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w:gz') as tar:
        tar.add(os.path.join(directory, 'receiver.py'), arcname='receiver.py')
    return buf.getvalue()


class Node:
    def __init__(self, argv, data):
        self.proc = subprocess.Popen(argv + [REMOTE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.queue = queue.Queue()
        self.up = threading.Event()
        self.data = data
        for target in (self.send, self.read, self.read_log):
            threading.Thread(target=target, daemon=True).start()

    def wait_magic(self, pipe):
        seen = pipe.read(len(MAGIC))
        while seen[-len(MAGIC):] != MAGIC:
            c = pipe.read(1)
            if not c:
                raise SystemExit('node ended before it was up: ' + seen.decode(errors='replace'))
            seen += c

    def send(self):
        pipe = self.proc.stdin
        pipe.write(str(len(self.data)).encode() + b'\n')
        pipe.write(self.data)
        pipe.flush()
        while True:
            msg = self.queue.get()
            if msg is None:
                pipe.close()
                return
            pipe.write(msg)
            pipe.flush()

    def read(self):
        pipe = self.proc.stdout
        self.wait_magic(pipe)
        self.up.set()
        while True:
            head = pipe.read(8)
            if len(head) < 8:
                return
            ans = pickle.loads(pipe.read(int.from_bytes(head, 'little')))
            with pending_lock:
                task = pending[ans['task_id']]
            with task['mutex']:
                task['left'] -= 1
                if task['left'] == 0:
                    task['finished'].release()

    def read_log(self):
        self.wait_magic(self.proc.stderr)
        for _ in iter(lambda: self.proc.stderr.read(65536), b''):
            pass

    def close(self):
        self.queue.put(None)
        self.proc.wait()


def call_round(nodes, function_name, *args):
    task_id = str(uuid.uuid4())
    msg = pickle.dumps({'msg_type': 'func', 'task_id': task_id, 'function_name': function_name,
                        'c_args': args, 'c_kwargs': {}})
    frame = len(msg).to_bytes(8, 'little') + msg
    finished = threading.Lock()
    finished.acquire()
    with pending_lock:
        pending[task_id] = {'mutex': threading.Lock(), 'finished': finished, 'left': len(nodes)}
    for n in nodes:
        n.queue.put(frame)
    finished.acquire()
    with pending_lock:
        del pending[task_id]


def host_busy_seconds():
    with open('/proc/stat') as f:
        fields = [int(x) for x in f.readline().split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf('SC_CLK_TCK')


def connect(argvs, data):
    nodes = [Node(a, data) for a in argvs]
    for n in nodes:
        n.up.wait()
    return nodes


def main():
    cfg = json.load(open(sys.argv[1]))
    data = payload(cfg['payload_dir'])
    best = None
    cpu = 0.0
    k = cfg.get('bootstraps', 3)
    for _ in range(k):
        busy0 = host_busy_seconds()
        t0 = time.monotonic()
        nodes = connect(cfg['ssh'], data)
        took = time.monotonic() - t0
        cpu += (host_busy_seconds() - busy0) / k
        best = took if best is None else min(best, took)
        for n in nodes:
            n.close()
    print('bootstrap_s=%.3f' % best, flush=True)
    print('bootstrap_host_cpu_s=%.2f' % cpu, flush=True)
    nodes = connect(cfg['ssh'], data)
    for _ in range(300):
        call_round(nodes, 'abs', -42)
    t0 = time.monotonic()
    for _ in range(cfg['rounds']):
        call_round(nodes, 'abs', -42)
    print('rounds_per_s=%.1f' % (cfg['rounds'] / (time.monotonic() - t0)), flush=True)
    half = cfg['steady_seconds'] / 2.0
    end = time.monotonic() + half
    while time.monotonic() < end:
        call_round(nodes, 'abs', -42)
    done = 0
    t0 = time.monotonic()
    end = t0 + half
    while time.monotonic() < end:
        call_round(nodes, 'abs', -42)
        done += 1
    print('steady_rounds_per_s=%.1f' % (done / (time.monotonic() - t0)), flush=True)
    for n in nodes:
        n.close()


if __name__ == '__main__':
    main()
