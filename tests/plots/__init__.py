"""Tests of :mod:`sim.plots`."""
