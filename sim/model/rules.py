"""The rules: how actors decide, and what events do to the world.

Each mechanism the documents show is one rule function that takes the acting agent. It
computes a weekly probability from named parameters (a logistic of a few terms, in the
``*_probability`` functions, which are pure and tested on their own), draws from the
model's seeded generator, and emits events through :meth:`SahelModel.emit`. What an event
then does to the latent state (capabilities, losses, presence, ambassadors, alliance
membership) is in :data:`EFFECTS`, shared by rule-made events and scheduled shocks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.core.parameter_values import Parameters

if TYPE_CHECKING:  # imported for type hints only: the model imports this module
    from sim.model.agents import SahelAgent
    from sim.model.model import SahelModel


def logistic(x: float) -> float:
    """The logistic function, safe for large negative or positive arguments."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


# --- Probabilities (pure functions of parameters and state) -------------------------------------


def attack_probability(p: Parameters, capability: float, defence: float) -> float:
    """Weekly chance that a group attacks the forces in a state defended with ``defence``."""
    return logistic(p.attack_base + p.attack_capability * capability - p.attack_deterrence * defence)


def civilian_attack_probability(p: Parameters, capability: float) -> float:
    """Weekly chance that a group attacks civilians in a state where it operates; it grows with capability."""
    return logistic(p.civilian_attack_base + p.attack_capability * capability)


def kidnap_probability(p: Parameters, capability: float) -> float:
    """Weekly chance that a group kidnaps people in a state where it operates; it grows with capability."""
    return logistic(p.kidnap_base + p.kidnap_capability * capability)


def operation_probability(p: Parameters, threat: float, capability: float) -> float:
    """Weekly chance that a force operates against a group whose hostility towards it is ``threat``."""
    return logistic(p.coin_base + p.coin_threat * threat + p.coin_capability * capability)


def civilian_harm_probability(p: Parameters, with_wagner: bool) -> float:
    """Chance that an operation harms civilians, raised when Wagner operates alongside the force."""
    return logistic(p.harm_base + p.harm_wagner * with_wagner)


def pursuit_probability(p: Parameters, with_wagner: bool) -> float:
    """Chance that an operation pursues a group into a neighbour holding its rear bases (likelier with Wagner)."""
    return logistic(p.pursuit_base + p.pursuit_wagner * with_wagner)


def summons_probability(p: Parameters, resolve: float, tension: float) -> float:
    """Weekly chance that a state summons a counterpart's ambassador: its resolve times the pair's tension."""
    return logistic(p.protest_base + p.protest_tension * resolve * tension)


def recall_probability(p: Parameters, resolve: float, tension: float) -> float:
    """Weekly chance that a state recalls its ambassador from a counterpart, the step beyond a summons."""
    return logistic(p.recall_base + p.recall_tension * resolve * tension)


def restore_probability(p: Parameters, tension: float) -> float:
    """Weekly chance that a recalled ambassador returns; it falls as the pair's tension rises."""
    return logistic(p.restore_base - p.restore_tension * tension)


def deescalation_probability(p: Parameters, tension: float, stakes: float) -> float:
    """Weekly chance of a delegation or a visit to a counterpart, likelier with tension and with what is at stake."""
    return logistic(p.deescalation_base + p.deescalation_tension * tension + p.deescalation_stakes * stakes)


def joint_action_probability(p: Parameters, shared_threat: float, tension: float) -> float:
    """Weekly chance of joint action: the common threat must outweigh the pair's own tension."""
    return logistic(p.joint_base + p.joint_threat * (shared_threat - tension))


def pledge_probability(p: Parameters, losses: float) -> float:
    """Weekly chance that a patron pledges support to a client with recent heavy ``losses`` (deaths)."""
    return logistic(p.pledge_base + p.pledge_losses * math.log1p(losses / p.losses_scale))


def expulsion_probability(p: Parameters, host_alignment: float, force_alignment: float, tension: float) -> float:
    """Weekly chance that a host expels a foreign force, likelier as their alignments part and with tension."""
    gap = abs(host_alignment - force_alignment) / 2.0
    return logistic(p.expel_base + p.expel_alignment * gap + p.expel_tension * tension)


def joining_probability(p: Parameters, threat: float, alignment: float) -> float:
    """Weekly chance that a candidate state joins an alliance, likelier under threat and with aligned views."""
    return logistic(p.alliance_base + p.alliance_threat * threat + p.alliance_alignment * alignment)


# --- Rules (act on the model through the acting agent) -------------------------------------------


