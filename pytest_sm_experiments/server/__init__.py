"""The HTTP front door and everything other processes need: the endpoint, request routing by
protocol, SigV4, the caller's pid, a forked child's forwarder, what children inherit, and the
standalone server's command line."""
