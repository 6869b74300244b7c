"""Tests of :mod:`sim.teaching`."""
