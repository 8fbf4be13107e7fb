;;; codetape.el --- Record coding sessions with codetape through eglot  -*- lexical-binding: t -*-

;; Version: 0.1
;; Package-Requires: ((emacs "27.1") (eglot "1.9"))
;; Keywords: tools, languages

;;; Commentary:

;; A launcher: in workspaces opted in with `codetape init', eglot runs every configured language server
;; behind `codetape bridge --' (proxy mode), so the bridge sees the editor's traffic.  Nothing runs for a
;; file without a `.codetape.toml' above it; for one with it, `codetape status --json' is asked in the
;; background which workspaces are opted in, and only those get the bridge.  Commands send codetape's notifications through that eglot connection; the bridge
;; and the collector hold all the logic.  Enable with (codetape-mode 1).
;;
;; Every program it runs comes from `codetape-command' as you set it (its global value: a directory's
;; local variables cannot set it), never from a message: the review command is built here from
;; `codetape-command' and a checked episode id.

;;; Code:

(require 'eglot)
(require 'seq)
(require 'subr-x)
(declare-function jsonrpc--process "jsonrpc")
(declare-function make-term "term")
(declare-function term-mode "term")
(declare-function term-char-mode "term")

(defgroup codetape nil "Record coding sessions with codetape." :group 'tools)

(defcustom codetape-command '("codetape")
  "The codetape program and leading arguments; `bridge -- SERVER...' is appended.
A program named just \"codetape\" is looked for on `exec-path', then
where installers put it (`codetape--install-dirs').  Only its global
value is used: file and directory local variables cannot set it (it is
a risky local variable, and is read with `default-value')."
  :type '(repeat string)
  :risky t)

(defun codetape--install-dirs ()
  "The directories installers put commands in, absolute ones each once.
uv's tool bin directory in uv's order ($UV_TOOL_BIN_DIR, $XDG_BIN_HOME,
$XDG_DATA_HOME/../bin), pipx's $PIPX_BIN_DIR, and ~/.local/bin (the
default of pip --user, pipx and uv).  An Emacs started from a desktop
never read ~/.bashrc, so its PATH may lack them."
  (let* ((data (getenv "XDG_DATA_HOME"))
         (dirs (list (getenv "UV_TOOL_BIN_DIR") (getenv "XDG_BIN_HOME")
                     (and data (concat (file-name-as-directory data) "../bin"))
                     (getenv "PIPX_BIN_DIR") (expand-file-name "~/.local/bin"))))
    (delete-dups (mapcar (lambda (dir) (directory-file-name (expand-file-name dir)))
                         (seq-filter (lambda (dir) (and dir (string-prefix-p "/" dir))) dirs)))))

(defun codetape--program ()
  "The `codetape' program on `exec-path' or in `codetape--install-dirs', or nil."
  (or (executable-find "codetape")
      (seq-some (lambda (dir)
                  (let ((file (expand-file-name "codetape" dir)))
                    (and (file-executable-p file) (not (file-directory-p file)) file)))
                (codetape--install-dirs))))

(defun codetape--command (&rest args)
  "The user's `codetape-command', then ARGS.
Its global value: never a buffer-local one.  A program named just
\"codetape\" is the one `codetape--program' finds, when it finds one."
  (let ((command (default-value 'codetape-command)))
    (append (if (equal (car command) "codetape")
                (cons (or (codetape--program) "codetape") (cdr command))
              command)
            args)))

(defun codetape--cannot-run (program err)
  "Why PROGRAM (the first of `codetape--command') did not start with ERR.
A bare \"codetape\" was found nowhere: the places looked are named."
  (if (equal program "codetape")
      (format "codetape is not on PATH (`exec-path') nor in %s (install it, or set `codetape-command')"
              (string-join (codetape--install-dirs) ", "))
    (format "cannot run `%s' (%s)" program (error-message-string err))))

(defconst codetape--episode-id
  (rx bos (= 8 hex) "-" (= 4 hex) "-" (= 4 hex) "-" (= 4 hex) "-" (= 12 hex) eos)
  "An episode id as codetape writes it (a UUID).
Such an id can only be read as one argument.")

(defvar codetape-mode)

(defun codetape--root (&optional dir)
  "The workspace with a `.codetape.toml' holding DIR, or nil.
DIR defaults to `default-directory'.  Only a candidate: whether it is
opted in, `codetape--opted-in-root' says."
  (locate-dominating-file (or dir default-directory) ".codetape.toml"))

(defun codetape--key (directory)
  (file-name-as-directory (file-truename directory)))

(defvar codetape--opted-in 'unknown
  "The workspaces `codetape status --json' last listed as opted in.
As `codetape--key's; `unknown' before codetape answered.")

(defvar codetape--missing nil
  "Non-nil when the last `codetape status --json' could not be started.")

(defvar codetape--asking nil
  "The running `codetape status --json' process, until its answer is read.")

(defconst codetape--ask-timeout 60
  "Seconds to wait at most for `codetape status --json' to start a server.")

(defun codetape--answered (process _event)
  "Read PROCESS's answer (`codetape status --json'): which workspaces are opted in."
  (unless (process-live-p process)
    (let* ((buffer (process-buffer process))
           (status (and (eq (process-exit-status process) 0)
                        (ignore-errors (with-current-buffer buffer
                                         (json-parse-string (buffer-string) :object-type 'plist
                                                            :array-type 'list :null-object nil)))))
           (listed (plist-get status :opted_in))
           (ok (and (plist-member status :opted_in) (listp listed) (seq-every-p #'stringp listed))))
      (setq codetape--asking nil
            codetape--missing nil
            codetape--opted-in (and ok (mapcar #'codetape--key listed)))
      (unless ok
        (message "codetape: `%s' did not say which workspaces are opted in (%s): nothing is recorded"
                 (combine-and-quote-strings (codetape--command "status" "--json"))
                 (with-current-buffer (get-buffer-create " *codetape-status-errors*")
                   (or (car (last (split-string (buffer-string) "\n" t)))
                       (format "exit status %s" (process-exit-status process))))))
      (kill-buffer buffer)
      (force-mode-line-update t))))

(defun codetape--ask ()
  "Ask `codetape status --json' in the background which workspaces are opted in.
Only when the visited file has a `.codetape.toml' above it: nothing
runs for other folders."
  (when (and codetape-mode buffer-file-name (codetape--root) (not codetape--asking))
    (let ((errors (get-buffer-create " *codetape-status-errors*"))
          (out (generate-new-buffer " *codetape-status*")))
      (with-current-buffer errors (erase-buffer))
      (condition-case err
          (setq codetape--asking
                (make-process :name "codetape-status" :buffer out :command (codetape--command "status" "--json")
                              :connection-type 'pipe :noquery t :sentinel #'codetape--answered
                              :stderr (make-pipe-process :name "codetape-status-errors" :buffer errors
                                                         :noquery t :sentinel #'ignore)))
        (error (kill-buffer out)
               (setq codetape--opted-in nil
                     codetape--missing t)
               (message "codetape: %s: nothing is recorded"
                        (codetape--cannot-run (car (codetape--command)) err)))))))

(defun codetape--opted-in-root (&optional wait)
  "The workspace holding `default-directory' that codetape lists as opted in.
Nil if none.  With WAIT, first wait for an answer on its way (or ask,
if codetape never answered)."
  (when (codetape--root)
    (when wait
      (when (eq codetape--opted-in 'unknown) (codetape--ask))
      (let ((deadline (+ (float-time) codetape--ask-timeout)))
        (while (and codetape--asking (< (float-time) deadline))
          (accept-process-output nil 0.05))))
    (and (listp codetape--opted-in)
         (locate-dominating-file default-directory
                                 (lambda (dir) (member (codetape--key dir) codetape--opted-in))))))

(defun codetape--wrap (contact)
  "CONTACT (an eglot server contact) run behind `codetape bridge --'.
Only program contacts are wrapped; others are returned unchanged."
  (cond ((functionp contact) (lambda () (codetape--wrap (funcall contact))))
        ((and (stringp (car-safe contact)) (not (memq :autoport contact))
              (not (equal (cadr contact) "bridge")))
         (let ((probe (cl-position-if #'keywordp contact)))
           (append (codetape--command "bridge" "--") (cl-subseq contact 0 probe)
                   (and probe (cl-subseq contact probe)))))
        (t contact)))

(defun codetape--guess-contact (guess)
  "Filter for `eglot--guess-contact'.
Wrap GUESS's contact when the buffer is in a workspace codetape lists
as opted in."
  (if (and codetape-mode (codetape--opted-in-root t))
      (append (cl-subseq guess 0 3) (list (codetape--wrap (nth 3 guess))) (nthcdr 4 guess))
    guess))

(defvar codetape--statuses (make-hash-table :test #'equal)
  "Workspace root (a directory name) -> the bridge's last `codetape/status' params.")

(defconst codetape--state-names
  '(("recording" . "recording") ("paused" . "paused") ("not_recording" . "not recording")
    ("not_opted_in" . "not opted in") ("collector_down" . "collector down")
    ("stopped" . "stopped by you"))
  "How each state of `codetape/status' reads in the mode line.")

(defun codetape-status (&optional buffer)
  "The recording state of BUFFER's workspace (default: this buffer), as text.
\"codetape: recording 12 steps\" (the collector's count for the open
episode), \"codetape: paused\", \"codetape: not opted in\", \"codetape:
collector down\", with \" · governed by NAME\" added when scopes of the
organisation's managed policy govern the workspace (NAME: theirs), \" ·
upload failed\" when the last upload failed and \" · 2 held\" when the outbox holds signed episodes before they
leave (`codetape review' says why and offers the choice); \"codetape:
connecting\" until the bridge has said; \"codetape:
not found (see *Messages*)\" when codetape could not be run; empty for
buffers that visit no file."
  (with-current-buffer (or buffer (current-buffer))
    (let ((root (and buffer-file-name (codetape--opted-in-root))))
      (cond ((not buffer-file-name) "")
            ((and (not root) codetape--asking (codetape--root)) "codetape: connecting")
            ((and (not root) codetape--missing (codetape--root)) "codetape: not found (see *Messages*)")
            ((not root) "codetape: not opted in")
            (t (let ((status (gethash (codetape--key root) codetape--statuses)))
                 (if (not status)
                     "codetape: connecting"
                   (let* ((state (plist-get status :state))
                          (steps (or (plist-get status :steps) 0)))
                     (concat "codetape: " (or (cdr (assoc state codetape--state-names)) (format "%s" state))
                             (if (equal state "recording")
                                 (format " %d step%s" steps (if (= steps 1) "" "s"))
                               "")
                             (let ((scope (plist-get status :scope)))
                               (if (and (stringp scope) (not (string-empty-p scope)))
                                   (concat " · governed by " scope)
                                 ""))
                             (if (stringp (plist-get status :uploadError)) " · upload failed" "")
                             (let ((held (plist-get status :held)))
                               (if (and (integerp held) (> held 0)) (format " · %d held" held) "")))))))))))

(defun codetape--lighter ()
  "The lighter of `codetape-mode': the recording state (`codetape-status')."
  (let ((status (codetape-status)))
    (if (string-empty-p status) "" (concat " " status))))

;;;###autoload
(define-minor-mode codetape-mode
  "Run eglot's servers through `codetape bridge --' in opted-in workspaces.
The mode line says whether this buffer's workspace is being recorded
\(`codetape-status')."
  :global t :lighter (:eval (codetape--lighter))
  (if codetape-mode
      (progn (advice-add 'eglot--guess-contact :filter-return #'codetape--guess-contact)
             (add-hook 'find-file-hook #'codetape--ask)
             (add-hook 'post-command-hook #'codetape--cursor-moved)
             (add-hook 'eglot-managed-mode-hook #'codetape--watch-origins)
             (advice-add 'eglot--signal-textDocument/didChange :before #'codetape--send-origin)
             (advice-add 'eglot--signal-textDocument/didOpen :before #'codetape--forget-origins)
             (advice-add 'jsonrpc-shutdown :before #'codetape--let-exit))
    (advice-remove 'eglot--guess-contact #'codetape--guess-contact)
    (remove-hook 'find-file-hook #'codetape--ask)
    (remove-hook 'post-command-hook #'codetape--cursor-moved)
    (remove-hook 'eglot-managed-mode-hook #'codetape--watch-origins)
    (advice-remove 'eglot--signal-textDocument/didChange #'codetape--send-origin)
    (advice-remove 'eglot--signal-textDocument/didOpen #'codetape--forget-origins)
    (advice-remove 'jsonrpc-shutdown #'codetape--let-exit)))

(defcustom codetape-cursor-debounce 0.2
  "Seconds the cursor rests before the bridge is told where it is."
  :type 'number)

(defvar codetape--cursor-timer nil
  "The timer that forwards the cursor once it rests.")

(defun codetape--cursor-moved ()
  "After a command: forward the cursor once it rests (`codetape-cursor-debounce').
Only in a buffer whose eglot server runs behind the bridge."
  (when (and (bound-and-true-p eglot--managed-mode) buffer-file-name)
    (when codetape--cursor-timer (cancel-timer codetape--cursor-timer))
    (setq codetape--cursor-timer
          (run-with-timer codetape-cursor-debounce nil #'codetape--forward-cursor (current-buffer)))))

(defun codetape--forward-cursor (buffer)
  "Send `codetape/cursor' with BUFFER's point.
The anchor is the mark when the region is active, else the point."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (let ((server (eglot-current-server)))
        (when (and server (codetape--bridge-p server))
          (let ((active (eglot--pos-to-lsp-position (point)))
                (anchor (eglot--pos-to-lsp-position (if (region-active-p) (mark) (point)))))
            (jsonrpc-notify server 'codetape/cursor
                            (list :uri (codetape--uri)
                                  :selections (vector (list :anchor anchor :active active))))))))))

;;; Whose work each edit is: the command that made it, told to the bridge with the didChange

(defconst codetape--origins
  '((self-insert-command . "typed") (newline . "typed") (newline-and-indent . "typed")
    (delete-backward-char . "typed") (delete-char . "typed") (backward-delete-char-untabify . "typed")
    (python-indent-dedent-line-backspace . "typed") (delete-forward-char . "typed")
    (open-line . "typed") (split-line . "typed") (electric-newline-and-maybe-indent . "typed")
    (default-indent-new-line . "typed") (delete-indentation . "typed") (delete-horizontal-space . "typed")
    (just-one-space . "typed") (cycle-spacing . "typed") (delete-blank-lines . "typed")
    (transpose-chars . "typed") (transpose-words . "typed") (transpose-lines . "typed")
    (upcase-word . "typed") (downcase-word . "typed") (capitalize-word . "typed")
    (upcase-region . "typed") (downcase-region . "typed") (capitalize-region . "typed")
    (quoted-insert . "typed") (indent-for-tab-command . "typed") (python-indent-dedent-line . "typed")
    (comment-dwim . "typed") (comment-line . "typed")
    (yank . "paste") (yank-pop . "paste") (clipboard-yank . "paste")
    (kill-region . "cut") (clipboard-kill-region . "cut") (kill-line . "cut") (kill-whole-line . "cut")
    (kill-word . "cut") (backward-kill-word . "cut") (zap-to-char . "cut") (zap-up-to-char . "cut")
    (kill-sexp . "cut") (backward-kill-sexp . "cut") (kill-sentence . "cut") (kill-paragraph . "cut")
    (undo . "undo") (undo-only . "undo") (undo-redo . "redo")
    (completion-at-point . "completion") (dabbrev-expand . "completion") (corfu-insert . "completion")
    (indent-region . "format") (eglot-rename . "rename") (eglot-code-actions . "code_action")
    (yas-expand . "snippet"))
  "Commands whose changes are an origin's work, by name.
The origins are codetape's (schemas/steps/edit.py).")

(defconst codetape--origin-prefixes
  '(("company-complete" . "completion") ("copilot-accept-completion" . "ai_completion")
    ("undo-tree-redo" . "redo") ("undo-tree-visualize-redo" . "redo")
    ("undo-tree-undo" . "undo") ("undo-tree-visualize-undo" . "undo")
    ("eglot-format" . "format") ("format-all-" . "format"))
  "Commands whose changes are the work of an origin, by the start of their name.")

(defvar-local codetape--origins-p nil
  "Whether the bridge hears who made this buffer's changes.
True when the buffer's eglot server runs behind it.")

(defvar-local codetape--commands nil
  "The commands that made the changes eglot has not sent yet.
Newest first, each once, at most 8 (then `codetape--others').  A
command is `real-this-command' (commands never change it); nil for a
change made outside any command (a timer, a process filter, Lisp), and
`codetape--redo' for an `undo' that Emacs calls a Redo.")

(defvar-local codetape--batch-origin nil
  "The origin of all those changes: an origin's name, nil (a change of
no origin) or `mixed' (changes of different origins).")

(defun codetape--watch-origins ()
  "In `eglot-managed-mode-hook': note each change's command.
Only when the buffer's server runs behind the bridge."
  (setq codetape--origins-p (and eglot--managed-mode (codetape--bridge-p (eglot-current-server)) t)
        codetape--commands nil)
  (if codetape--origins-p
      (progn (add-hook 'after-change-functions #'codetape--changed nil t)
             (add-hook 'pre-command-hook #'codetape--before-command nil t))
    (remove-hook 'after-change-functions #'codetape--changed t)
    (remove-hook 'pre-command-hook #'codetape--before-command t)))

(defun codetape--before-command ()
  "In `pre-command-hook': have eglot send the changes it holds before a
command of another origin runs, so that each didChange is one origin's
work.  eglot batches the changes of an idle period (typing, a completion,
more typing) into one didChange, which could then only be `unknown'."
  (when (and codetape--origins-p codetape--commands eglot--recent-changes
             (not (equal (codetape--origin-of real-this-command) codetape--batch-origin)))
    (with-demoted-errors "codetape: cannot send eglot's changes: %S"
      (eglot--signal-textDocument/didChange))))

(defun codetape--origin-of (command)
  "The origin of COMMAND's changes (a string), or nil.
Nil: its name is neither in `codetape--origins' nor starts with one of
`codetape--origin-prefixes'."
  (cond ((eq command 'codetape--redo) "redo")
        ((not (and command (symbolp command))) nil)
        ((cdr (assq command codetape--origins)))
        (t (let ((name (symbol-name command)))
             (cdr (seq-find (lambda (prefix) (string-prefix-p (car prefix) name))
                            codetape--origin-prefixes))))))

(defun codetape--changed (_beg _end _length)
  "In `after-change-functions': keep the command that made this change.
Between commands (timers, process filters) `real-this-command' is nil.
An `undo' redoes when it undoes an undo (as its \\='Redo\\=' message says):
`pending-undo-list' is still the list it started from while it changes
the buffer."
  (let ((command (if (and (eq real-this-command 'undo) (not undo-no-redo) (consp pending-undo-list)
                          (gethash pending-undo-list undo-equiv-table))
                     'codetape--redo
                   real-this-command)))
    (unless (and codetape--commands (eq command (car codetape--commands)))
      (let ((origin (codetape--origin-of command)))
        (setq codetape--batch-origin (if (or (null codetape--commands) (equal origin codetape--batch-origin))
                                         origin
                                       'mixed))
        (unless (or (memq command codetape--commands) (memq 'codetape--others codetape--commands))
          (push (if (nthcdr 7 codetape--commands) 'codetape--others command) codetape--commands))))))

(defun codetape--command-name (command)
  (cond ((eq command 'codetape--redo) "undo (Redo)")
        ((eq command 'codetape--others) "...")
        ((and command (symbolp command)) (symbol-name command))
        (command "an anonymous command")
        (t "no command")))

(defun codetape--send-origin ()
  "Before eglot's didChange: send `codetape/origin' for the version it sends.
The changes eglot batched into it are the work of their commands' origin
when they all agree; of `unknown' when they do not (named in the detail);
nothing is said when none has an origin: the bridge's evidence or none."
  (when (and codetape--origins-p codetape--commands eglot--recent-changes)
    (let ((origin codetape--batch-origin)
          (commands (mapconcat #'codetape--command-name (reverse codetape--commands) ", ")))
      (when origin
        (with-demoted-errors "codetape: cannot send codetape/origin: %S"
          (jsonrpc-notify (eglot-current-server) 'codetape/origin
                          (list :uri (plist-get (eglot--TextDocumentIdentifier) :uri)
                                :version eglot--versioned-identifier
                                :origin (if (eq origin 'mixed) "unknown" origin)
                                :detail (concat "emacs:" (truncate-string-to-width
                                                          (concat (if (eq origin 'mixed) "mixed: " "") commands)
                                                          200))))))))
  (codetape--forget-origins))

(defun codetape--forget-origins ()
  "Forget the commands of the changes eglot has not sent.
It sends them now, or opens the document afresh."
  (setq codetape--commands nil codetape--batch-origin nil))

(defun codetape--server ()
  "The eglot connection of this buffer, which must run through the bridge."
  (or (eglot-current-server) (user-error "codetape: no eglot server here (M-x eglot)")))

(defun codetape--uri ()
  (eglot--path-to-uri (or buffer-file-name default-directory)))

(defun codetape--notify (method &rest params)
  "Send the codetape/METHOD notification with PARAMS and this buffer's uri."
  (jsonrpc-notify (codetape--server) (intern (concat "codetape/" method))
                  (append (list :uri (codetape--uri)) params)))

(defun codetape-note (text)
  "Put a note with TEXT into the recording."
  (interactive "sNote: ")
  (codetape--notify "note" :text text))

(defun codetape-task-start (statement)
  "Start a task with STATEMENT."
  (interactive "sTask: ")
  (codetape--notify "task" :action "start" :statement statement))

(defun codetape-task-done (outcome)
  "Finish the task with OUTCOME (pass, fail or abandoned).
The collector then seals the episode."
  (interactive (list (completing-read "Outcome: " '("pass" "fail" "abandoned") nil t nil nil "pass")))
  (codetape--notify "task" :action "done" :outcome outcome))

(defun codetape-pause ()
  "Pause recording this workspace."
  (interactive)
  (codetape--notify "pause"))

(defun codetape-resume ()
  "Resume recording this workspace."
  (interactive)
  (codetape--notify "resume"))

(defun codetape-seal ()
  "Seal this workspace's episode now, with `codetape seal DIR --json'.
The CLI, not the bridge's codetape.seal command: in proxy mode eglot's
workspace/executeCommand goes to the language server.  Return the
collector's answer as a plist (nil: nothing was recorded)."
  (interactive)
  (let* ((root (or (codetape--root) (user-error "codetape: not in an opted-in workspace")))
         (answer
          (with-temp-buffer
            (let* ((command (codetape--command "seal" (expand-file-name root) "--json"))
                   (status (apply #'call-process (car command) nil t nil (cdr command))))
              (unless (eq status 0)
                (user-error "%s" (string-trim (buffer-string))))
              (json-parse-string (buffer-string) :object-type 'plist :null-object nil)))))
    (message "codetape: %s" (if answer (format "sealed %s" (plist-get answer :path)) "nothing to seal"))
    answer))

(defun codetape--review (episode)
  "Review EPISODE (an episode id) with `codetape review' in a terminal buffer.
The command is `codetape-command', `review' and the id; anything but an
episode id is ignored.  When Emacs is not interactive, name the command
in a message."
  (when (and (stringp episode) (string-match-p codetape--episode-id episode))
    (let ((command (codetape--command "review" episode)))
      (if noninteractive
          (message "codetape: run `%s' to review the episode" (combine-and-quote-strings command))
        (require 'term)
        (let ((buffer (apply #'make-term "codetape-review" (car command) nil (cdr command))))
          (with-current-buffer buffer (term-mode) (term-char-mode))
          (pop-to-buffer buffer))))))

(defun codetape--bridge-p (server)
  "Whether SERVER (an eglot connection) runs behind `codetape bridge'.
Only the bridge speaks `codetape/*': it keeps the real server's
`codetape/*' messages from the editor."
  (let* ((process (ignore-errors (jsonrpc--process server)))
         (command (and (processp process) (process-command process)))
         (prefix (codetape--command "bridge")))
    (equal (seq-take command (length prefix)) prefix)))

(defconst codetape--exit-wait 3
  "Seconds a shutdown waits at most for the bridge to exit by itself.
After eglot's `exit' the bridge hands its last steps to the collector
and exits; jsonrpc would kill it at once.")

(defun codetape--let-exit (connection &rest _)
  "Before jsonrpc kills CONNECTION's process: let the bridge exit first.
Only a connection behind the bridge, for `codetape--exit-wait' at most."
  (when (codetape--bridge-p connection)
    (let ((process (jsonrpc--process connection))
          (deadline (+ (float-time) codetape--exit-wait)))
      (while (and (process-live-p process) (< (float-time) deadline))
        (accept-process-output process 0.05)))))

(cl-defmethod eglot-client-capabilities :around (_server)
  "Ask the bridge for `codetape/status', tell it `codetape/origin' comes.
Other servers ignore an unknown experimental capability."
  (let ((capabilities (cl-call-next-method)))
    (if codetape-mode
        (plist-put capabilities :experimental '(:codetape (:status t :origin t)))
      capabilities)))

(cl-defmethod eglot-handle-notification (server (_method (eql codetape/status)) &key uri state steps
                                                 uploadError held scope &allow-other-keys)
  "Handle `codetape/status' from the bridge.
Keep the workspace's state, redraw mode lines."
  (when (and (codetape--bridge-p server) (stringp uri))
    (puthash (codetape--key (eglot--uri-to-path uri))
             (list :state state :steps steps :uploadError uploadError :held held :scope scope)
             codetape--statuses)
    (force-mode-line-update t)))

(cl-defmethod eglot-handle-notification (server (_method (eql codetape/review)) &key episode
                                                &allow-other-keys)
  "Handle `codetape/review' from the bridge: the developer chose to review EPISODE.
A `command' in the message is ignored: `codetape--review' builds its own."
  (when (codetape--bridge-p server)
    (codetape--review episode)))

(provide 'codetape)
;;; codetape.el ends here
