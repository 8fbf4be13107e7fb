"""The dataset's data dictionary: what each table is, its key and order, and what every column means.

The dataset card (card.py) prints it and croissant.json gives each field its description; a test checks
that every column of every table (rows/tables.py) is described here, so a column cannot be added unexplained.
Units: times are milliseconds (`*_ms`) from the episode's start unless they are timestamps (UTC);
positions are the episode's `position_encoding` code units; hashes are SHA-256, lowercase hex.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableDoc:
    summary: str
    key: str  # the columns that identify a row
    order: str  # the order rows come in within a file
    columns: dict[str, str]


_EPISODE = "the episode's id (a UUID); with signer_key_id it identifies the episode in every table"
_SIGNER = "the 16-hex-digit id of the key that signed the episode (the first 16 hex digits of its SHA-256)"
_STEP = "the step's index in the episode, from 0, as `codetape cat` and `codetape checkout --step` number it"
_T = "milliseconds from the episode's start to the step"
_MONTH = ("the month the episode started (UTC, YYYY-MM): the Hive partition, in the path and in the files "
          "(Hugging Face `datasets`, which reads no partition from a path, has it too)")
_LICENCE = "the SPDX licence expression the episode was shared under (as episodes.licence); null: none given"
_COMMON = {"episode_id": _EPISODE, "signer_key_id": _SIGNER, "step": _STEP, "t_ms": _T, "month": _MONTH,
           "licence": _LICENCE}
_BY_STEP = "episode_id, signer_key_id, step"
_POS = "a position in the episode's position_encoding (line, then code units into it), from 0"
_ORIGIN = ("whose work it is: typed, paste, cut, completion, ai_completion, agent, snippet, code_action, "
           "rename, format, undo, redo; null: unknown")
_DETAIL = "the evidence for origin, `<where>:<what>`; null without origin"
_TRACED = ("the non-whitespace characters it inserted, traced through the replay character by character "
           "(never matched by text: a character deleted and typed again, by an undo and a redo or by hand, "
           "is a new one; where it replaced text with text that starts or ends the same, those shared "
           "characters are not counted as inserted)")
_SURVIVAL = {
    "survived_to_end": "of " + _TRACED + ", the share still in the file's text when the episode ended (the "
                       "editor's buffer while the file is open, else the disk); null when it inserted no "
                       "character (a pure deletion, or text replaced by the same text)",
    "survived_to_commit": "the share of them on disk at the next commit that lists the file (git's files); "
                          "null when no later commit lists it, or when it inserted none",
    "reverted_at_step": "the step after which none of them was left in the file's text, whatever removed "
                        "them (an undo, a deletion, a replacement, a buffer closed unsaved); null while one "
                        "is left at the end, or when it inserted none",
    "reverted_within_ms": "milliseconds from the insertion to reverted_at_step; null when that is null",
}
_TURN = ("On a prompt's row, of the agent's turn it began (until the same agent and session's next stop, "
         "prompt or session end; docs/exports.md, Pushback); null on every other row")
_PUSHBACK = {
    "interrupted": _TURN + ": whether the developer stopped the turn before the agent finished it, where the "
                   "agent's hooks say so (Claude Code, Codex: a turn with no stop; Cursor, ACP: the stop's "
                   "status); null where they do not (Gemini CLI, opencode) or the turn had no end",
    "wrote_chars": _TURN + ": of " + _TRACED + ", summed over the files the agent's writes in the turn "
                   "changed (0: it wrote nothing)",
    "undone_within_ms": _TURN + ": milliseconds from the turn's end to the first step that removed any "
                        "character its writes inserted (reverted or rewritten, by the developer, git or a "
                        "later turn); null when none was removed before the episode ended, or it wrote none",
    "survived_to_end": _TURN + ": the share of the characters its writes inserted still in the files' texts "
                       "when the episode ended; null when it wrote none",
}
_OUTCOMES = {
    "outcome": "how it ended: pass, fail or abandoned, the verdict of outcome_signal",
    "outcome_signal": "the signal the outcome rests on, the first with a verdict of: tests (the last test "
                      "run, when no edit or write to a file came after it: pass when green, fail when not), "
                      "self-reported (`codetape task done --outcome`), commit (pass: the last commit, when "
                      "no edit or write came after it), abandoned (none of those said anything)",
    "outcome_confidence": "0 to 1: tests red to green 0.9, green without a red run before 0.7, red 0.8; "
                          "self-reported 0.8; commit 0.6; abandoned 0.3; halved when another signal's "
                          "verdict differs",
    "outcome_signals": "every signal's verdict (signal, verdict, the step that gave it; abandoned has none), "
                       "in the order above: where they disagree, each is here",
}

TABLES: dict[str, TableDoc] = {
    "episodes": TableDoc(
        "One row per accepted episode: its header, the consent statement its developer signed, the terms it "
        "was shared under, and counts of what it holds.",
        "episode_id, signer_key_id", "as built, episode by episode",
        {"episode_id": _EPISODE, "signer_key_id": _SIGNER, "month": _MONTH,
         "sha256": "SHA-256 of the episode file: the name it is stored under at the source",
         "source_key": "where the episode file is at the source (the key under SOURCE)",
         "bytes": "size of the episode file",
         "content_sha256": "SHA-256 of the bytes the signature covers (the episode but its consent frame)",
         "statement_sha256": "SHA-256 of the consent statement's exact JSON (`consent_statement`)",
         "build": "the build (1, 2, ...) that added the episode; the manifest lists each build",
         "started_at": "when the episode started (UTC timestamp)",
         "duration_ms": "from the episode's start to its last step",
         "codetape_version": "the codetape that recorded the episode",
         "position_encoding": "how positions in the episode count characters: utf-8, utf-16 or utf-32 code "
                              "units (LSP's positionEncoding)",
         "workspace": "the workspace folder's name (never its path)",
         "git_remote": "the repository's remote URL at the start, credentials removed; null without one",
         "head_at_start": "the git commit checked out at the start; null outside git",
         "editor": "the editor's name as it told the language server (clientInfo); null when it did not",
         "editor_version": "the editor's version as it told it; null when it did not",
         "channels": "what was recorded: editor, files, git, commands, tests (the workspace's settings)",
         "signer_public_key": "the signer's Ed25519 public key (base64)",
         "signed_at": "when the developer signed (UTC timestamp)",
         "signed_with": "the codetape version that signed",
         "purpose": "the purpose the developer agreed to share for; null when the policy named none",
         "licence": "the SPDX licence expression the developer shared under; null when none was given",
         "repository_licences": "SPDX ids of the licence files found in the repository",
         "allowed_licences": "the repository licences the policy allowed sharing from; null: no such rule",
         "excluded_sha256": "a keyed hash of the exclusion globs (the globs themselves are never shared)",
         "retain_until": "the last day (UTC) the developer allowed the episode to be kept: the first build "
                         "after it removes its rows from every snapshot; null: no date was signed",
         "managed_policy_sha256": "SHA-256 of the organisation's managed policy file the episode was signed "
                                  "under (dataset build --require-policy); null: none was in force",
         "redaction_rules_version": "the version of the secret rules redaction ran with",
         "redactions": "per redaction rule, how many distinct values it replaced; empty: nothing redacted",
         "consent_statement": "the exact consent statement JSON the signature covers",
         "task": "the first task the developer stated (`codetape task start`); null without one",
         "task_outcome": "the outcome the developer gave when the task was done; null without one",
         **_OUTCOMES,
         "step_count": "steps in the episode", "file_count": "files the episode touched",
         "edit_count": "edit steps", "save_count": "save steps", "test_run_count": "test_run steps",
         "command_count": "command steps", "commit_count": "git commits recorded", "gap_count": "gap steps",
         "file_state_count": "rows the episode has in file_states",
         "inserted_by_origin": "characters the episode wrote, per origin, with their share of all, as "
                               "`--origin` counts them: what its edits inserted (typed, paste, completion, "
                               "ai_completion, agent, ..., unknown for edits without one) and what its "
                               "writes to disk outside the editor inserted (the characters between what the "
                               "old and the new text share at their start and end; agent when an agent "
                               "claimed the write, unknown otherwise); empty: nothing was written",
         "human_share": "of the characters the episode wrote (as inserted_by_origin counts them), the share "
                        "of human origins: typed, paste, cut, completion, snippet, code_action, rename, "
                        "format, undo, redo; null: it wrote nothing",
         "ai_share": "the same share of ai origins: ai_completion, agent (an agent's edits and the files "
                     "it claimed writing); null: it wrote nothing",
         "unknown_share": "the same share of unknown: edits without evidence and writes outside the "
                          "editor that no agent claimed; null: it wrote nothing",
         "steps_sha256": "SHA-256 over the steps' content in order (kind, path, fields; not their times): "
                         "episodes that share it hold the same session",
         "repository": "the repository the split groups it by: git:HOST/PATH from the remote (scheme, user "
                       "and .git left out), else workspace:FOLDER; an unlinkable episode without a remote "
                       "(signing keeps only a shared remote the organisation's policy lists) episode:ID, "
                       "a repository of its own",
         "diff_minhash": "MinHash signature (128 values, rensa, seed 1) of the 5-token shingles of what its "
                         "edits and file writes inserted: near duplicates share a band of 8; null when it "
                         "wrote nothing",
         "split": "train, eval, or none (it duplicates episodes on both sides): by repository; an episode "
                  "with "
                  "the same steps_sha256 or a near-duplicate diff_minhash as another is on its side (join "
                  "the other tables on episode_id and signer_key_id)"}),
    "steps": TableDoc(
        "One row per step of every accepted episode, every kind, in order.",
        _BY_STEP, "by episode, then step",
        {**_COMMON,
         "kind": "the step's kind: open, edit, save, close, cursor, diagnostics, file_change, git, command, "
                 "test_run, note, task, gap, redaction, agent (schemas/EPISODE_FORMAT.md)",
         "source": "what recorded it: bridge, files, git, shell, pytest, junit, collector, ...",
         "path": "the workspace-relative path the step is about; null for steps about none",
         "data": "the kind's other fields as JSON (defaults left out), as `codetape cat` prints them",
         "origin": "whose work an edit or file_change is (typed, paste, cut, completion, ai_completion, "
                   "agent, snippet, code_action, rename, format, undo, redo, external); null: unknown",
         "origin_detail": "the evidence for origin, `<where>:<what>` (nvim:vim.paste, lsp:completionItem, "
                          "claude-code:PostToolUse Edit); null without origin"}),
    "file_states": TableDoc(
        "The text of files at moments that matter: the saved file at each save, every file at each commit, "
        "every file at the end (as `codetape checkout --step` writes them), by their text's hash in `blobs`.",
        _BY_STEP + ", event, path", "by episode, then step, then path",
        {**_COMMON, "event": "save, commit or end",
         "path": "the workspace-relative path",
         "sha256": "SHA-256 of the text's UTF-8 bytes; the text is the row of `blobs` with this sha256"}),
    "test_runs": TableDoc(
        "One row per test of every test run (a run without tests: one row with test_index null).",
        _BY_STEP + ", test_index", "by episode, then step, then the run's order",
        {**_COMMON, "framework": "pytest, jest, go, junit, ...",
         "args": "the runner's arguments", "exit_status": "the run's exit status; null when unknown",
         "run_duration_ms": "how long the run took", "test_index": "the test's place in the run, from 0",
         "nodeid": "the test's id (pytest's node id, or suite and name)",
         "outcome": "passed, failed, error, skipped, xfailed or xpassed",
         "duration_ms": "how long the test took; null when unknown",
         "summary": "the failure's short message; null when it passed",
         "kind": "test, or collection: a file the runner could not collect (outcome error; its nodeid the "
                 "file's, not a test's); null for a run without tests"}),
    "commands": TableDoc(
        "One row per terminal command recorded (`codetape run`, the shell hook, an editor's terminal).",
        _BY_STEP, "by episode, then step",
        {**_COMMON, "source": "what recorded it: shell, run, vscode-terminal",
         "argv": "the command's arguments when known; null when only the line is",
         "command_line": "the command line as typed (redacted like any text)",
         "cwd": "the directory it ran in, workspace-relative",
         "exit_code": "its exit code; null when unknown",
         "duration_ms": "how long it ran", "output_tail": "the end of its output, when recorded"}),
    "edits": TableDoc(
        "One row per content change of every edit step, in the order the editor applied them, and one per "
        "place a formatter run on save outside the editor changed (a file_change of origin format).",
        _BY_STEP + ", change", "by episode, then step, then change",
        {**_COMMON, "change": "the change's index within its step, from 0",
         "path": "the workspace-relative path of the edited document",
         "version": "the document version the editor gave the edit; null when it gave none (a formatter's "
                    "write)",
         "start_line": _POS + "; null: the change replaced the whole text",
         "start_character": _POS + "; null: the change replaced the whole text",
         "end_line": _POS + "; null: the change replaced the whole text",
         "end_character": _POS + "; null: the change replaced the whole text",
         "start_offset": "characters (code points) into the file's text before this change where it starts",
         "end_offset": "characters (code points) into the file's text before this change where it ends",
         "inserted": "the text the change put in; empty: a deletion",
         "deleted": "the text the change took out; empty: an insertion",
         "origin": _ORIGIN, "origin_detail": _DETAIL, **_SURVIVAL}),
    "diagnostics": TableDoc(
        "One row per diagnostic of every diagnostics step (the full set one producer reported for one file "
        "at that moment); a step that cleared them is one row with item null.",
        _BY_STEP + ", item", "by episode, then step, then item",
        {**_COMMON, "path": "the workspace-relative path the diagnostics are about",
         "origin": "who produced them (a language server, a linter); empty when not said",
         "version": "the document version they were computed for; null when not said",
         "item": "the diagnostic's index in the set, from 0; null: the step cleared the set",
         "start_line": _POS, "start_character": _POS, "end_line": _POS, "end_character": _POS,
         "severity": "1 error, 2 warning, 3 information, 4 hint (LSP); null when not said",
         "message": "the diagnostic's message", "code": "its code (a string); null without one",
         "source": "its source as the producer named it; null without one"}),
    "git": TableDoc(
        "One row per git operation recorded (commit, checkout, merge, rebase, reset, ...).",
        _BY_STEP, "by episode, then step",
        {**_COMMON, "op": "commit, checkout, branch_create, branch_delete, merge, rebase, reset, stash, "
                          "cherry_pick, fetch, pull, tag or ref_update",
         "sha": "the commit it made or moved to; null when none", "message": "a commit's message",
         "parents": "a commit's parents; empty otherwise",
         "files": "the files a commit changed: path, lines added and deleted, change (A, M, D, R, C, T, U, "
                  "X) and whether the path was escaped (not UTF-8); empty otherwise",
         "ref": "the branch or ref it concerned; null when none", "old": "the ref's previous commit",
         "new": "the ref's new commit", "detail": "what else git said of it, in a line"}),
    "cursor": TableDoc(
        "One row per cursor step: where the caret and the selections were.",
        _BY_STEP, "by episode, then step",
        {**_COMMON, "path": "the workspace-relative path of the document",
         "line": _POS + ": the caret (the first selection's active end)", "character": _POS + ": the caret",
         "selections": "every selection: anchor and active ends (line, character)"}),
    "agent_events": TableDoc(
        "One row per agent step: what an AI agent the developer works with reported through its hooks "
        "(`codetape agent hook`). The prompt's text is not a column (steps.data holds it when the "
        "developer kept it); prompt_chars is its length.",
        _BY_STEP, "by episode, then step",
        {**_COMMON, "agent": "claude-code, codex, cursor, gemini-cli or acp (an agent behind `codetape acp`)",
         "session": "the agent's own id of its conversation; null when it gave none",
         "event": "session_start, prompt, tool_call, tool_result, stop, session_end, permission_request or "
                  "permission",
         "hook": "the agent's own name for the event (UserPromptSubmit, PostToolUse, ..., or the ACP "
                 "method, session/prompt, ...)",
         "tool": "the tool a tool_call or tool_result ran; null otherwise",
         "targets": "the workspace-relative paths the tool call named; empty when none",
         "command_line": "a shell tool call's command line; null otherwise",
         "prompt_chars": "the characters of a prompt event's prompt; null when there is none, as when the "
                         "developer left it out at review",
         "detail": "what else the agent said of it (a session's source or reason, a stop's status)",
         "truncated": "the prompt or command line was longer than a step holds and was cut at a space",
         **_PUSHBACK}),
    "transitions": TableDoc(
        "State, action, state: one row per action and file it changed (an edit burst once it settles, a "
        "command, a test run, a git operation, and every other step that changed a file's text: open, "
        "close, save, file_change, gap); an action that changed no file is one row with path null. "
        "Replaying every row's after_sha256 in order gives the files `codetape checkout` writes.",
        "episode_id, signer_key_id, action, path", "by episode, then action",
        {"episode_id": _EPISODE, "signer_key_id": _SIGNER, "month": _MONTH, "licence": _LICENCE,
         "action": "the action's number in the episode, from 0",
         "kind": "edit, command, test_run, git (the developer's actions), or open, close, save, "
                 "file_change, gap",
         "first_step": "the action's first step (`codetape cat`'s index)", "last_step": "its last step",
         "start_ms": "milliseconds from the episode's start to the action's first step",
         "end_ms": "to its last step", "edits": "edit steps in the burst; 0 for other kinds",
         "path": "the workspace-relative path the row is about; null: the action changed no file",
         "before_sha256": "the file's text before the action (in `blobs`); null: it did not exist",
         "after_sha256": "its text after the action (in `blobs`); null: deleted, or not recorded",
         "diff": "the unified diff (git's form); null when the file was created or deleted (its blob is the "
                 "text) or a text was too large",
         "diff_coarse": "the diff is one hunk from the first change to the last (its smallest form cost "
                        "more than the episode's budget)",
         "origin": "whose work the action is: an edit burst's origin (typed, paste, ..., agent; null when "
                   "its edits said none; mixed when they differ), a file_change's (agent, external; null: "
                   "none said); null for every other kind",
         "origin_detail": "the evidence for origin when the burst's edits or the file_change gave one; for a "
                          "mixed burst the share of the characters it inserted per origin, "
                          "`typed 80%, paste 20%`",
         "caret_line": _POS + ": the caret in the file before the action, where the editor last reported "
                       "it or else where the last edit left it; null when the file had neither since it was "
                       "opened, closed, changed on disk or the recording had a gap",
         "caret_character": _POS + ": the caret; null when none",
         "caret_from": "editor (the editor's last report) or edit (the end of the last edit); null when none",
         "diagnostics": "the diagnostics current when the action started (the action's file first, errors "
                        "first; at most 64)",
         "diagnostic_count": "how many there were in all", "test_run_step": "the last test run before the "
         "action (its rows are in test_runs); null when none",
         "tests_passed": "that run's passed tests; null without a run",
         "tests_failed": "its failed or errored tests; null without a run",
         "failing": "their node ids (at most 64); empty when none failed",
         **{name: "for an edit burst or a file_change, of what it inserted and still held when it ended: "
            + text for name, text in _SURVIVAL.items()}}),
    "tasks": TableDoc(
        "One row per task of every accepted episode: from its `codetape task start` to its `task done`, the "
        "next task's start or the episode's end (a `task done` whose start is in an earlier episode: from "
        "the episode's first step), with how it ended by every signal.",
        "episode_id, signer_key_id, task", "by episode, then task",
        {"episode_id": _EPISODE, "signer_key_id": _SIGNER, "month": _MONTH, "licence": _LICENCE,
         "task": "the task's number in the episode, from 0",
         "statement": "what the developer said the task was; null when its start is not in the episode",
         "first_step": "its first step", "last_step": "its last step",
         "done_step": "its `task done` step; null when the next task or the episode's end ended it",
         **_OUTCOMES}),
    "offers": TableDoc(
        "One row per offer step: suggestions an editor showed at a place (a completion menu, an inline "
        "suggestion), whether the developer took one, and what stood at that place when the episode "
        "ended (collector/reconstruct/offers.py says how the place is followed through the edits).",
        _BY_STEP, "by episode, then step",
        {**_COMMON, "path": "the workspace-relative path of the document",
         "line": _POS + ": where it was offered (the caret; the taken text's start when the editor "
                 "reported it applied)", "character": _POS + ": where it was offered",
         "via": "completion (a menu) or inline (ghost text)",
         "evidence": "where codetape saw it, `<where>:<what>` (lsp:textDocument/completion, "
                     "lsp:textDocument/inlineCompletion, nvim:CompleteDone, emacs:company, ...)",
         "provider": "who offered it: the language server's name, the completion source; null: not known",
         "ai": "offered by an AI (an inline completion, a server or source known as an AI assistant, an "
               "item marked as an AI's)",
         "items": "what each item inserts, in the order offered (at most 16; redacted like every text)",
         "more": "items offered beyond those kept",
         "decision": "what the change that followed did: accepted, partly_accepted or not_taken",
         "taken": "the index into items of the item taken; null: none",
         "taken_text": "what was taken: the item's text, or its start when partly accepted; null: none",
         "settled": "the text at the offer's place 5 minutes after the offer (survived_5min's horizon; "
                    "the episode's end, or its file replaced whole, if that came first): the span the "
                    "offered item would have replaced (for a completion offered at a caret, with what was "
                    "typed of the item before it) as the edits after it grew and rewrote it, a line "
                    "retyped whole (emptied, its line left) the new line; null when that cannot be told",
         "outcome": "accepted or partly_accepted (what was taken still stands), overwritten (taken and "
                    "replaced, or not taken and other text written there), retyped (not taken, its text "
                    "typed by the developer), ignored (not taken, nothing written there); null with "
                    "settled"}),
    "preferences": TableDoc(
        "One row per AI suggestion the developer's own settled text replaced: (context, chosen, "
        "rejected) pairs for preference training, from the offers whose ai is true, taken or written over, "
        "whose item's non-whitespace text does not stand unchanged and contiguous in the settled text, "
        "and whose settled text holds a non-whitespace character (kto's rule). Both sides replace the "
        "same span: context_before + chosen + context_after is "
        "the file's text where the offer settled, context_before + rejected + context_after that text "
        "with the AI's suggestion in the developer's text's place (the dpo and dpo-fim exports: these "
        "rows as TRL's prompt, chosen and rejected).",
        _BY_STEP, "by episode, then step",
        {**_COMMON, "path": "the workspace-relative path of the document",
         "via": "completion or inline", "provider": "who offered it; null: not known",
         "evidence": "where codetape saw the offer (as offers.evidence)",
         "context_before": "the file's text in front of the pair when the offer settled (5 minutes after "
                           "it, or the episode's end or its file replaced whole first), at most 2,000 "
                           "characters: with what stood in front of the suggestion that both sides keep "
                           "(the indentation of a line retyped whole, what was typed of a completed word)",
         "context_after": "the file's text behind the pair then (at most 1,000 characters)",
         "chosen": "the developer's text (offers.settled without what moved into the contexts)",
         "rejected": "the AI's suggestion (the item taken, else the first offered), with the text around "
                     "it the developer's edits replaced along with it, so it spans what chosen spans",
         "outcome": "overwritten or partly_accepted (as offers.outcome)"}),
    "blobs": TableDoc(
        "Every file text the dataset refers to (transitions, file_states), once, by its SHA-256 (of the "
        "text's UTF-8 bytes as recorded); not partitioned. A text stays while any episode refers to it.",
        "sha256", "as built",
        {"sha256": "SHA-256 of the text's UTF-8 bytes: the key transitions and file_states use",
         "text": "the text (a lone surrogate, which Parquet cannot hold, is stored as U+FFFD)"}),
    "rejected": TableDoc(
        "One row per episode left out of the dataset, and per revocation record ignored, with the reason.",
        "sha256, reason", "as built",
        {"sha256": "the name it is stored under at the source",
         "source_key": "the episode's key at the source, or the revocation record's",
         "episode_id": "the episode's id when it could be read; else null",
         "signer_key_id": "the signer's key id when the signature verified; else null",
         "reason": "why (collector/dataset/check/reasons.py): hash_mismatch, too_large, format, unsigned, "
                   "signature, revoked, untrusted_signer, unauthorised, licence, manifest_mismatch, "
                   "replay, consent_scope, origin, duplicate, key_reused, id_conflict, "
                   "revocation_unverified",
         "detail": "the reason in a sentence", "build": "the build that left it out"}),
}
