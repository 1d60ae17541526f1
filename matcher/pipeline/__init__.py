"""The pipeline: one allocation, académie batches, re-allocation, sweeps."""
