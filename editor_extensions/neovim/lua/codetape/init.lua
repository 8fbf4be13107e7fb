-- codetape for Neovim (0.7+): start `codetape bridge` in observe mode for buffers of opted-in workspaces,
-- forward what only the editor sees (all diagnostics, the cursor), and expose the codetape commands.
-- A launcher: the bridge and the collector hold every decision; this file only moves messages.
-- Every command it runs comes from setup() (the user's configuration), never from a project's files or
-- from a message: the review command is built here from `codetape` and a checked episode id.
local M = {}
local uv = vim.uv or vim.loop
local NEW = vim.fn.has('nvim-0.11') == 1 -- 0.11 clients take `self` (client:notify); 0.7 ones do not
local origins = require('codetape.origins')
local offers = require('codetape.offers')
local program = require('codetape.program')

-- codetape: the codetape program and leading arguments (default: `codetape` on PATH or where its installer
-- put it); cmd: the bridge (default: codetape .. { 'bridge' }).
local config = { codetape = nil, cmd = nil, cursor_debounce_ms = 200, statusline = true }
local clients = {} -- workspace root -> client id (one bridge per workspace)
local waiting -- buffers waiting for the running `codetape status --json` (nil: none is running)
local statuses = {} -- workspace root -> the bridge's last `codetape/status` params
local problem -- why codetape could not be asked (shown for buffers under a `.codetape.toml`), or nil
-- What the statusline shows, from the bridge's `codetape/status` (the collector's own numbers).
local STATES = { recording = 'recording', paused = 'paused', not_recording = 'not recording',
  not_opted_in = 'not opted in', collector_down = 'collector down', stopped = 'stopped by you' }
-- The default statusline with the codetape segment before the ruler (set only when none is configured).
M.STATUSLINE = "%<%f %h%m%r%=%{luaeval(\"require'codetape'.status()\")}  %-14.(%l,%c%V%) %P"

local function root_of(buf)
  local name = vim.api.nvim_buf_get_name(buf)
  if name == '' or vim.bo[buf].buftype ~= '' then return nil end
  local found = vim.fn.findfile('.codetape.toml', vim.fn.fnamemodify(name, ':p:h') .. ';')
  if found == '' then return nil end
  return vim.fn.fnamemodify(found, ':p:h')
end

local function client_of(buf)
  local id = vim.b[buf].codetape_client
  return id and vim.lsp.get_client_by_id(id) or nil
end

local function notify(client, method, params)
  if NEW then client:notify(method, params) else client.notify(method, params) end
end

local function request(client, method, params, handler, buf)
  if NEW then client:request(method, params, handler, buf) else client.request(method, params, handler, buf) end
end

-- A (0-based row, byte column) as an LSP position in the client's negotiated encoding.
local function position(client, buf, row, col)
  local ok, character = pcall(vim.lsp.util.character_offset, buf, row, col, client.offset_encoding)
  return { line = row, character = ok and character or col }
end

