" codetape for Vim 9 with ALE (Debian: apt-get install vim vim-ale): `source` this file from your vimrc.
" Python: ALE's pylsp runs behind the bridge (`codetape bridge -- pylsp`), so pylsp's diagnostics are
" recorded with the edits and saves. Every other file type: the bridge as one more ALE language server,
" observing (edits and saves). ALE sends a document's full text when it lints (on changes in normal mode,
" on leaving insert mode, on save), so edits are recorded at that grain, not per keystroke.
" Advised: `set hidden`. Without it `:e other` unloads the buffer, and an ALE lint still under way then
" sends that document as empty (seen under load): the episode would hold what ALE said, an empty file,
" until its next save.

packadd! ale  " Debian's vim-ale is an optional package; drop this line if ALE is loaded another way

let g:ale_python_pylsp_executable = 'codetape'
let g:ale_python_pylsp_options = 'bridge -- pylsp'
let g:ale_python_pylsp_use_global = 1  " not a virtualenv's pylsp: codetape, which runs the pylsp on PATH

function! s:CodetapeRoot(buffer) abort
  " the folder with .codetape.toml (the opted-in workspace), else the file's own
  let l:settings = ale#path#FindNearestFile(a:buffer, '.codetape.toml')
  return !empty(l:settings) ? fnamemodify(l:settings, ':h') : expand('#' . a:buffer . ':p:h')
endfunction

function! s:CodetapeFor(filetype) abort
  if empty(a:filetype) || a:filetype =~# '[^A-Za-z0-9_]'
    return
  endif
  let l:names = map(copy(ale#linter#Get(a:filetype)), 'v:val.name')
  if a:filetype is# 'python'
    let l:server = 'pylsp'
  else
    let l:server = 'codetape'
    if index(map(copy(ale#linter#GetAll(a:filetype)), 'v:val.name'), 'codetape') < 0
      call ale#linter#Define(a:filetype, {
      \   'name': 'codetape',
      \   'lsp': 'stdio',
      \   'executable': 'codetape',
      \   'command': '%e bridge',
      \   'project_root': function('s:CodetapeRoot'),
      \})
    endif
  endif
  " ALE runs only some linters by default for some file types (Python's default leaves pylsp out)
  let b:ale_linters = uniq(sort(l:names + [l:server]))
endfunction

augroup codetape
  autocmd!
  autocmd FileType * call s:CodetapeFor(expand('<amatch>'))
augroup END
