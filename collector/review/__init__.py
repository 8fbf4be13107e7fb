"""The review: nothing leaves the machine until its developer has seen it, trimmed it and signed it.

    plan.py          TrimPlan: excluded globs, dropped time ranges, extra redaction patterns
    exclude.py       exclude_files: every step about an excluded file goes, renames stay coherent
    drop.py          drop_ranges: a dropped range becomes one `gap` whose state keeps replay exact
    prompts.py       leave_out_prompts: agent prompts lose their text; PromptMasks: how else they are written
    contents.py      mask_contents: what was left out (lines, bare names, prompts) masked in free text
    names.py         mask_names: paths a pattern matches renamed, the header's names masked
    spans.py         mask_spans: the reviewer's patterns and the excluded paths, through redaction
    trim.py          trim_episode: the pipeline above into a new, verified episode file
    redactions.py    redactions_in: the masked values still in an episode, who masked them, why, where
    summary_view.py  ReviewSummary: what the review shows first (and `review --summary [--json]`)
    timeline.py      the timeline's rows; browse.py: files at any step, diffs between steps
    locate.py        the default episode, the episode's workspace (for its sharing policy)
    choices.py       the endings: sign_and_queue (to the outbox), discard_episode; keeping is nothing
    session.py       ReviewSession: one review without a screen (what is seen is what is signed)
    report.py        the HTML report (`codetape report`), run as its own process
    views.py, dialogs.py, app.py   the Textual review
    held.py          HeldApp: the episodes the outbox holds before they leave, sent anyway or withdrawn
    errors.py        ReviewError
"""
