;;; codetape-lsp.el --- codetape for lsp-mode -*- lexical-binding: t -*-

;; codetape for Emacs with lsp-mode (Debian: apt-get install elpa-lsp-mode): load this file from your init
;; file. Python: pylsp runs behind the bridge (`codetape bridge -- pylsp`), so pylsp's diagnostics are
;; recorded with the edits and saves. Every other mode lsp-mode starts in: the bridge as an add-on
;; server beside the mode's own (observing: edits and saves). For eglot, see codetape.el.

;;; Code:

(require 'lsp-mode)
(require 'lsp-pylsp)

(setq lsp-pylsp-server-command '("codetape" "bridge" "--" "pylsp"))

(defun codetape-lsp--observes-p (_file-name mode)
  "Whether the observing bridge joins a buffer in MODE: every mode but Python's (pylsp's bridge has it)."
  (not (provided-mode-derived-p mode 'python-mode)))

(lsp-register-client
 (make-lsp-client :new-connection (lsp-stdio-connection '("codetape" "bridge"))
                  :activation-fn #'codetape-lsp--observes-p
                  :add-on? t
                  :priority -10
                  :server-id 'codetape))

(provide 'codetape-lsp)
;;; codetape-lsp.el ends here
