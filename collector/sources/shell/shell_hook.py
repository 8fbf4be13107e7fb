"""The shell snippets `codetape hook bash|zsh` prints. They record every command line, its directory,
exit status and duration (never its output) in workspaces opted in with `codetape init`.

What runs at each prompt is builtins only: find `.codetape.toml` above the directory, append one record
to this shell's spool file (none after `codetape collector stop`, which the next command in a workspace
says once, until `codetape resume`). A recorder process per shell (recorder.py, run as `python -m
collector.sources.shell`), started in the background the first time, sends the records on. Nothing at the
prompt waits for the collector.

When the shell's directory is in a workspace and no collector listens (at a new shell's first prompt,
after a `cd`, even one on the same line as the command after it, and every few seconds at the prompt
while none does), the hook spools a wake record (mode `w`, no command) and starts the recorder, which
starts the collector holding `collector.starting`: a pytest typed next waits for it rather than losing
its run. The hook exports the shell's pid (`CODETAPE_SHELL_PID`), so that a pytest it runs first waits
for the records of the shell's earlier prompts (shell/delivered.py), as `codetape run` does.

The hook also exports the pytest plugin's folder first on `PYTHONPATH` and the collector's socket
(sources/testruns/pytest_env.py), so that any pytest run from this shell records its tests in opted-in
workspaces, whichever virtualenv or interpreter runs it.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from collector.home import Home
from collector.sources.testruns.pytest_env import PLUGIN_DIR, SOCKET_ENV

SHELLS = ("bash", "zsh")

_COMMON = r"""
case ":${PYTHONPATH-}:" in
  *:@PLUGIN@:*) ;;
  *) export PYTHONPATH=@PLUGIN@${PYTHONPATH:+:$PYTHONPATH} ;;
esac
export @SOCKET_ENV@=@SOCKET@
export CODETAPE_SHELL_PID=$$
__codetape_in_workspace() {
  local d=$1
  while [[ -n $d ]]; do
    [[ -f $d/.codetape.toml ]] && return 0
    d=${d%/*}
  done
  [[ -f /.codetape.toml ]]
}
__codetape_stopped() {  # after `codetape collector stop`: nothing recorded, said once (not after codetape)
  if [[ ! -e @RUN@/stopped ]]; then __codetape_told=; return 1; fi
  local program=${1%% *}
  if [[ -z ${__codetape_told-} && ${program##*/} != codetape ]]; then
    echo "codetape: not recording: you stopped it (codetape collector stop);" \
      "codetape resume records again" >&2
  fi
  __codetape_told=1
}
__codetape_wake() {  # in a workspace and no collector listening: the recorder starts one (recorder.py)
  __codetape_woke=$PWD __codetape_woke_at=$SECONDS
  [[ -e @SOCKET@ || -e @RUN@/stopped ]] && return 0
  __codetape_in_workspace "$PWD" || return 0
  printf 'ct1\0%s\0%s\0%s\0%s\0w\0\0' 0 "$PWD" 0 0 >> "$__codetape_spool" 2>/dev/null  # no command
  __codetape_recorder
}
__codetape_recorder() {
  if [[ -z $__codetape_helper && -r $__codetape_pidfile ]]; then
    read -r __codetape_helper < "$__codetape_pidfile"
  fi
  [[ -n $__codetape_helper ]] && kill -0 "$__codetape_helper" 2>/dev/null && return 0
  __codetape_helper=
  (( SECONDS - __codetape_spawned < 5 )) && return 0
  __codetape_spawned=$SECONDS
  ( CODETAPE_HOME=@HOME@ exec @PYTHON@ -P -m collector.sources.shell \
      "$__codetape_spool" "$$" "$__codetape_pidfile" </dev/null >/dev/null 2>&1 & )
}
"""

BASH = r"""# codetape shell hook (bash 4.2+; bash 5 for sub-second durations). Evaluate it last in ~/.bashrc:
#   eval "$(codetape hook bash)"
if [[ $- == *i* && -z ${__codetape_spool-} ]]; then
if (( BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 402 )); then  # macOS's /bin/bash is 3.2: no %(...)T
  echo "codetape: the shell hook needs bash 4.2 or later, this is $BASH_VERSION: nothing is recorded" \
    "(on macOS: brew install bash, or use zsh)" >&2
