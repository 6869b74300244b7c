"""The model's parameters as one typed, frozen record, a field per entry of the parameter file.

Generated from ``sim/data/parameters.yaml`` by ``python -m sim.core.parameters --write-model``; do not
edit it by hand. tests/core/test_parameters.py fails when it is out of date with the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:  # numpy is named in the types only: reading a parameter file needs no numpy
    import numpy as np
    from numpy.typing import NDArray

Value = TypeVar("Value", float, "NDArray[np.float64]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameters(Generic[Value]):
    """One value for every parameter of ``sim/data/parameters.yaml``, in file order.

    ``Parameters[float]`` is one set, built by :func:`sim.core.parameters.resolve_parameters` (the
    file's defaults with a scenario's overrides); ``Parameters[NDArray]`` holds a column of values,
    one row per replicate of an ensemble (:func:`sim.core.parameters.parameter_columns`), so a sweep
    point or a posterior draw per replicate is just another row. Frozen, so no rule changes a
    parameter during a run; typed, so a misspelt name is a type error; with slots, so the rules
    read it as fast as a plain namespace.
    """

    tension_half_life_weeks: Value
    """Half-life of an event's effect on a pair's tension and cooperation.

    Unit: weeks.
    """

    tension_scale: Value
    """Accumulated Goldstein weight at which tension (or cooperation) reaches 1 - 1/e, about 0.63.

    Unit: Goldstein units.
    """

    attack_base: Value
    """Log of the weekly rate at which an armed group attacks the forces in one state where it operates (a count,
    Poisson).

    Unit: log of attacks per week.
    """

    attack_capability: Value
    """How much a group's capability raises its attack rates (on forces and on civilians).

    Unit: log-rate per unit capability.
    """

    attack_deterrence: Value
    """How much the defending state's strength (its capability plus partner forces present) lowers the attack rate.

    Unit: log-rate per unit strength.
    """

    attack_lethality: Value
    """Mean deaths of one attack (on forces, on civilians, on a rival) by a group of full capability; each attack's
    deaths are negative binomial around it.

    Unit: deaths per attack at capability 1 (mean).
    """

    deaths_dispersion: Value
    """Dispersion of a violent incident's deaths around its mean (attacks, operations, civilian harm, pursuits,
    clashes); the smaller, the more incidents with no deaths and the heavier the tail.

    Unit: negative binomial size.
    """

    civilian_attack_base: Value
    """Log of the weekly rate at which an armed group attacks civilians in one state where it operates (plus the
    capability term; a count, Poisson).

    Unit: log of attacks per week.
    """

    kidnap_base: Value
    """Baseline weekly log-odds that an armed group kidnaps people in one state where it operates.

    Unit: log-odds per week.
    """

    kidnap_capability: Value
    """How much a group's capability raises its kidnapping rate.

    Unit: log-odds per unit capability.
    """

    hostages_mean: Value
    """People a kidnapping takes beyond the first, on average; the number beyond the first is Poisson.

    Unit: people beyond the first (Poisson mean).
    """

    coin_base: Value
    """Log of the weekly rate at which a state (or deployed force) operates against one armed group on its territory (a
    count, Poisson).

    Unit: log of operations per week.
    """

    coin_threat: Value
    """How much the group's hostility towards the operator (its recent attacks) raises the operation rate.

    Unit: log-rate per unit tension.
    """

    coin_capability: Value
    """How much the operator's capability raises the operation rate.

    Unit: log-rate per unit capability.
    """

    coin_attrition: Value
    """Capability an armed group loses to one operation against it.

    Unit: capability per operation per unit operator capability.
    """

    harm_base: Value
    """Log-odds that one operation harms civilians, without contractors.

    Unit: log-odds per operation.
    """

    harm_wagner: Value
    """Added log-odds of civilian harm when Wagner takes part in the operation.

    Unit: log-odds.
    """

    pursuit_base: Value
    """Log-odds that an operation against a group active across a border pursues it into the neighbour, harming its
    nationals.

    Unit: log-odds per operation.
    """

    pursuit_wagner: Value
    """Added log-odds of cross-border pursuit when Wagner takes part.

    Unit: log-odds.
    """

    operation_lethality: Value
    """Mean deaths of one operation against an armed group (state-based violence); each operation's deaths are negative
    binomial around it.

    Unit: deaths per operation (mean).
    """

    pursuit_lethality: Value
    """Mean deaths of civilians in one incident of harm during an operation, or among the neighbour's nationals in one
    cross-border incident.

    Unit: deaths per incident (mean).
    """

    protest_base: Value
    """Baseline weekly log-odds that a state summons another state's ambassador.

    Unit: log-odds per week.
    """

    protest_tension: Value
    """How much tension, weighted by the protester's resolve, raises the summons rate.

    Unit: log-odds per unit of resolve times tension.
    """

    recall_base: Value
    """Baseline weekly log-odds that a state recalls its ambassador from another state.

    Unit: log-odds per week.
    """

    recall_tension: Value
    """How much tension, weighted by resolve, raises the recall rate.

    Unit: log-odds per unit of resolve times tension.
    """

    restore_base: Value
    """Weekly log-odds that a recalled ambassador returns when tension is nil.

    Unit: log-odds per week.
    """

    restore_tension: Value
    """How much tension delays the return of a recalled ambassador.

    Unit: log-odds per unit tension.
    """

    deescalation_base: Value
    """Baseline weekly log-odds that a state sends a visit or delegation to another state.

    Unit: log-odds per week.
    """

    deescalation_tension: Value
    """How much tension raises the chance of a de-escalating visit or delegation.

    Unit: log-odds per unit tension.
    """

    deescalation_stakes: Value
    """How much what the pair stands to lose (shared border, trade, common enemy) raises that chance.

    Unit: log-odds per unit stakes.
    """

    delegation_share: Value
    """Share of de-escalating moves that are delegations rather than ministerial visits.

    Unit: probability.
    """

    joint_base: Value
    """Baseline weekly log-odds that two neighbouring states patrol or operate jointly.

    Unit: log-odds per week.
    """

    joint_threat: Value
    """How much the shared threat of a common enemy, minus the pair's own tension, raises joint action.

    Unit: log-odds per unit of net threat.
    """

    joint_operation_threshold: Value
    """Shared threat above which joint action is a combat operation rather than a patrol.

    Unit: tension.
    """

    rivalry_base: Value
    """Log of the weekly rate at which two rival armed groups clash in one state where both operate (a count, Poisson).

    Unit: log of clashes per week.
    """

    rivalry_tension: Value
    """How much the rivals' mutual tension, which their clashes build, raises the clash rate.

    Unit: log-rate per unit tension.
    """

    accusation_base: Value
    """Baseline weekly log-odds that a state publicly accuses a counterpart state.

    Unit: log-odds per week.
    """

    accusation_tension: Value
    """How much the pair's tension raises the accusation rate.

    Unit: log-odds per unit tension.
    """

    praise_base: Value
    """Baseline weekly log-odds that a state publicly praises its relations with a counterpart state.

    Unit: log-odds per week.
    """

    praise_cooperation: Value
    """How much the pair's cooperation raises the praise rate.

    Unit: log-odds per unit cooperation.
    """

    talks_base: Value
    """Baseline weekly log-odds that officials of two counterpart states hold talks (a call, a meeting).

    Unit: log-odds per week.
    """

    talks_engagement: Value
    """How much what divides a pair (tension) and what it shares (cooperation) raise the rate of talks.

    Unit: log-odds per unit of tension plus cooperation.
    """

    pledge_base: Value
    """Baseline weekly log-odds that a patron pledges support to one client.

    Unit: log-odds per week.
    """

    pledge_losses: Value
    """How much a client's recent heavy losses raise the patron's pledge rate.

    Unit: log-odds per log(1 + losses / losses_scale).
    """

    losses_scale: Value
    """Recent heavy losses at which the pledge term reaches log(2) times pledge_losses.

    Unit: deaths.
    """

    heavy_loss_threshold: Value
    """Deaths in one attack from which a client's losses count as heavy and enter the patron's reckoning.

    Unit: deaths.
    """

    losses_half_life_weeks: Value
    """Half-life of a client's memory of its losses.

    Unit: weeks.
    """

    pledge_boost: Value
    """Capability a client gains from one pledge of support (training, equipment).

    Unit: capability.
    """

    loss_capability: Value
    """Capability a force loses per death among its ranks.

    Unit: capability per death.
    """

    capability_recovery: Value
    """Share of the gap to its potential (its catalogue capability, raised for an armed group by grievance) that an
    actor recovers each week.

    Unit: share of the gap per week.
    """

    recruitment_per_death: Value
    """How much each civilian killed by a state's forces or their partners raises the potential capability of the armed
    groups on that state's territory (grievance feeding recruitment).

    Unit: capability per civilian death.
    """

    grievance_half_life_weeks: Value
    """Half-life of the grievance that civilian harm adds to the armed groups' potential capability.

    Unit: weeks.
    """

    expel_base: Value
    """Baseline weekly log-odds that a host state expels a foreign force present on its territory.

    Unit: log-odds per week.
    """

    expel_alignment: Value
    """How much the gap between host and force alignment (half its absolute difference) raises expulsion.

    Unit: log-odds per unit of alignment gap.
    """

    expel_tension: Value
    """How much the host's tension with the force raises expulsion.

    Unit: log-odds per unit tension.
    """

    alliance_base: Value
    """Baseline weekly log-odds that a candidate state joins an alliance.

    Unit: log-odds per week.
    """

    alliance_threat: Value
    """How much the state's highest tension with an armed group raises joining.

    Unit: log-odds per unit threat.
    """

    alliance_alignment: Value
    """How much a state's alignment with the alliance raises joining.

    Unit: log-odds per unit alignment.
    """
