"""The service itself, as AWS would run it: state per account and region (``backend``), the
operations, model-driven validation, the wire codec, and the request pipeline (``service``).
Nothing here knows how a request arrived."""
