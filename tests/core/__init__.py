"""Tests of :mod:`sim.core`."""
