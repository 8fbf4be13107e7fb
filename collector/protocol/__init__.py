"""What the bridge and the capture sources share with the daemon: the socket and the clock.

    framing.py    messages on the collector socket: a u32 length, then one msgpack map (16 MiB at most)
    messages.py   the step messages, one type at both ends: a client's `Step` structs, decoded once at the
                  socket straight into theirs (anything else is read as a map)
    wire.py       the JSON half of that framing and the settings-root walk, standard library only: loaded
                  by path by the clients that cannot import codetape (the agent hook, the pytest plugin)
    client.py     the client side of the socket (never blocks its caller; autostarts the collector)
    stopped.py    recording stopped by the user (`codetape collector stop`): nothing autostarts it then
    clock.py      now_ms(): the unix epoch in integer milliseconds, the `at` of every step sent; durations
                  (monotonic_ms), the UTC time of day (utc_now)
"""
