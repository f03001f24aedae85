"""LangGraph pieces: personas, populations of them, the VS node, and persona simulations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_vs._imports import lazy_attributes

if TYPE_CHECKING:
    from langchain_vs.graph._node import (
        CUSTOM_EVENT_TYPE,
        DRAWS_KEY,
        Persona,
        VerbalizedNode,
        persona_view,
    )
    from langchain_vs.graph._population import (
        MAX_POPULATION,
        POPULATION_PROMPT,
        PersonaProfile,
        Population,
        agenerate_population,
        generate_population,
        persona_from_profile,
        profile_schema,
        read_population,
    )
    from langchain_vs.graph._simulation import (
        DRAFT_NODE,
        FINISH_NODE,
        NEXT_SPEAKER_NODE,
        OPENING_NODE,
        SPEAK_NODE,
        PersonaSimulationState,
        SimulationStatus,
        SpeakerRule,
        TurnOrder,
        acontinue_simulation,
        asimulation_status,
        continue_simulation,
        create_persona_simulation,
        most_likely_speaker,
        simulation_status,
    )
    from langchain_vs.graph._simulation_metrics import (
        Convergence,
        PersonaMetrics,
        SimulationMetrics,
        simulation_metrics,
    )
    from langchain_vs.graph._simulation_outcomes import (
        Outcome,
        OutcomeComparison,
        OutcomeExtractor,
        compare_outcomes,
    )

_HOMES = {
    "CUSTOM_EVENT_TYPE": "_node",
    "Convergence": "_simulation_metrics",
    "Outcome": "_simulation_outcomes",
    "OutcomeComparison": "_simulation_outcomes",
    "OutcomeExtractor": "_simulation_outcomes",
    "PersonaMetrics": "_simulation_metrics",
    "SimulationMetrics": "_simulation_metrics",
    "compare_outcomes": "_simulation_outcomes",
    "simulation_metrics": "_simulation_metrics",
    "DRAFT_NODE": "_simulation",
    "DRAWS_KEY": "_node",
    "FINISH_NODE": "_simulation",
    "MAX_POPULATION": "_population",
    "NEXT_SPEAKER_NODE": "_simulation",
    "OPENING_NODE": "_simulation",
    "POPULATION_PROMPT": "_population",
    "Persona": "_node",
    "PersonaProfile": "_population",
    "PersonaSimulationState": "_simulation",
    "Population": "_population",
    "SPEAK_NODE": "_simulation",
    "SimulationStatus": "_simulation",
    "SpeakerRule": "_simulation",
    "TurnOrder": "_simulation",
    "VerbalizedNode": "_node",
    "acontinue_simulation": "_simulation",
    "agenerate_population": "_population",
    "asimulation_status": "_simulation",
    "continue_simulation": "_simulation",
    "create_persona_simulation": "_simulation",
    "generate_population": "_population",
    "most_likely_speaker": "_simulation",
    "persona_from_profile": "_population",
    "persona_view": "_node",
    "profile_schema": "_population",
    "read_population": "_population",
    "simulation_status": "_simulation",
}

__all__ = [
    "CUSTOM_EVENT_TYPE",
    "Convergence",
    "Outcome",
    "OutcomeComparison",
    "OutcomeExtractor",
    "PersonaMetrics",
    "SimulationMetrics",
    "compare_outcomes",
    "simulation_metrics",
    "DRAFT_NODE",
    "DRAWS_KEY",
    "FINISH_NODE",
    "MAX_POPULATION",
    "NEXT_SPEAKER_NODE",
    "OPENING_NODE",
    "POPULATION_PROMPT",
    "Persona",
    "PersonaProfile",
    "PersonaSimulationState",
    "Population",
    "SPEAK_NODE",
    "SimulationStatus",
    "SpeakerRule",
    "TurnOrder",
    "VerbalizedNode",
    "acontinue_simulation",
    "agenerate_population",
    "asimulation_status",
    "continue_simulation",
    "create_persona_simulation",
    "generate_population",
    "most_likely_speaker",
    "persona_from_profile",
    "persona_view",
    "profile_schema",
    "read_population",
    "simulation_status",
]

__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, globals())