-- The codetape program and leading arguments: setup()'s `codetape`, else the `codetape` on PATH or where
-- its installer put it (lua/codetape/program.lua); nil and the places looked, when there is none.
local function codetape()
  if config.codetape then return vim.deepcopy(config.codetape) end
  local found, looked = program.find(os.getenv, uv.os_homedir())
  if found then return { found } end
  return nil, 'codetape is not on PATH' .. (#looked > 0 and ' nor in ' .. table.concat(looked, ', ') or '')
end

-- An episode id as codetape writes it (a UUID), so that it can only be read as one argument.
local EPISODE_ID = '^' .. string.rep('%x', 8) .. '%-' .. string.rep('%x', 4) .. '%-' .. string.rep('%x', 4)
  .. '%-' .. string.rep('%x', 4) .. '%-' .. string.rep('%x', 12) .. '$'

--- The command that reviews `episode`: the configured codetape, `review`, the id (nil: not an episode id).
function M.review_command(episode)
  if type(episode) ~= 'string' or not episode:match(EPISODE_ID) then return nil end
  local command = codetape() or { 'codetape' } -- (the bridge that asks ran, so codetape was found)
  vim.list_extend(command, { 'review', episode })
  return command
end

-- `codetape/review` (the developer chose Review after a seal): review the episode in a terminal split.
-- Only its `episode` is read: the command is ours (a `command` in the message is ignored).
local opened = {} -- episode ids whose review this plugin opened
local function open_review(_, result)
  local command = M.review_command(type(result) == 'table' and result.episode or nil)
  if not command then return end
  vim.cmd('botright new')
  local ok, err = pcall(NEW and function() vim.fn.jobstart(command, { term = true }) end
    or function() vim.fn.termopen(command) end)
  if ok then
    opened[result.episode] = true
    return vim.cmd('startinsert')
  end
  vim.cmd('close')
  vim.notify('codetape: run `' .. table.concat(command, ' ') .. '` (' .. tostring(err) .. ')',
    vim.log.levels.WARN)
end

-- The bridge's prompt after a seal (Review / Later / Discard), answered as Neovim answers any server's;
-- Discard deletes the episode for good, so it is asked again (vim.ui.select), and anything but a yes
-- answers the prompt as dismissed (the bridge then does nothing, as for Later).
local SURE = { 'Keep the episode', 'Discard it for good' }
local function prompt(err, params, ctx, cfg)
  local answer = vim.lsp.handlers['window/showMessageRequest'](err, params, ctx, cfg)
  if type(answer) ~= 'table' or answer.title ~= 'Discard' then return answer end
  local opts = { prompt = 'codetape: discard the episode? Nothing of it is shared: ' }
  local co, main = coroutine.running()
  local chosen
  if co and not main then -- 0.11: the handler may wait, as Neovim's own does
    vim.ui.select(SURE, opts, function(choice) vim.schedule(function() coroutine.resume(co, choice) end) end)
    chosen = coroutine.yield()
  else
    vim.ui.select(SURE, opts, function(choice) chosen = choice end)
  end
  return chosen == SURE[2] and answer or vim.NIL
end

-- `window/showMessage`: the bridge's "run `codetape review ID`" line (for editors that cannot open a
-- review) is left out once the review of ID is open here: shown after the prompt, it held Neovim at
-- "Press ENTER" before the review. Every other message is shown as Neovim shows any server's.
local function show_message(err, result, ctx, cfg)
  local episode = type(result) == 'table' and type(result.message) == 'string'
    and result.message:match('^codetape: run `codetape review (%S+)` to review the episode$')
  if episode and opened[episode] then return vim.NIL end
  return vim.lsp.handlers['window/showMessage'](err, result, ctx, cfg)
end

-- The bridge's command line: `cmd` when given, else the configured codetape with `bridge`.
local function bridge_command()
  if config.cmd then return config.cmd end
  local command = codetape() or { 'codetape' } -- (started once `codetape status` answered)
  table.insert(command, 'bridge')
  return command
end

-- `codetape/status`: keep it for the workspace and redraw the statuslines.
local function status_changed(_, result)
  if type(result) ~= 'table' or type(result.uri) ~= 'string' then return end
  statuses[vim.fn.resolve(vim.uri_to_fname(result.uri))] = result
  vim.cmd('redrawstatus!')
end

