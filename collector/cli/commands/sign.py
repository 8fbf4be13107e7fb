"""`codetape sign EPISODE... --yes`: trim as asked, sign with your key, and queue the episodes for upload.

The scriptable form of the review's sign-off. --exclude GLOB takes out files or folders (gitignore-style:
/notes.md, /private/, *.csv) with every step about them, masking their paths (and their lines, and their
bare names as a listing prints them) wherever they are written; --drop FROM-TO replaces the steps in that
time range (both ends included: times as the review shows them, 2:38-3:10 or 0:02:38.500-0:03:10, or
milliseconds from the start, FROM_MS:TO_MS) with one gap that keeps the files right; --redact REGEX masks
every match everywhere. Each may be given many times, and each must change something, or nothing is signed.
--leave-out-prompts keeps what you typed to AI agents (Claude Code, Codex, Cursor, Gemini CLI, opencode) out
of what is shared: each prompt's text, masked also where else it is written (an agent's command line,
claude -p "...", a commit message, a note). The signed episode goes to CODETAPE_HOME/outbox; the unsigned one
is removed from episodes/ only once that worked. From the outbox it is uploaded once a destination is
configured ([upload] to in CODETAPE_HOME/config.toml): by the collector in the background, or with codetape
upload; until then it waits there.

Several episodes (a week's, say), or --all-sealed (every sealed one nobody signed, oldest first), are
signed one after another with the same --exclude, --redact and --leave-out-prompts (--drop names times
of one episode: it takes one), each after a short summary of it; one that cannot be signed (a trim that
changes nothing in it, say) is named and left as it is, the others go on, and the exit status is 1.

An episode signed attributed that waits in the outbox, never uploaded (held because the managed policy
governing it now requires unlinkable consent, say), is signed again with --unlinkable: its content as it
was signed goes back to episodes/ and is signed unlinkably as any sealed episode is, and its attributed
copy is taken out of the outbox; when signing fails, it stays as it was.

Without --yes nothing happens: signing states your consent to share the episode, so say so explicitly,
after looking at it (codetape review EPISODE, or codetape review --all-sealed --summary). --dry-run signs
nothing and needs no --yes: it prints what would leave, after the same trims and the sharing policy's
exclusions (the review's Shared tab shows the same): every file whose text leaves (a file only opened leaves
whole), the files excluded, the commands and test runs, absolute paths outside the workspace and
environment variable names written in them, the git remote, and the redactions still in it.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from collector.errors import UsageError
from collector.home import Home

if TYPE_CHECKING:
    from collector.review.plan import TrimPlan
    from schemas.consent import ConsentStatement


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("sign", help="trim, sign and queue an episode for upload (needs --yes)",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("episode", metavar="EPISODE", nargs="*",
                        help="episode files, or episode ids (prefix)")
    parser.add_argument("--all-sealed", action="store_true",
                        help="every sealed episode nobody signed yet, oldest first")
    parser.add_argument("--yes", action="store_true", help="you reviewed it and consent to share it")
    parser.add_argument("--dry-run", action="store_true",
                        help="sign nothing: print what would leave (files, commands, paths outside the "
                        "workspace, environment variable names, the git remote, redactions) after the trims")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="leave out files or folders (repeatable)")
    parser.add_argument("--drop", action="append", default=[], metavar="FROM-TO",
                        help="drop the steps in a time range: 2:38-3:10, or FROM_MS:TO_MS (repeatable)")
    parser.add_argument("--redact", action="append", default=[], metavar="REGEX",
                        help="mask every match of a regular expression (repeatable)")
    parser.add_argument("--leave-out-prompts", action="store_true",
                        help="leave out what you typed to AI agents (each prompt's text, wherever it is "
                             "written)")
    parser.add_argument("--passphrase-file", type=Path, metavar="FILE",
                        help="the signing key's passphrase, on FILE's first line (- for stdin)")
    parser.add_argument("--unlinkable", action="store_true",
                        help="sign with a per-episode key an issuer authorised (codetape enroll), not your "
                        "own: receivers can verify an enrolled contributor consented, not which one "
                        "(the default when config.toml says [consent] mode = \"unlinkable\")")
    parser.add_argument("--retain-until", type=retention_date, metavar="DATE",
                        help="the last day (YYYY-MM-DD, UTC) a receiver may keep it: signed in the "
                        "statement, expired the day after, purged from datasets by their next build "
                        "(default: your policy.toml's retain_until, else the managed policy's); later than "
                        "the managed policy's, or already past, is refused")
    parser.add_argument("--workspace", type=Path, metavar="DIR",
                        help="the workspace the episode was recorded in, for its sharing policy")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.errors import CodetapeError
    from collector.review.plan import TrimPlan, parse_drop
    from collector.text.oneline import one_line

    if not args.episode and not args.all_sealed:
        raise UsageError("name the EPISODEs to sign, or --all-sealed")
    if args.episode and args.all_sealed:
        raise UsageError("give EPISODEs or --all-sealed, not both")
    named = " ".join(args.episode) if args.episode else "--all-sealed"
    if not args.yes and not args.dry_run:
        raise UsageError(f"not signed: signing consents to sharing {named}; review it first "
                         f"(codetape review {named}), then run this again with --yes")
    plan = TrimPlan()
    for glob in args.exclude:
        plan = plan.exclude(glob)
    for text in args.drop:
        plan = plan.drop(*parse_drop(text))
    for pattern in args.redact:
        plan = plan.redact(pattern)
    if args.leave_out_prompts:
        plan = plan.without_prompts()
    home = Home.from_env(args.env)
    paths = episodes(args.episode, args.all_sealed, home)
    if len(paths) > 1 and args.drop:
        raise UsageError("--drop names times of one episode: sign the episodes it applies to one at a time")
    if args.dry_run:
        for number, path in enumerate(paths, 1):
            if len(paths) > 1:
                print(f"[{number}/{len(paths)}] {headline(path, home)}")
            print("\n".join(manifest_lines(path, plan, home, args.workspace)))
        return 0
    from collector.consent.mode import signing_mode

    unlinkable = signing_mode(home, args.unlinkable) is not None
    passphrase = None if unlinkable else ask_passphrase(args.passphrase_file, home)
    if len(paths) == 1:
        sign_one(paths[0], plan, home, passphrase, args.workspace, unlinkable, args.retain_until)
        return 0
    failed = 0
    for number, path in enumerate(paths, 1):
        print(f"[{number}/{len(paths)}] {headline(path, home)}")
        try:
            sign_one(path, plan, home, passphrase, args.workspace, unlinkable, args.retain_until)
        except CodetapeError as exc:
            print(f"codetape: {path.name}: {one_line(str(exc).removeprefix('codetape: '))}", file=sys.stderr)
            failed += 1
    print(f"signed {len(paths) - failed} of {len(paths)} episodes")
    return 1 if failed else 0


def episodes(named: list[str], all_sealed: bool, home: Home) -> list[Path]:
    """The episodes named (in the order given, each once), or every unsigned one."""
    from collector.episode.resolve import resolve_episode
    from collector.review.locate import all_unsigned

    if all_sealed:
        return all_unsigned(home)
    return list(dict.fromkeys(resolve_episode(episode, home) for episode in named))


def headline(path: Path, home: Home) -> str:
    """An episode in a few words before it is signed: id, when, how long, in what, its size."""
    from collector.episode.resolve import open_ref
    from collector.review.summary_view import build_summary

    lines = build_summary(open_ref(str(path), home)).lines()
    return "; ".join(" ".join(line.split()) for line in lines[:3])


def manifest_lines(path: Path, plan: TrimPlan, home: Home, workspace: Path | None) -> list[str]:
    """What signing `path` trimmed by `plan` (after the sharing policy's own exclusions, and the managed
    policy's channels and size cap) would share."""
    from collector.review.manifest import review_manifest
    from collector.review.session import ReviewSession

    session = ReviewSession(path, home, workspace=workspace)
    try:
        mandatory = session.plan.excludes
        wanted = dataclasses.replace(plan, excludes=(*mandatory, *(glob for glob in plan.excludes
                                                                    if glob not in mandatory)),
                                     limits=session.plan.limits)  # the managed policy's, if it trims
        if wanted != session.plan:
            session.apply(wanted)
        return review_manifest(session).lines()
    finally:
        session.close()


def retention_date(text: str) -> date:
    """--retain-until's DATE (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def sign_one(path: Path, plan: TrimPlan, home: Home, passphrase: str | None,
             workspace_dir: Path | None, unlinkable: bool = False, retain_until: date | None = None) -> None:
    """Trim one episode by `plan`, sign it and queue it (until `retain_until` when given); say what was
    done."""
    from collector.episode import open_episode
    from collector.policy.sharing import load_signing_policy
    from collector.review.choices import sign_and_queue
    from collector.review.locate import workspace_for
    from collector.review.trim import trim_episode
    from collector.review.views import done
    from collector.upload.outbox import upload_note

    episode = open_episode(path)
    if episode.consent is not None and unlinkable:  # signed attributed: signed again, unlinkably
        from collector.review.resign import attributed_withdrawn

        with attributed_withdrawn(path, home) as unsigned:
            sign_one(unsigned, plan, home, passphrase, workspace_dir, unlinkable, retain_until)
        print(f"withdrew the attributed copy of {episode.header.episode_id} from the outbox")
        return
    workspace = workspace_for(episode.header, home, workspace_dir)
    pushed = continued = None
    if unlinkable:
        from collector.consent.repository import is_repository
        from collector.review.continued import continued_note
        from collector.review.pushed import pushed_note

        if workspace is None or not is_repository(workspace):
            raise UsageError(f"not signed: cannot tell which repository {path.name} was recorded in, so what "
                             "it knows cannot be scrubbed; name it with --workspace DIR")
        pushed = pushed_note(episode, workspace)
        continued = continued_note(episode, workspace, home)
    with tempfile.TemporaryDirectory(prefix="codetape-sign-") as scratch:
        trimmed = None
        if not plan.empty:
            trimmed = trim_episode(path, Path(scratch) / path.name, plan)
            unused = trimmed.unused()
            if unused:
                raise UsageError(f"not signed: {unused[0]}")
        policy = None
        if retain_until is not None:
            policy = dataclasses.replace(load_signing_policy(
                home, workspace, remotes=[episode.header.workspace.git_remote],
                head=episode.header.workspace.head_at_start), retain_until=retain_until)
        queued = sign_and_queue(path, home, trimmed=trimmed, passphrase=passphrase, workspace=workspace,
                                unlinkable=unlinkable, policy=policy)
    if trimmed is not None:
        print(f"trimmed: {done(trimmed)}")
    if queued.limited:
        print(f"kept to the managed policy: took out {queued.limited}")
    print(f"signed {signed_how(queued.statement)}: {queued.path}")
    for warning in (pushed, continued):
        if warning is not None:
            print(f"codetape: warning: {warning}", file=sys.stderr)
    retained = queued.statement.terms.retain_until
    if retained is not None:
        print(f"retained until {retained.isoformat()}: a receiver's dataset build purges it from the day "
              "after")
    if queued.removed is not None:
        print(f"removed the unsigned episode {queued.removed}")
    print(upload_note(home, str(queued.statement.content.episode_id)))
    if queued.keys_note() is not None:
        print(queued.keys_note())


def signed_how(statement: ConsentStatement) -> str:
    """"by KEY_ID", or what an unlinkable signature says."""
    from collector.consent.retime import timing_words

    authorisation = statement.reviewer.authorisation
    if authorisation is None:
        return f"by {statement.reviewer.key_id}"
    return (f"unlinkable with episode key {statement.reviewer.key_id} (authorised by issuer "
            f"{authorisation.issuer} for {authorisation.epoch}; the day only, "
            f"{timing_words(statement.timing)})")


def ask_passphrase(path: Path | None, home: Home) -> str | None:
    """The passphrase from --passphrase-file, or typed at the prompt when the key has one and stdin is a
    terminal; None otherwise (signing then says the key needs one)."""
    from collector.cli.commands.keys import read_passphrase_file
    from collector.consent import load_public

    if path is not None:
        return read_passphrase_file(path)
    if load_public(home).protected and sys.stdin.isatty():
        return getpass.getpass("passphrase of the signing key: ") or None
    return None