else
__codetape_spool=@RUN@/shell-$$.spool
__codetape_pidfile=@RUN@/shell-$$.pid
__codetape_helper= __codetape_spawned=-10 __codetape_armed= __codetape_start= __codetape_cwd=
__codetape_first= __codetape_previous= __codetape_hist=$HISTCMD __codetape_t=
__codetape_woke= __codetape_woke_at=-10
if [[ -n ${EPOCHREALTIME-} ]]; then
  __codetape_now() { __codetape_t=${EPOCHREALTIME//[!0-9]/}; }
else
  __codetape_now() { printf -v __codetape_t '%(%s)T000000' -1; }
fi
@COMMON@
__codetape_preexec() {
  [[ $PWD == "$__codetape_woke" ]] || __codetape_wake  # a `cd` before this command, on its line too
  [[ -n $__codetape_armed && $BASH_COMMAND != __codetape_* ]] || return 0
  __codetape_armed=
  __codetape_now
  __codetape_start=$__codetape_t __codetape_cwd=$PWD __codetape_first=$BASH_COMMAND
}
__codetape_precmd() {
  local status=$? mode=
  __codetape_now
  if [[ -n $__codetape_start ]] && __codetape_in_workspace "$__codetape_cwd" \
      && ! __codetape_stopped "$__codetape_first"; then
    if [[ -n ${__codetape_bp-} ]]; then mode=c                      # bash-preexec gave the line
    elif [[ $HISTCMD != "$__codetape_hist" ]]; then mode=h          # the line is in history
    elif [[ $__codetape_first == "$__codetape_previous" ]]; then mode=d  # ignoredups kept a repeat out
    elif ! shopt -oq history; then mode=c                           # no history: the first command
    fi                                                              # else: ignorespace hid it on purpose
    if [[ -n $mode ]]; then
      {
        printf 'ct1\0%s\0%s\0%s\0%s\0%s\0' "$status" "$__codetape_cwd" "$__codetape_start" \
          "$__codetape_t" "$mode"
        if [[ $mode == h ]]; then builtin fc -ln -1; elif [[ $mode == c ]]; then
          printf '%s' "$__codetape_first"; fi
        printf '\0'
      } >> "$__codetape_spool" 2>/dev/null
      __codetape_recorder
    fi
  fi
  [[ -n $__codetape_start ]] && __codetape_previous=$__codetape_first
  __codetape_hist=$HISTCMD __codetape_start=
  if [[ $PWD != "$__codetape_woke" ]] || (( SECONDS - __codetape_woke_at >= 5 )); then __codetape_wake; fi
}
__codetape_arm() { __codetape_armed=1; }
if [[ -n ${bash_preexec_imported-}${__bp_imported-} ]]; then
  __codetape_bp=1 __codetape_armed=1
  __codetape_preexec_bp() { __codetape_armed=1; __codetape_preexec; __codetape_first=$1; }
  preexec_functions+=(__codetape_preexec_bp)
  precmd_functions=(__codetape_precmd "${precmd_functions[@]}")
else
  __codetape_install() {  # in a function: `set --` must not touch the shell's own arguments
    local previous
    previous=$(trap -p DEBUG)
    if [[ -n $previous ]]; then
      eval "set -- $previous"  # trap -- 'COMMAND' DEBUG
      trap "__codetape_preexec; $3" DEBUG
    else
      trap '__codetape_preexec' DEBUG
    fi
    if [[ $(declare -p PROMPT_COMMAND 2>/dev/null) == "declare -a"* ]]; then
      PROMPT_COMMAND=(__codetape_precmd "${PROMPT_COMMAND[@]}" __codetape_arm)
    else
      PROMPT_COMMAND="__codetape_precmd${PROMPT_COMMAND:+; $PROMPT_COMMAND}; __codetape_arm"
    fi
  }
  __codetape_install
  unset -f __codetape_install
fi
fi
fi
"""

ZSH = r"""# codetape shell hook (zsh). Evaluate it in ~/.zshrc:
#   eval "$(codetape hook zsh)"
if [[ -o interactive && -z ${__codetape_spool-} ]]; then
zmodload zsh/datetime
typeset -g __codetape_spool=@RUN@/shell-$$.spool __codetape_pidfile=@RUN@/shell-$$.pid
typeset -g __codetape_helper= __codetape_spawned=-10 __codetape_start= __codetape_cwd= __codetape_line=
typeset -g __codetape_t= __codetape_woke= __codetape_woke_at=-10
__codetape_now() { __codetape_t=$(( epochtime[1] * 1000000 + epochtime[2] / 1000 )); }
@COMMON@
__codetape_preexec() {
  [[ -o hist_ignore_space && $1 == ' '* ]] && return 0  # hidden from history on purpose
  __codetape_now
  __codetape_start=$__codetape_t __codetape_cwd=$PWD __codetape_line=$1
}
__codetape_precmd() {
  local st=$?
  __codetape_now
  if [[ -n $__codetape_start ]] && __codetape_in_workspace "$__codetape_cwd" \
      && ! __codetape_stopped "$__codetape_line"; then
    printf 'ct1\0%s\0%s\0%s\0%s\0c\0%s\0' "$st" "$__codetape_cwd" "$__codetape_start" "$__codetape_t" \
      "$__codetape_line" >> "$__codetape_spool" 2>/dev/null
    __codetape_recorder
  fi
  __codetape_start=
  if [[ $PWD != "$__codetape_woke" ]] || (( SECONDS - __codetape_woke_at >= 5 )); then __codetape_wake; fi
}
autoload -Uz add-zsh-hook
add-zsh-hook preexec __codetape_preexec
add-zsh-hook chpwd __codetape_wake  # a `cd` on the line of the command after it too
precmd_functions=(__codetape_precmd $precmd_functions)
fi
"""


def snippet(shell: str, home: Home, python: str | None = None) -> str:
    """The hook for `shell`, bound to this home and interpreter."""
    template = {"bash": BASH, "zsh": ZSH}[shell]
    common = _COMMON.replace("@HOME@", shlex.quote(str(home.root)))
    common = common.replace("@PYTHON@", shlex.quote(python or sys.executable))
    common = common.replace("@PLUGIN@", shlex.quote(str(PLUGIN_DIR))).replace("@SOCKET_ENV@", SOCKET_ENV)
    common = common.replace("@SOCKET@", shlex.quote(str(home.socket)))
    common = common.replace("@RUN@", shlex.quote(str(home.run)))
    return template.replace("@COMMON@", common.strip("\n")).replace("@RUN@", shlex.quote(str(home.run)))


def spool_dir(home: Home) -> Path:
    """Where shells spool their records: the collector's private runtime directory, created if missing."""
    return home.ensure(home.run)