--- The recording state of the buffer's workspace, for any statusline: 'codetape: recording 12 steps',
--- 'codetape: paused', 'codetape: not opted in', 'codetape: collector down', 'codetape: stopped by you'
--- (after `codetape collector stop`, until `codetape resume`) (" · governed by 'client A'" is added when
--- scopes of the organisation's managed policy govern the workspace, ' · upload failed' is
--- added when the last upload failed, ' · 2 held' when the outbox holds signed episodes before they leave:
--- `codetape review` says why and offers the choice), 'codetape: connecting' before the bridge has said,
--- 'codetape: not found (...)' when the codetape program cannot be run; '' for buffers that are not files.
function M.status(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  if vim.api.nvim_buf_get_name(buf) == '' or vim.bo[buf].buftype ~= '' then return '' end
  local root = vim.b[buf].codetape_root
  if not root then
    if waiting and waiting[buf] then return 'codetape: connecting' end
    return (problem and root_of(buf) and 'codetape: ' .. problem) or 'codetape: not opted in'
  end
  local status = statuses[vim.fn.resolve(root)]
  if not status then return 'codetape: connecting' end
  local text = 'codetape: ' .. (STATES[status.state] or tostring(status.state))
  if status.state == 'recording' then
    text = text .. ' ' .. status.steps .. (status.steps == 1 and ' step' or ' steps')
  end
  if type(status.scope) == 'string' and status.scope ~= '' then text = text .. ' · governed by ' .. status.scope end
  if type(status.uploadError) == 'string' then text = text .. ' · upload failed' end
  if type(status.held) == 'number' and status.held > 0 then text = text .. ' · ' .. status.held .. ' held' end
  return text
end

-- The workspace holding `dir` among those codetape says are opted in (real paths): the nearest ancestor of
-- `dir` (or `dir`) whose real path is one of them, spelled as `dir` is.
local function confirmed_root(dir, opted_in)
  while true do
    if opted_in[uv.fs_realpath(dir) or ''] then return dir end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then return nil end
    dir = parent
  end
end

-- `codetape/origin` for the buffer's labelled edits (lua/codetape/origins.lua has the evidence), and
-- `codetape/offer` for its completion menus (lua/codetape/offers.lua).
local function label(buf)
  origins.attach(buf, function(params)
    local client = client_of(buf)
    if client then notify(client, 'codetape/origin', params) end
  end)
  offers.attach(buf, function(menu)
    local client = client_of(buf)
    if not client or not vim.api.nvim_buf_is_loaded(buf) then return end
    menu.range = { start = position(client, buf, menu.row, menu.from),
      ['end'] = position(client, buf, menu.row, menu.to) }
    menu.row, menu.from, menu.to = nil, nil, nil
    notify(client, 'codetape/offer', menu)
  end)
end

local function start(buf, root)
  if client_of(buf) then return label(buf) end
  local capabilities = vim.lsp.protocol.make_client_capabilities()
  -- ask the bridge for `codetape/status`; say that edits come with `codetape/origin`
  capabilities.experimental = { codetape = { status = true, origin = true } }
  local cfg = {
    name = 'codetape', cmd = bridge_command(), root_dir = root, capabilities = capabilities,
    flags = { debounce_text_changes = 0 },
    handlers = { ['codetape/review'] = open_review, ['codetape/status'] = status_changed,
      ['window/showMessageRequest'] = prompt, ['window/showMessage'] = show_message },
  }
  local id = clients[root]
  if id and vim.lsp.get_client_by_id(id) then
    vim.lsp.buf_attach_client(buf, id)
  elseif vim.lsp.start then
    id = vim.lsp.start(cfg, { bufnr = buf })
  else
    id = vim.lsp.start_client(cfg)
    if id then vim.lsp.buf_attach_client(buf, id) end
  end
  if not id then return end
  clients[root] = id
  vim.b[buf].codetape_root = root
  vim.b[buf].codetape_client = id
  label(buf)
end

-- `codetape status --json` answered: start the bridge for the waiting buffers in an opted-in workspace.
local function answered(command, buffers, code, out)
  local ok, status = pcall(vim.fn.json_decode, table.concat(out, '\n'))
  local listed = ok and type(status) == 'table' and status.opted_in
  if code ~= 0 or type(listed) ~= 'table' then
    problem = 'failed (see :messages)'
    vim.cmd('redrawstatus!')
    return vim.notify('codetape: `' .. table.concat(command, ' ') .. '` did not say '
      .. 'which workspaces are opted in (exit ' .. code .. '): nothing is recorded', vim.log.levels.WARN)
  end
  problem = nil
  local opted_in = {}
  for _, root in ipairs(listed) do opted_in[root] = true end
  for buf in pairs(buffers) do
    local name = vim.api.nvim_buf_is_loaded(buf) and vim.api.nvim_buf_get_name(buf) or ''
    local root = name ~= '' and confirmed_root(vim.fn.fnamemodify(name, ':p:h'), opted_in)
    if root then start(buf, root) end
  end
  vim.cmd('redrawstatus!')
end

-- No codetape to run: the statusline says so, and a message why.
local function not_found(why)
  problem = 'not found (install it, or set `codetape` in setup())'
  vim.cmd('redrawstatus!')
  vim.notify('codetape: ' .. why .. ': nothing is recorded', vim.log.levels.WARN)
end

-- A buffer under a `.codetape.toml` (found without running anything): ask codetape, in the background,
-- whether its workspace is opted in; the bridge starts only when it is (nothing runs for other folders).
local function attach(buf)
  local candidate = root_of(buf)
  if not candidate then return end
  local client = client_of(buf)
  if client then -- read again: `:checktime` keeps the bridge attached, `:e!` detaches it
    if not vim.lsp.buf_is_attached(buf, client.id) then vim.lsp.buf_attach_client(buf, client.id) end
    return label(buf)
  end
  if clients[candidate] and vim.lsp.get_client_by_id(clients[candidate]) then return start(buf, candidate) end
  if waiting then waiting[buf] = true return end
  local buffers, out = { [buf] = true }, {}
  local command, missing = codetape()
  if not command then return not_found(missing .. ' (install it, or set `codetape` in setup())') end
  vim.list_extend(command, { 'status', '--json' })
  local ok, job = pcall(vim.fn.jobstart, command, {
    stdout_buffered = true,
    on_stdout = function(_, data) out = data end,
    on_exit = function(_, code)
      waiting = nil
      answered(command, buffers, code, out)
    end,
  })
  if not ok or job <= 0 then
    return not_found('cannot run `' .. table.concat(command, ' ') .. '` (set `codetape` in setup())')
  end
  waiting = buffers
end

local sent = {} -- buf -> { origin = true } for origins last sent non-empty, so clearing is forwarded too

-- Whose diagnostics a namespace holds: a language server's are in its client's namespace, named
-- `vim.lsp.NAME.ID` (pushed) or `vim.lsp.NAME.ID.IDENTIFIER` (pulled, 0.10+): the server's name, not the
-- editor's client number; any other namespace (a linter plugin's) by its own name.
local function origin_of(name)
  return name:match('^vim%.lsp%.(.+)%.%d+$') or name:match('^vim%.lsp%.(.-)%.%d+%.[^.]*$') or name