def insurgency(group: SahelAgent) -> None:
    """Armed groups attack state and partner forces, attack civilians, and kidnap.

    The attack rate grows with the group's capability and falls with the defence of the
    state (its capability plus partner forces present); when partners are present, the
    attack hits one of them with a chance proportional to its share of the defence.
    """
    model, p = group.model, group.model.params
    for state_id in group.operates_in:
        defenders = model.defenders(state_id)
        defence = sum(agent.capability for agent in defenders)
        country = model.agent(state_id).iso3
        if model.draw() < attack_probability(p, group.capability, defence):
            target = model.choose(defenders, [agent.capability for agent in defenders])
            deaths = model.draw_deaths(p.attack_lethality * group.capability)
            model.emit("attack", group.actor_id, target.actor_id, fatalities=deaths, country=country)
        if model.has("civilians") and model.draw() < civilian_attack_probability(p, group.capability):
            deaths = model.draw_deaths(p.attack_lethality * group.capability)
            model.emit("attack_civilians", group.actor_id, "civilians", fatalities=deaths, country=country)
        if model.has("civilians") and model.draw() < kidnap_probability(p, group.capability):
            hostages = 1 + model.draw_count(2.0)
            model.emit("kidnapping", group.actor_id, "civilians", count=hostages, count_unit="people", country=country)


def shared_out(deaths: int, forces: int) -> list[int]:
    """The deaths of one incident shared among the forces that answer for it, one row each.

    Adding up the rows then counts every death once.
    """
    share, rest = divmod(deaths, forces)
    return [share + (i < rest) for i in range(forces)]


def counter_insurgency(force: SahelAgent) -> None:
    """States and deployed forces operate against armed groups on their territory.

    The rate grows with the group's hostility towards the operator and the operator's capability. Wagner joins
    its host's operations, raising the chance of civilian harm and of pursuit across a
    border into a neighbour where the group has rear bases (a cross-border incident).
    """
    model, p = force.model, force.model.params
    territory = force.actor_id if force.kind == "state" else force.host
    if not force.present or territory is None:
        return
    country = model.agent(territory).iso3
    for group in model.groups_in(territory):
        threat = model.ledger.hostility(group.actor_id, force.actor_id)
        if model.draw() >= operation_probability(p, threat, force.capability):
            continue
        model.emit("counterinsurgency_operation", force.actor_id, group.actor_id, country=country)
        contractors = model.contractors_in(territory) if force.kind == "state" else []
        for pmc in contractors:
            model.emit("counterinsurgency_operation", pmc.actor_id, group.actor_id, country=country)
        operators = [force.actor_id] + [pmc.actor_id for pmc in contractors]
        with_wagner = bool(contractors)
        if model.has("civilians") and model.draw() < civilian_harm_probability(p, with_wagner):
            deaths = model.draw_deaths(p.pursuit_lethality)
            for operator, share in zip(operators, shared_out(deaths, len(operators)), strict=True):  # Wagner included
                model.emit("attack_civilians", operator, "civilians", fatalities=share, country=country)
        for neighbour_id in model.agent(territory).neighbours:
            if neighbour_id in group.rear_bases and model.draw() < pursuit_probability(p, with_wagner):
                deaths = model.draw_deaths(p.pursuit_lethality)
                for operator, share in zip(operators, shared_out(deaths, len(operators)), strict=True):
                    model.emit(
                        "cross_border_incident",
                        operator,
                        neighbour_id,
                        fatalities=share,
                        country=model.agent(neighbour_id).iso3,
                        location="border area",
                    )


def protest(state: SahelAgent) -> None:
    """A state protests harm from a counterpart state: summons, then recall, as tension grows.

    A recalled ambassador returns once tension has fallen (the 2010 recall and return).
    """
    model, p = state.model, state.model.params
    for other in model.counterparts(state.actor_id):
        tension = model.ledger.tension(state.actor_id, other.actor_id)
        if model.draw() < summons_probability(p, state.resolve, tension):
            model.emit("summon_ambassador", state.actor_id, other.actor_id)
        if (state.actor_id, other.actor_id) in model.recalled:
            if model.draw() < restore_probability(p, tension):
                model.emit("restore_ambassador", state.actor_id, other.actor_id)
        elif model.draw() < recall_probability(p, state.resolve, tension):
            model.emit("recall_ambassador", state.actor_id, other.actor_id)


