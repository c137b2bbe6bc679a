#!/usr/bin/env python3
"""tests/badinput/halfserver.py -- a server that dies in the middle of a result.

    halfserver.py pg|mysql PORTFILE

Listens on 127.0.0.1 (a free port, written to PORTFILE once listening) and, for each
connection, speaks just enough of the PostgreSQL v3 or MySQL protocol to let a client log
in (trust / any password), then answers the first query with the start of a result set (a
row description or column count plus half a column definition) and closes the socket.
Exits after 20 connections or 60 seconds.
"""
import socket
import struct
import sys
import time


def recv_exact(c, n):
    b = b""
    while len(b) < n:
        k = c.recv(n - len(b))
        if not k:
            raise EOFError
        b += k
    return b


def pg_session(c):
    while True:  # SSLRequest / GSSENCRequest / StartupMessage
        n = struct.unpack("!I", recv_exact(c, 4))[0]
        body = recv_exact(c, n - 4)
        code = struct.unpack("!I", body[:4])[0]
        if code in (80877103, 80877104):
            c.sendall(b"N")
            continue
        break

    def msg(t, payload):
        return t + struct.pack("!I", len(payload) + 4) + payload

    out = msg(b"R", struct.pack("!I", 0))
    for k, v in ((b"server_version", b"15.4"), (b"server_encoding", b"UTF8"),
                 (b"client_encoding", b"UTF8"), (b"standard_conforming_strings", b"on"),
                 (b"integer_datetimes", b"on"), (b"DateStyle", b"ISO, MDY")):
        out += msg(b"S", k + b"\0" + v + b"\0")
    out += msg(b"K", struct.pack("!II", 4242, 1234))
    out += msg(b"Z", b"I")
    c.sendall(out)
    c.settimeout(5)
    c.recv(65536)  # the first query (simple or extended protocol)
    # RowDescription announcing 3 columns, cut after the first column's name
    c.sendall(b"T" + struct.pack("!I", 200) + struct.pack("!H", 3) + b"queryid\0")


def my_session(c):
    def pkt(seq, payload):
        return struct.pack("<I", len(payload))[:3] + bytes([seq]) + payload

    caps = 0x0000_0200 | 0x0000_8000 | 0x0008_0000 | 0x0000_0008 | 0x0001_0000 | 0x0002_0000
    hs = (b"\x0a" + b"10.11.99-MariaDB-halfserver\0" + struct.pack("<I", 77) + b"abcdefgh\0"
          + struct.pack("<H", caps & 0xFFFF) + b"\x21" + struct.pack("<H", 2)
          + struct.pack("<H", caps >> 16) + b"\x15" + b"\0" * 10 + b"ijklmnopqrst\0"
          + b"mysql_native_password\0")
    c.sendall(pkt(0, hs))
    c.settimeout(5)
    c.recv(65536)  # handshake response
    c.sendall(pkt(2, b"\x00\x00\x00\x02\x00\x00\x00"))  # OK
    c.recv(65536)  # the first query
    # a result set of 2 columns, cut inside the first column definition
    c.sendall(pkt(1, b"\x02") + pkt(2, b"\x03def\x12performance_schema")[:12])


def main():
    kind, portfile = sys.argv[1], sys.argv[2]
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    s.settimeout(60)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(s.getsockname()[1]))
    import os
    os.rename(portfile + ".tmp", portfile)
    end = time.time() + 60
    for _ in range(20):
        if time.time() > end:
            break
        try:
            c, _addr = s.accept()
        except socket.timeout:
            break
        try:
            (pg_session if kind == "pg" else my_session)(c)
        except (EOFError, OSError):
            pass
        finally:
            c.close()


if __name__ == "__main__":
    main()
