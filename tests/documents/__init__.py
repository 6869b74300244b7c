"""Tests of :mod:`sim.documents`."""
