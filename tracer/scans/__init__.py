"""Scans of package codes: the recorder (queued, batched, counted) and the anomalies it feeds."""