end

local function forward_diagnostics(buf)
  local client = client_of(buf)
  if not client or not vim.api.nvim_buf_is_valid(buf) then return end
  local by_origin, previous = {}, sent[buf] or {}
  for origin in pairs(previous) do by_origin[origin] = {} end
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local ns = vim.diagnostic.get_namespace(d.namespace)
    local origin = ns and ns.name and origin_of(ns.name) or tostring(d.namespace)
    by_origin[origin] = by_origin[origin] or {}
    table.insert(by_origin[origin], {
      range = { start = position(client, buf, d.lnum, d.col),
                ['end'] = position(client, buf, d.end_lnum or d.lnum, d.end_col or d.col) },
      severity = d.severity, message = d.message, source = d.source,
      code = (type(d.code) == 'string' or type(d.code) == 'number') and d.code or nil,
    })
  end
  local uri = vim.uri_from_bufnr(buf)
  sent[buf] = {}
  for origin, items in pairs(by_origin) do
    if #items > 0 then sent[buf][origin] = true end
    notify(client, 'codetape/diagnostics', { uri = uri, origin = origin, diagnostics = items })
  end
end

local timer
local function forward_cursor()
  local buf = vim.api.nvim_get_current_buf()
  local client = client_of(buf)
  if not client then return end
  local cur = vim.api.nvim_win_get_cursor(0)
  local active = position(client, buf, cur[1] - 1, cur[2])
  local anchor = active
  if vim.fn.mode():match('^[vV\22]') then
    local v = vim.fn.getpos('v')
    anchor = position(client, buf, v[2] - 1, v[3] - 1)
  end
  notify(client, 'codetape/cursor', { uri = vim.uri_from_bufnr(buf), selections = { { anchor = anchor, active = active } } })
