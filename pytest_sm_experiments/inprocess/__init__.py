"""The front door in the test's own process: the botocore hook (``hook``), the boundary every
other request meets (``boundary``, ``http_guard``), and the hermetic environment
(``environment``)."""
