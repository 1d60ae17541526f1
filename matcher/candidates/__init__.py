"""Candidate pairs: search, eligibility rules, explicit choices, widening, the size estimate."""

from .search import Candidates, candidates

__all__ = ["Candidates", "candidates"]
