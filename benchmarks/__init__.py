"""`make bench`: machine-independent figures first (database commands per operation, ratios
against a baseline measured in the same run), then throughput and latency on this machine."""
