"""Preferences: the formats of which change was preferred (docs/exports.md: dpo, kto, stepwise).

    base.py         what the family shares: the rows of AI suggestions, what stayed of each one taken
    dpo.py          dpo, dpo-fim: preference pairs for TRL's DPOTrainer
    dpo_agent.py    dpo-agent: an AI agent's lines and the developer's rewrite of them, for TRL's DPOTrainer
    refinements.py  dpo-agent's rule: each agent write followed to its horizon, its lines then
    kto.py          kto: AI suggestions taken or written over, for TRL's KTOTrainer
    stepwise.py     stepwise: the edits from failing tests to passing, for TRL's PRMTrainer
    undo_labels.py  who wrote each line again after an undo or redo (authors.py's, for agent-trace)
"""
