"""PipeAtlas surveys library: defect records, grading, ledger, overlap checks, reports (no Qt)."""