end

local function cursor_moved()
  if not client_of(vim.api.nvim_get_current_buf()) then return end
  if timer then timer:stop() else timer = uv.new_timer() end
  timer:start(config.cursor_debounce_ms, 0, vim.schedule_wrap(forward_cursor))
end

local function current()
  local buf = vim.api.nvim_get_current_buf()
  local client = client_of(buf)
  if not client then
    vim.notify('codetape: this buffer is not in an opted-in workspace (run: codetape init)', vim.log.levels.WARN)
  end
  return buf, client
end

-- Send `method` (a codetape/* notification) for the current buffer's workspace.
local function send(method, params)
  local buf, client = current()
  if not client then return end
  params.uri = vim.uri_from_bufnr(buf)
  notify(client, method, params)
end

-- Run a bridge command (codetape.seal, codetape.status, ...) and show its answer.
function M.execute(command)
  local buf, client = current()
  if not client then return end
  request(client, 'workspace/executeCommand', { command = command, arguments = { vim.uri_from_bufnr(buf) } },
    function(err, result)
      local text = err and ('failed: ' .. (err.message or vim.inspect(err))) or vim.inspect(result)
      vim.notify('codetape: ' .. command .. ': ' .. text, err and vim.log.levels.ERROR or vim.log.levels.INFO)
    end, buf)
end

local function task(opts)
  local action, rest = opts.args:match('^(%S+)%s*(.*)$')
  if action == 'start' and rest ~= '' then
    send('codetape/task', { action = 'start', statement = rest })
  elseif action == 'done' and (rest == '' or rest == 'pass' or rest == 'fail' or rest == 'abandoned') then
    send('codetape/task', { action = 'done', outcome = rest ~= '' and rest or 'pass' })
  else
    vim.notify('codetape: usage: :CodetapeTask start {text} | :CodetapeTask done [pass|fail|abandoned]',
      vim.log.levels.ERROR)
  end
end

function M.setup(opts)
  config = vim.tbl_extend('force', config, opts or {})
  if config.statusline and vim.o.statusline == '' then -- nobody configured one: show the recording state
    vim.o.statusline = M.STATUSLINE
    if vim.o.laststatus < 2 then vim.o.laststatus = 2 end
  end
  local group = vim.api.nvim_create_augroup('codetape', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile' }, { group = group,
    callback = function(args) attach(args.buf) end })
  vim.api.nvim_create_autocmd('DiagnosticChanged', { group = group,
    callback = function(args) forward_diagnostics(args.buf) end })
  vim.api.nvim_create_autocmd({ 'CursorMoved', 'CursorMovedI' }, { group = group, callback = cursor_moved })
  vim.api.nvim_create_autocmd('BufWipeout', { group = group, callback = function(args)
    sent[args.buf] = nil
    origins.detach(args.buf)
    offers.detach(args.buf)
  end })
  origins.setup()
  local command = vim.api.nvim_create_user_command
  command('CodetapeNote', function(o) send('codetape/note', { text = o.args }) end, { nargs = '+' })
  command('CodetapeTask', task, { nargs = '+' })
  command('CodetapePause', function() send('codetape/pause', {}) end, {})
  command('CodetapeResume', function() send('codetape/resume', {}) end, {})
  command('CodetapeSeal', function() M.execute('codetape.seal') end, {})
  command('CodetapeStatus', function() M.execute('codetape.status') end, {})
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) then attach(buf) end
  end
end

return M
