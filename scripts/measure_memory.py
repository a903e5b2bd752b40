#!/usr/bin/env python3
"""Memory of the mock controller under large frames, as a user would see it (VmRSS of the
process), for issue 10's goals: a 16 MiB frame costs at most ~2x its size, and connections
that sent one return to a few KiB when idle.

    cargo build --release -p linstor-mock
    python3 scripts/measure_memory.py [path/to/linstor-mock]

Prints RSS after start, with 20 idle connections, while one connection sends a 16 MiB frame
of empty messages after an `LstNode` header, after 20 connections each sent one and went
idle, and per idle connection.
"""
import os
import socket
import struct
import subprocess
import sys
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/linstor-mock"
FRAME = 16 * 1024 * 1024 - 64


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def header(api_call_id, name):
    # MsgHeader { msg_type = API_CALL (1), api_call_id, msg_content }
    body = b"\x08\x01" + b"\x10" + varint(api_call_id) + b"\x1a" + varint(len(name)) + name
    return varint(len(body)) + body


def frame(payload):
    return struct.pack(">II8x", 0, len(payload)) + payload


def read_frame(sock):
    head = b""
    while len(head) < 16:
        chunk = sock.recv(16 - len(head))
        if not chunk:
            raise EOFError
        head += chunk
    length = struct.unpack(">I", head[4:8])[0]
    left = length
    while left:
        chunk = sock.recv(min(left, 65536))
        if not chunk:
            raise EOFError
        left -= len(chunk)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port))
    read_frame(s)  # Version
    return s


def big_call(s, api_call_id):
    payload = header(api_call_id, b"LstNode")
    payload += b"\x00" * (FRAME - len(payload))
    s.sendall(frame(payload))
    for _ in range(3):  # LstNode, EndOfImmediateAnswers, COMPLETE
        read_frame(s)


def main():
    port = 3900 + os.getpid() % 1000
    proc = subprocess.Popen(
        [BIN, "--listen", f"127.0.0.1:{port}", "--no-admin"] if "--no-admin" in
        subprocess.run([BIN, "--help"], capture_output=True, text=True).stdout
        else [BIN, "--listen", f"127.0.0.1:{port}"],
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.05)
        start = rss_kib(proc.pid)
        idle = [connect(port) for _ in range(20)]
        with_idle = rss_kib(proc.pid)
        one = connect(port)
        big_call(one, 1)
        after_one = rss_kib(proc.pid)
        for i, s in enumerate(idle):
            big_call(s, 10 + i)
        time.sleep(0.5)
        after_twenty = rss_kib(proc.pid)
        mib = FRAME / 1024 / 1024
        print(f"start                       {start / 1024:8.1f} MiB")
        print(f"20 idle connections         {with_idle / 1024:8.1f} MiB")
        print(f"after one {mib:.0f} MiB frame       {after_one / 1024:8.1f} MiB "
              f"(+{(after_one - with_idle) / 1024:.1f} MiB = {(after_one - with_idle) / 1024 / mib:.2f}x the frame)")
        print(f"20 conns sent one and idle  {after_twenty / 1024:8.1f} MiB "
              f"(+{(after_twenty - with_idle) / 1024 / 21:.1f} MiB per connection)")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
