"""Every statement of the annex, built from the settings in force (in_force.py), each with the tests in
this repository that back it.

A sentence is a tuple of parts: codetape's own words (`str`) and values read from the settings or the
dataset (`Value`), which the documents print as code, escaped (render.py). What a sentence says depends
on the settings: a channel the policy leaves out is listed as never recorded, a purpose it allows as
allowed, unlinkable consent's guarantees only when the policy requires it. Lists come from the code that
enforces them: the channels and the step kinds of each (schemas/settings.py), the files never recorded
(collector/policy/recording.py NEVER_RECORDED), the redaction rules (collector/redact/rules/builtin.py and the
maintained engine's package), the defaults a workspace starts from.

BACKING names, for each kind of claim, the pytest node ids (`tests/...py::test_name`) that check it
through the real components; tests/unit/annex/test_backing.py fails when one of them does not exist.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable
from dataclasses import dataclass

from collector.annex.in_force import InForce
from collector.policy.recording import NEVER_RECORDED
from schemas.settings import CHANNEL_OF_KIND, Channel
from schemas.steps import STEP_KINDS


class Value(str):
    """A value from the settings or the dataset inside a sentence: printed as code, escaped."""

    __slots__ = ()


Part = str | Value
Sentence = tuple[Part, ...]

ENGINE = "kingfisher-secret-scanner"
T = "tests/integration/"
MANAGED = f"{T}policy/test_managed_policy.py::"
BACKING: dict[str, tuple[str, ...]] = {
    "opt-in": (f"{T}daemon/test_collector_session.py::test_a_workspace_that_is_not_opted_in_records_nothing",
               f"{MANAGED}test_a_refused_managed_policy_stops_recording_and_signing"),
    "channels": (f"{T}daemon/test_collector_session.py::test_channels_switched_off_are_not_recorded",
                 f"{MANAGED}test_a_looser_workspace_does_not_win_over_the_managed_policy"),
    "never-files": (f"{T}policy/test_policy.py::test_secret_ish_files_and_git_internals_are_excluded",
                    f"{T}policy/test_never_recorded.py::test_secret_files_are_secret_whatever_the_case",
                    f"{T}policy/test_never_recorded.py::test_the_settings_file_is_never_recorded",
                    f"{T}policy/test_policy.py::test_git_ignored_files_are_excluded_and_tracked_ones_recorded"),
    "mandatory-exclude": (f"{MANAGED}test_a_looser_workspace_does_not_win_over_the_managed_policy",
                          f"{MANAGED}test_a_managed_policy_made_during_an_episode_applies_at_once",
                          f"{MANAGED}test_a_share_lacking_what_the_managed_policy_requires_cannot_be_signed"),
    "size-cap": (f"{T}policy/test_policy.py::test_binary_and_too_large",
                 f"{MANAGED}test_a_looser_workspace_does_not_win_over_the_managed_policy"),
    "local-names": (f"{T}redact/test_local_names.py::test_no_local_name_reaches_the_sealed_episode",),
    "redaction": (f"{T}redact/test_redaction_seal.py::test_a_sealed_episode_holds_no_secret_and_verifies",
                  f"{T}redact/test_redaction_seal.py::"
                  "test_secrets_in_file_names_base64_and_command_lines_never_reach_the_episode"),
    "allow-list": (f"{T}redact/test_redaction_seal.py::"
                   "test_the_workspace_allow_list_lets_a_false_positive_through",),
    "review": (f"{T}review/test_review_trim_channels.py::"
               "test_an_excluded_folder_a_dropped_range_and_a_redacted_word_are_gone_everywhere",
               f"{T}upload/test_upload_file.py::test_what_may_not_leave_stays_with_one_line_each"),
    "purposes": (f"{MANAGED}test_a_share_lacking_what_the_managed_policy_requires_cannot_be_signed",),
    "licences": (f"{MANAGED}"
                 "test_the_managed_policy_bounds_the_licence_at_signing_and_the_destination_at_upload",),
    "destinations": (f"{MANAGED}"
                     "test_the_managed_policy_bounds_the_licence_at_signing_and_the_destination_at_upload",),
    "retention": (f"{MANAGED}test_a_looser_workspace_does_not_win_over_the_managed_policy",
                  f"{T}upload/test_retention.py::test_retain_until_is_signed_and_one_later_than_the_policys_or_past_is_refused",
                  f"{T}upload/test_retention.py::"
                  "test_an_expired_episode_leaves_every_snapshot_and_the_signed_purge_report_says_so"),
    "contributor-holds": (f"{T}journal/test_corrupt_journal_privacy.py::"
                          "test_a_damaged_journal_leaves_only_the_redacted_episode",
                          f"{T}daemon/test_collector_daemon.py::test_socket_is_0600_in_a_0700_run_dir_with_a_pid_file"),
    "receiver-key": (f"{T}consent/test_signing.py::"
                     "test_a_signed_episode_verifies_and_inspect_names_the_signer",),
    "unlinkable": (f"{T}consent/test_unlinkable_signing.py::"
                   "test_sign_unlinkable_signs_with_an_episode_key_and_keeps_the_day_and_re_timed_steps_only",
                   f"{T}consent/test_unlinkable_timing.py::test_unlinkable_signing_draws_the_times_by_default",
                   f"{T}dataset/test_dataset_unlinkable.py::"
                   "test_every_members_episode_is_accepted_under_a_key_of_its_own_in_every_table",
                   f"{T}consent/test_unlinkable_contributors.py::"
                   "test_three_contributors_sign_unlinkably_and_no_value_joins_one_s_episodes",
                   f"{MANAGED}test_a_share_lacking_what_the_managed_policy_requires_cannot_be_signed"),
    "withdrawal": (f"{T}upload/test_upload_file.py::test_upload_sends_once_and_revoke_leaves_a_signed_record",
                   f"{T}dataset/test_dataset_snapshots.py::"
                   "test_a_pinned_build_keeps_its_rows_and_a_revocation_purges_every_snapshot",
                   f"{T}dataset/test_dataset_build.py::test_only_a_revocation_signed_by_the_episodes_signer_withdraws_it"),
    "policy-refused": (f"{MANAGED}test_a_refused_managed_policy_stops_recording_and_signing",),
}

# what each channel records, in a few words, and the step kinds it covers (CHANNEL_OF_KIND)
CHANNEL_WORDS: dict[Channel, str] = {
    "edits": "what is typed in the editor, opened, closed and saved, and the cursor",
    "diagnostics": "the errors and warnings language servers report",
    "tests": "test runs and their outcomes",
    "commands": "terminal commands, their exit codes and output",
    "git": "git operations: commits, checkouts, merges, and their messages",
    "files": "changes to files on disk made outside the editor",
}
# the step kinds that belong to no channel: recorded wherever anything is
KIND_WORDS: dict[str, str] = {
    "agent": "what AI agents were asked and did, where the developer installed codetape's agent hooks",
    "gap": "where the recording has a hole, and why",
    "note": "notes the developer adds",
    "redaction": "which rule masked a value, never the value",
    "task": "the start and end of a task the developer marks",
}


@dataclass(frozen=True)
class Claim:
    """One statement of the annex: its kind (the key of BACKING), its section, its sentences."""

    kind: str
    section: str
    sentences: tuple[Sentence, ...]
    listing: bool = False  # each sentence an item of a list, not one paragraph

    @property
    def tests(self) -> tuple[str, ...]:
        return BACKING[self.kind]


def listed(values: Iterable[str], *, none: str = "none") -> Sentence:
    """Values as `a, b and c` (each a Value), or `none` (codetape's words) when there are none."""
    items = [Value(value) for value in values]
    if not items:
        return (none,)
    parts: list[Part] = []
    for n, item in enumerate(items):
        if n:
            parts.append(" and " if n == len(items) - 1 else ", ")
        parts.append(item)
    return tuple(parts)


def kinds_of(channel: Channel) -> Sentence:
    kinds = sorted(kind for kind, owner in CHANNEL_OF_KIND.items() if owner == channel)
    return ("step kind " if len(kinds) == 1 else "step kinds ", *listed(kinds))


def organisation(settings: InForce) -> str:
    """Who a sentence says sets (or does not set) a limit: the policy in force, or that there is none."""
    if settings.managed is None:
        return "No managed policy is installed; it"
    return "The organisation's policy"


def claims(settings: InForce) -> list[Claim]:
    """Every claim, in the order the annex prints them."""
    return [*recorded(settings), *never(settings), *sharing(settings), *holders(settings)]


RECORDED = "What is recorded"
NEVER = "What is never recorded"
SHARING = "Purposes, licences, retention and destinations"
HOLDERS = "Who holds what, and what the receiver cannot learn"
WITHDRAWAL = "Withdrawal"


def recorded(settings: InForce) -> list[Claim]:
    managed = settings.managed
    found = [Claim("opt-in", RECORDED, (
        ("Nothing is recorded outside a workspace its developer opted in with `codetape init`. A managed "
         "policy has no setting that opts a workspace in, starts recording or signs; a "
         "policy file with such a key is refused and then nothing is recorded at all.",),))]
    sentences: list[Sentence] = []
    for channel in settings.channels:
        sentences.append(("Channel ", Value(channel), f" ({CHANNEL_WORDS[channel]}; ",
                          *kinds_of(channel), ") may be recorded, where the workspace's own settings "
                          "also record it."))
    always = sorted(STEP_KINDS - set(CHANNEL_OF_KIND))
    sentences.append(("Recorded in any workspace that records: ",
                      *[part for kind in always for part in (Value(kind), f" ({KIND_WORDS[kind]}); ")],
                      "these belong to no channel.",))
    if settings.cap_from_policy:
        sentences.append((f"Files of up to {settings.max_file_bytes:,} bytes are recorded with their content "
                          "(the organisation's cap; a workspace may set a smaller one).",))
    else:
        sentences.append((f"Files of up to {settings.max_file_bytes:,} bytes are recorded with their content "
                          "(codetape's default; the organisation's policy sets no cap, a workspace may set "
                          "a larger or smaller one).",))
    found.append(Claim("channels", RECORDED, tuple(sentences), listing=True))
    if managed is not None:  # its file's digest, and each governing scope's file's (a scope's annex)
        digests = dict.fromkeys(d for d in (managed.sha256, *(s.sha256 for s in managed.scopes)) if d)
        found.append(Claim("policy-refused", RECORDED, ((
            "The organisation's policy ", Value(managed.where), " (SHA-256 ", Value(", ".join(digests)),
            ") is obeyed only while it is owned by root and writable by nobody else; a policy file someone "
            "else could have written, or one with an unknown key or a wrong value, stops all recording and "
            "signing until an administrator fixes it."),)))
    return found


def never(settings: InForce) -> list[Claim]:
    managed = settings.managed
    found: list[Claim] = []
    if settings.never_channels:
        found.append(Claim("channels", NEVER, tuple(
            ("Channel ", Value(channel), f" ({CHANNEL_WORDS[channel]}) is never recorded: the organisation's "
             "policy does not allow it, whatever a workspace says.") for channel in settings.never_channels),
            listing=True))
    else:
        found.append(Claim("channels", NEVER, ((
            f"{organisation(settings)} removes no channel: each workspace's settings decide which of ",
            *listed(settings.channels), " are recorded."),)))
    found.append(Claim("never-files", NEVER, (
        ("Files whose names match these patterns are never written anywhere, in any form, whatever a "
         "workspace says (any case of their letters): ", *listed(NEVER_RECORDED), "."),
        ("Neither are files git ignores, the ", Value(".git"), " folder, nor anything outside the "
         "workspace's real path.",))))
    excluded = () if managed is None else tuple(managed.policy.mandatory_exclude)
    if excluded:
        found.append(Claim("mandatory-exclude", NEVER, ((
            "The organisation's policy excludes ", *listed(excluded), " in every workspace: never recorded, "
            "and an episode that holds such a file (recorded before the policy) cannot be signed until it is "
            "taken out."),)))
    found.append(Claim("size-cap", NEVER, ((
        f"Above {settings.max_file_bytes:,} bytes, and for binary files, only the fact that a file changed "
        "is recorded, not its content.",),)))
    found.append(Claim("local-names", NEVER, ((
        "The workspace's absolute path, the home folder, the login name and the host name are replaced "
        "(", Value("."), ", ", Value("~"), ", ", Value("«user»"), ", ", Value("«host»"),
        ") before anything leaves the local journal.",),)))
    # the rule list (every rule's pattern) only for this claim, not for the annex's other pages
    from collector.redact.rules.builtin import BUILTIN

    try:
        engine = importlib.metadata.version(ENGINE)
    except importlib.metadata.PackageNotFoundError:
        engine = "not installed"
    found.append(Claim("redaction", NEVER, (
        ("Secrets are replaced by a placeholder naming the rule that found them, before anything leaves the "
         "local journal, by the maintained engine ", Value(ENGINE), " (version ", Value(engine), ") and "
         f"codetape's {len({rule.id for rule in BUILTIN})} own rules: ",
         *listed(sorted({rule.id for rule in BUILTIN})), "."),
        ("What these rules do not catch is listed in codetape's docs (docs/never-recorded.md); an "
         "organisation's policy cannot turn redaction off.",))))
    found.append(Claim("allow-list", NEVER, ((
        "A workspace's ", Value("[redaction] allow"), " list (by a value's SHA-256 or a rule's id) lets a "
        "false positive through unredacted; the organisation's policy neither sets nor reads it."),)))
    found.append(Claim("review", NEVER, ((
        "Nothing of an episode leaves the developer's machine before the developer has signed it (after "
        "`codetape review`, or with `codetape sign --yes`); files, time ranges and text the review or `sign` "
        "takes out are gone from every channel of what is shared.",),)))
    return found


def sharing(settings: InForce) -> list[Claim]:
    policy = None if settings.managed is None else settings.managed.policy
    dataset = settings.dataset
    found: list[Claim] = []
    purposes = None if policy is None else policy.allowed_purposes
    if purposes is not None:
        said: list[Sentence] = [("A share may be signed only for ", *listed(purposes),
                                 "; codetape refuses to sign one that names another purpose or none.")]
    else:
        said = [(f"{organisation(settings)} does not restrict the purpose: each share names its own (or "
                 "none), and the receiver sees it in the signed statement.",)]
    if dataset is not None:
        counted: list[Part] = []
        for purpose, count in dataset.facts.purposes:
            counted += [", " if counted else "", Value(purpose), f" ({count:,} episode{'s' * (count != 1)})"]
        said.append(("The dataset ", Value(dataset.url), " holds episodes signed for: ", *counted, "."))
        outside = [purpose for purpose, _count in dataset.facts.purposes
                   if purposes is not None and purpose not in purposes]
        if outside:
            said.append(("Purposes in the dataset the policy in force here does not allow (signed under "
                         "another policy or none): ", *listed(outside), ".",))
    found.append(Claim("purposes", SHARING, tuple(said)))
    licences = None if policy is None else policy.allowed_licences
    if licences is not None:
        found.append(Claim("licences", SHARING, ((
            "A share must name a licence (an SPDX expression) that ", *listed(licences), " permit; codetape "
            "refuses to sign one offered under another licence or none."),)))
    else:
        found.append(Claim("licences", SHARING, ((
            f"{organisation(settings)} does not restrict the licence a share is offered under.",),)))
    retain = None if policy is None else policy.retain_until
    if retain is not None:
        carried = ("The date is part of the statement the contributor signs; a receiver's "
                   "`codetape dataset build` purges the episode from every snapshot of its dataset the day "
                   "after it (UTC), as it purges a withdrawn one, when it next runs, and "
                   "`codetape dataset purge-report` gives a signed account of each purge.")
        found.append(Claim("retention", SHARING, (
            ("The organisation's policy sets ", Value(retain.isoformat()), " as the latest date a shared "
             "episode may be kept."), (carried,))))
    else:
        found.append(Claim("retention", SHARING, ((
            f"{organisation(settings)} sets no retention limit: episodes are kept until their contributor "
            "withdraws them (see Withdrawal).",),)))
    destinations = None if policy is None else policy.allowed_destinations
    if destinations is not None:
        found.append(Claim("destinations", SHARING, ((
            "Signed episodes are uploaded only to ", *listed(destinations),
            " (a folder and those below it; a bucket under that prefix); `codetape upload` refuses any "
            "other destination. The S3 endpoint is not part of the match."),)))
    else:
        found.append(Claim("destinations", SHARING, ((
            f"{organisation(settings)} does not restrict where signed episodes are uploaded: each "
            "contributor configures the destination.",),)))
    return found


def holders(settings: InForce) -> list[Claim]:
    dataset = settings.dataset
    found = [Claim("contributor-holds", HOLDERS, ((
        "The contributor holds, on their own machine and readable by them alone: the unredacted journal "
        "of the episode being recorded (deleted when it is sealed), the sealed episodes nobody signed yet, "
        "and the signing key (and, in unlinkable mode, the per-episode keys).",),))]
    if settings.unlinkable_required:
        found.append(Claim("unlinkable", HOLDERS, (
            ("The organisation's policy requires unlinkable consent: every episode is signed with a key used "
             "for that episode only, which an issuer authorised blindly.",),
            ("The issuer holds who enrolled and how many episode keys each member took a month; it never "
             "sees an episode.",),
            ("The receiver holds the signed episodes and can verify that an enrolled member consented to "
             "each. It cannot learn which member signed an episode, whether two episodes come from the same "
             "member, the time of day an episode was recorded or signed (only the day), the editor's or "
             "codetape's exact build (only major.minor), the workspace's folder name, a git remote other "
             "than the shared ones the policy lists, or step times finer than 100 ms (unless the "
             "contributor signed for exact timing); by default, nor the time between the steps of a burst "
             "of typing, nor its length, which carry a typist's rhythm, nor a pause finer than its 60 s "
             "bucket, nor how long after typing a save or a test run came.",),
            ("It can still learn whatever the content tells: code, file paths, commit messages, a shared "
             "remote the policy lists.",))))
    else:
        mode = ("This machine's user signs unlinkable by their own choice; the policy does not require it of "
                "others." if settings.contributor_mode == "unlinkable" else "")
        found.append(Claim("receiver-key", HOLDERS, tuple(s for s in (
            (f"{organisation(settings)} does not require unlinkable consent: an episode signed in the "
             "default (attributed) mode carries its contributor's public key, so the receiver sees the key, "
             "can tell which episodes one contributor signed, and can name the contributor wherever the key "
             "is known to belong to them.",),
            (mode,) if mode else (),
            ("The receiver also learns whatever the content tells: code, file paths, commit messages, the "
             "workspace's name and git remote.",)) if s)))
    if dataset is not None:
        found.append(Claim("receiver-key", HOLDERS, ((
            "The dataset ", Value(dataset.url), f" holds {dataset.facts.episodes:,} "
            f"episode{'s' * (dataset.facts.episodes != 1)} from "
            f"{dataset.facts.signers:,} signing key{'s' * (dataset.facts.signers != 1)}, recorded "
            f"{dataset.facts.timeframe}."),)))
    withdrawn = ("" if dataset is None else
                 f" Builds of this dataset have withdrawn {dataset.withdrawn:,} episodes so far.")
    found.append(Claim("withdrawal", WITHDRAWAL, ((
        "A contributor withdraws an episode with `codetape revoke`: a signed revocation goes to every "
        "destination it was uploaded to, and the next dataset build removes the episode's rows from the "
        "dataset and from every earlier snapshot of it. Only a revocation signed by the key that signed the "
        f"episode withdraws it.{withdrawn}",),)))
    return found
