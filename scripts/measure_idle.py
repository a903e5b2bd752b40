#!/usr/bin/env python3
"""Idle connections against the mock controller, as a user would see them (issue 11's
goals: an idle connection costs at most 6 KiB of RSS, and 10,000 idle connections slow a
serial caller by at most 10%).

    cargo build --release -p linstor-mock
    python3 scripts/measure_idle.py [path/to/linstor-mock] [connections]

Starts the mock on a free port (no admin API), measures the p50 of 5,000 serial API pings
on one connection, opens the idle connections (each reads its greeting), waits for RSS to
settle, measures the pings again, and prints RSS per idle connection and the ping ratio.
"""
import resource
import socket
import statistics
import struct
import subprocess
import sys
import time

from measure_memory import rss_kib, varint

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/linstor-mock"
IDLE = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
PINGS = 5_000


def ping_frame(api_call_id):
    # MsgHeader: msg_type API_CALL (1), api_call_id (2), msg_content "Ping" (3).
    header = b"\x08\x01" + b"\x10" + varint(api_call_id) + b"\x1a\x04Ping"
    payload = varint(len(header)) + header
    return struct.pack(">IIII", 0, len(payload), 0, 0) + payload


def read_frame(s):
    """One frame's payload (measure_memory's reader discards it)."""
    head = b""
    while len(head) < 16:
        chunk = s.recv(16 - len(head))
        if not chunk:
            raise EOFError
        head += chunk
    length = struct.unpack(">I", head[4:8])[0]
    body = b""
    while len(body) < length:
        chunk = s.recv(length - len(body))
        if not chunk:
            raise EOFError
        body += chunk
    return body


def is_complete(payload):
    """Whether the frame's MsgHeader (after its one-byte length) is of type COMPLETE (3)."""
    return len(payload) > 2 and payload[1] == 0x08 and payload[2] == 3


def connect(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    read_frame(s)  # the Version greeting
    return s


def ping_p50(port):
    s = connect(port)
    frame = ping_frame(7)
    times = []
    for i in range(PINGS + 500):
        t = time.perf_counter()
        s.sendall(frame)
        while not is_complete(read_frame(s)):
            pass
        if i >= 500:
            times.append(time.perf_counter() - t)
    s.close()
    return statistics.median(times) * 1e6


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, IDLE + 1024)), hard))
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    mock = subprocess.Popen(
        [BIN, "--listen", f"127.0.0.1:{port}", "--no-admin", "--max-connections", str(IDLE + 100)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: resource.setrlimit(
            resource.RLIMIT_NOFILE, (min(hard, IDLE + 1024), hard)
        ),
    )
    try:
        for _ in range(100):
            try:
                connect(port).close()
                break
            except OSError:
                time.sleep(0.05)
        before_p50 = ping_p50(port)
        base = rss_kib(mock.pid)
        idle = [connect(port) for _ in range(IDLE)]
        time.sleep(1.0)
        loaded = rss_kib(mock.pid)
        after_p50 = ping_p50(port)
        per_conn = (loaded - base) / IDLE
        print(f"RSS before: {base} KiB; with {IDLE} idle connections: {loaded} KiB")
        print(f"per idle connection: {per_conn:.2f} KiB (goal <= 6)")
        print(
            f"serial ping p50: {before_p50:.1f} us alone, {after_p50:.1f} us beside "
            f"{IDLE} idle connections: {after_p50 / before_p50:.2f}x (goal <= 1.10)"
        )
        for s in idle:
            s.close()
    finally:
        mock.terminate()
        mock.wait()


if __name__ == "__main__":
    main()
