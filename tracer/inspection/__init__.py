"""Market inspection: the inspectors' dashboard, inspection photos, CSV exports."""
