"""Small helpers shared by every stage: tuple cells, forked processes, progress display."""