def de_escalation(state: SahelAgent) -> None:
    """Delegations and ministerial visits to counterpart states, likelier with tension and with what is at stake."""
    model, p = state.model, state.model.params
    for other in model.counterparts(state.actor_id):
        tension = model.ledger.tension(state.actor_id, other.actor_id)
        stakes = model.stakes(state.actor_id, other.actor_id)
        if model.draw() < deescalation_probability(p, tension, stakes):
            kind = "delegation" if model.draw() < p.delegation_share else "visit"
            model.emit(kind, state.actor_id, other.actor_id)


def common_threat(state: SahelAgent) -> None:
    """Joint patrols, or joint operations, with a neighbour facing the same armed group.

    Each pair is considered once a week, by the neighbour listed first in the catalogue.
    """
    model, p = state.model, state.model.params
    for neighbour_id in state.neighbours:
        if not model.comes_first(state.actor_id, neighbour_id):
            continue
        enemy, shared = model.common_enemy(state.actor_id, neighbour_id)
        if enemy is None:
            continue
        tension = model.ledger.tension(state.actor_id, neighbour_id)
        if model.draw() >= joint_action_probability(p, shared, tension):
            continue
        if shared >= p.joint_operation_threshold:
            model.emit("joint_operation", state.actor_id, neighbour_id)
            for partner in (state.actor_id, neighbour_id):
                model.emit("counterinsurgency_operation", partner, enemy, country=state.iso3)
        else:
            model.emit("joint_patrol", state.actor_id, neighbour_id, country=state.iso3)


def patronage(patron: SahelAgent) -> None:
    """A patron pledges support to clients, likelier within weeks of their heavy losses."""
    model, p = patron.model, patron.model.params
    for client in model.clients_of(patron.actor_id):
        if model.draw() < pledge_probability(p, client.losses):
            model.emit("pledge_support", patron.actor_id, client.actor_id)


def expulsion(host: SahelAgent) -> None:
    """A host state expels a foreign force whose alignment it has turned away from."""
    model, p = host.model, host.model.params
    for force in model.forces_in(host.actor_id):
        tension = model.ledger.tension(host.actor_id, force.actor_id)
        if model.draw() < expulsion_probability(p, host.alignment, force.alignment, tension):
            model.emit("expulsion", host.actor_id, force.actor_id)


def alliance_formation(state: SahelAgent) -> None:
    """A candidate state joins an alliance, likelier under threat and with aligned views."""
    model, p = state.model, state.model.params
    for alliance in model.alliances_open_to(state.actor_id):
        if model.draw() < joining_probability(p, model.threat(state.actor_id), state.alignment):
            model.emit("alliance_formation", state.actor_id, alliance.actor_id)


# --- Effects: what an event does to the latent state -----------------------------------------


def _casualties(model: SahelModel, source: str, target: str, deaths: int, magnitude: float) -> None:
    victim = model.agent(target)
    if deaths >= model.params.heavy_loss_threshold:
        victim.losses += deaths
    victim.capability = max(0.0, victim.capability - model.params.loss_capability * deaths)


def _attrition(model: SahelModel, source: str, target: str, deaths: int, magnitude: float) -> None:
    group = model.agent(target)
    group.capability = max(0.0, group.capability - model.params.coin_attrition * model.agent(source).capability)


def _boost(model: SahelModel, source: str, target: str, deaths: int, magnitude: float) -> None:
    client = model.agent(target)
    client.capability = min(1.0, client.capability + model.params.pledge_boost * magnitude)


def _expel(model: SahelModel, source: str, target: str, deaths: int, magnitude: float) -> None:
    model.agent(target).present = False


def _withdraw(model: SahelModel, source: str, target: str, deaths: int, magnitude: float) -> None:
    model.agent(source).present = False


def _recall(model: SahelModel, source: str, target: str, deaths: int, magnitude: float) -> None:
    model.recalled.add((source, target))


def _restore(model: SahelModel, source: str, target: str, deaths: int, magnitude: float) -> None:
    model.recalled.discard((source, target))


def _join(model: SahelModel, source: str, target: str, deaths: int, magnitude: float) -> None:
    alliance = model.agent(target)
    if alliance.kind == "alliance":
        alliance.members.add(source)


Effect = Callable[["SahelModel", str, str, int, float], None]  # model, source, target, deaths, magnitude

EFFECTS: dict[str, Effect] = {
    "attack": _casualties,
    "counterinsurgency_operation": _attrition,
    "pledge_support": _boost,
    "expulsion": _expel,
    "withdrawal": _withdraw,
    "recall_ambassador": _recall,
    "restore_ambassador": _restore,
    "alliance_formation": _join,
}
