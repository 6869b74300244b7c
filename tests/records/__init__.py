"""Tests of :mod:`sim.records`."""
