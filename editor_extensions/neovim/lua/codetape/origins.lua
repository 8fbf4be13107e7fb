-- Whose work each edit is (issue 28): the evidence only the editor sees, sent to the bridge as
-- `codetape/origin` {uri, version, origin, detail} for the change that made each labelled version (the
-- buffer's changedtick, which Neovim's client sends as the didChange's textDocument.version). The bridge
-- ties it to that didChange (lsp_bridge/authorship/origins.py); a change without evidence is sent
-- nothing: unknown.
--
-- The evidence, each named in `detail`:
--   typed        InsertCharPre, for a key the user typed (0.10+: vim.on_key's `typed`; 0.7 cannot tell the
--                keys a mapping or `:normal` types from typed ones; a `.` repeat it can, see `untyped`);
--                a change made by a key the user pressed in Normal, Visual, Select, Insert or Replace mode
--                itself, not through a mapping (0.10+), and not an undo or redo: `nvim:normal o`,
--                `nvim:normal dd` (the operator, then the key), `nvim:normal x` (0.7: `dl`, what `x` runs),
--                `nvim:normal r+`,
--                `nvim:insert <CR>`, `nvim:insert <BS>`, `nvim:visual d`; `.` is `nvim:normal .` (a paste
--                when the change it repeats was one). Command-line changes (`:s`, `:normal`, `:!`) stay
--                unknown: a command can run anything
--   paste        vim.paste (a terminal's bracketed paste), a put (`p`, `"+p`, `gP`, `]p`, ... as the keys
--                say), Insert mode's CTRL-R {register} (its text comes as keys, untyped)
--   completion   a change made by a completion key while Insert mode completion is active (<C-n>, <C-p>,
--                <C-y>, <C-x>...), and after CompleteDone with a non-empty v:completed_item (an LSP item's
--                extra edits); the detail names the completion's kind (`keyword`, `omni`, ...)
--   undo, redo   the undo tree's current change number (changenr()) going back or forth across the change
--   format, rename, code_action   edits applied by vim.lsp.util while vim.lsp.buf.format (formatting on
--                0.7), rename or code_action awaits its answer
-- Cheap: per key a few table writes (vim.on_key), per change a table write; the notifications are sent
-- from a scheduled callback once the keys at hand are done, never on the keystroke itself.
local M = {}
local api = vim.api
local uv = vim.uv or vim.loop

local ASKED_MS = 60000 -- an LSP request's edits come this soon after it (rename and code_action ask first)
local CTRL_N, CTRL_P, CTRL_R, CTRL_X, CTRL_Y = '\14', '\16', '\18', '\24', '\25'
-- keys after which `p` is an argument, not a put (`rp`, `fp`, `mp`, `qp`, `@p`, `'p`, `"p`)
local ARGUMENT = { r = true, f = true, F = true, t = true, T = true, m = true, q = true, ['@'] = true,
  ["'"] = true, ['`'] = true, ['"'] = true }
local PUT_PREFIX = { g = true, ['['] = true, [']'] = true, z = true } -- gp, ]p, [p, zp
-- the modes whose changes a pressed key makes itself (not the command line's, nor a terminal's)
local MODE_NAMES = { n = 'normal', i = 'insert', R = 'replace', v = 'visual', V = 'visual', ['\22'] = 'visual',
  s = 'select', S = 'select', ['\19'] = 'select' }
-- keys Neovim runs as other keys it does not call typed (0.10+): `x` as `dl`, `s` as `cl`, `D` as `d$`, ...
local EXPANDS = { x = true, X = true, s = true, S = true, D = true, C = true, Y = true, ['&'] = true,
  ['\128kD'] = true }
local SPECIAL = { ['\r'] = '<CR>', ['\n'] = '<NL>', ['\t'] = '<Tab>', ['\27'] = '<Esc>', [' '] = '<Space>',
  ['\128kb'] = '<BS>', ['\128kD'] = '<Del>', ['\127'] = '<Del>' }

local senders = {} -- buf -> function(params): sends one codetape/origin for the buffer
local key, prev, before -- the key being executed and the two before it (vim.on_key, after mappings)
local live = false -- a key is being executed (on_key) and the scheduled flush has not run since
local typed_key = true -- the user typed `key` (0.10+ tells; 0.7 passes no `typed`: every key counts)
local put_mode -- the mode a `p`/`P` key came in ('n' or visual for a put; 'no', 'R', 'i' for none)
local typed = false -- InsertCharPre for this key: its change is typed
local pressed -- 'nvim:normal o', ...: the key the user pressed that the key being executed is (part of)
local expands = false -- `pressed` is a key Neovim runs as other, untyped keys (EXPANDS)
local last = nil -- the origin of the last change a key made (what a `.` repeats)
local untyped -- keys that are replayed ('.') or a register's text (i_CTRL-R: a paste) until the flush
local accepted -- CompleteDone accepted an item: edits vim.lsp.util applies in this key are the item's
local pasting = false -- vim.paste is running
local asked -- { origin, detail, until }: an LSP request whose edits vim.lsp.util may apply
local applying -- the asked request's edits are being applied
local pending = {} -- { buf, tick, origin, detail } to send
local unsure = {} -- { buf, tick, seq }: changes without evidence; the undo tree says after the key
local scheduled = false

-- The changes without evidence whose key is done: the current change number moved back (undo) or
-- forth (redo) across them; a new change already has its number when Neovim reports it.
-- A change the key the user pressed made (neither): typed, the key its evidence.
local function settle()
  local buf, now = api.nvim_get_current_buf(), vim.fn.changenr()
  for _, change in ipairs(unsure) do
    if change.buf == buf and change.seq ~= now then
      table.insert(pending, { buf = buf, tick = change.tick, origin = now < change.seq and 'undo' or 'redo',
        detail = 'nvim:undotree' })
    elseif change.buf == buf and change.pressed then
      table.insert(pending, { buf = buf, tick = change.tick, origin = 'typed', detail = change.pressed })
      last = 'typed'
    end
  end
  unsure = {}
end

-- A key as `:help key-notation` writes it: `o`, `<CR>`, `<BS>`, `<C-R>`.
local function keyname(k)
  if SPECIAL[k] then return SPECIAL[k] end
  if #k == 1 and k:byte() < 32 then return '<C-' .. string.char(k:byte() + 64) .. '>' end
  if k:find('^[\128-\255]') and not k:find('^[\192-\247][\128-\191]+$') then return '<special>' end
  return k
end

-- What the user pressed, as evidence, when `k` is that key itself (0.7: every key, it cannot tell).
local function key_pressed(k, t)
  if t ~= nil and t ~= k then
    if t ~= '' or not expands then pressed, expands = nil, false end -- a mapping's keys, or no key's
    return
  end
  local mode = api.nvim_get_mode().mode
  local name = MODE_NAMES[mode:sub(1, 1)]
  local before_key = mode:match('^no') and vim.v.operator or '' -- `dd`: the operator, then the key
  if name == 'replace' and prev == 'r' then name, before_key = 'normal', 'r' end -- `rX` (Replace mode's
  -- own keys are InsertCharPre's)
  pressed = name and ('nvim:' .. name .. ' ' .. before_key .. keyname(k))
  expands = EXPANDS[k] == true
end

-- Whether this runs inside vim.wait in Insert mode: a key still being executed waits there for a language
-- server (a keyword completion's tag search asks it for definitions through vim.lsp.tagfunc once a server
-- such as pylsp is attached), and the changes the key makes after the wait are still its own.
local function inside_a_key()
  if not api.nvim_get_mode().mode:match('^i') then return false end
  local wait = vim.wait
  for level = 3, 64 do
    local info = debug.getinfo(level, 'f')
    if not info then return false end
    if info.func == wait then return true end
  end
  return false
end

local function flush()
  scheduled = false
  if #unsure > 0 then settle() end
  if not inside_a_key() then -- the key is done: later changes are not this key's
    live, typed, untyped, accepted, put_mode = false, false, nil, nil, nil
    pressed, expands = nil, false
  end
  local out = pending
  pending = {}
  for _, change in ipairs(out) do
    local send = senders[change.buf]
    if send then
      send({ uri = vim.uri_from_bufnr(change.buf), version = change.tick, origin = change.origin,
        detail = change.detail })
    end
  end
end

local function on_key(k, t)
  if #unsure > 0 then settle() end -- the last key is done: the undo tree says what it did
  before, prev, key = prev, key, k
  live, typed, accepted = true, false, nil
  typed_key = t == nil or t ~= ''
  key_pressed(k, t)
  if untyped and t ~= nil and typed_key then untyped = nil end
  if k == 'p' or k == 'P' then
    put_mode = api.nvim_get_mode().mode
  elseif k == '.' or prev == CTRL_R or (before == CTRL_R and (prev == CTRL_R or prev == '\15' or prev == CTRL_P)) then
    local mode = api.nvim_get_mode().mode
    if k == '.' and mode == 'n' then
      untyped = last == 'paste' and { origin = 'paste', detail = 'nvim:normal .' }
        or { origin = 'typed', detail = 'nvim:normal .' }
    elseif k ~= '.' and k ~= CTRL_R and k ~= '\15' and k ~= CTRL_P and mode:match('^[iR]') then
      untyped = { origin = 'paste', detail = 'nvim:i_CTRL-R' }
    end
  end
end

-- The completion a key in Insert mode makes: 'nvim:ins-completion keyword', ... (nil: none).
local function completing(mode)
  if not mode:match('^i') or not (key == CTRL_N or key == CTRL_P or prev == CTRL_X or
      (key == CTRL_Y and (mode == 'ic' or mode == 'ix'))) then
    return nil -- (<C-y> with no completion active copies the character above the cursor)
  end
  local info = vim.fn.complete_info({ 'mode' }).mode
  if info == '' and prev ~= CTRL_X and key ~= CTRL_Y then info = 'keyword' end -- i_CTRL-N, i_CTRL-P: words
  if info == 'omni' and vim.bo.omnifunc == 'v:lua.vim.lsp.omnifunc' then info = 'omni vim.lsp.omnifunc' end
  return 'nvim:ins-completion' .. (info ~= '' and ' ' .. info or '')
end

-- The put a `p`/`P` key ends: 'nvim:"+p', 'nvim:gP', ... (nil: not a put).
local function put(mode)
  if (key ~= 'p' and key ~= 'P') or not put_mode or not put_mode:match('^[nvV\22]$') or
      not mode:match('^[nvV\22]$') then
    return nil
  end
  if before == '"' then return 'nvim:"' .. prev .. key end
  if ARGUMENT[prev] then return nil end
  return 'nvim:' .. (PUT_PREFIX[prev] and prev or '') .. key
end

local function evidence()
  if pasting then return 'paste', 'nvim:vim.paste' end
  if applying then return applying.origin, applying.detail end
  if untyped then return untyped.origin, untyped.detail end
  if typed then
    typed = false
    return 'typed', 'nvim:InsertCharPre'
  end
  if not live then return nil end
  local mode = api.nvim_get_mode().mode
  local detail = completing(mode)
  if detail then return 'completion', detail end
  detail = put(mode)
  if detail then return 'paste', detail end
  return nil
end

local function on_lines(_, buf, tick)
  if not senders[buf] then return true end -- detached
  local origin, detail = evidence()
  if asked and not applying then asked = nil end -- a change that is not the request's: it asked in vain
  if origin and applying and senders[buf] then
    -- an LSP request's edits: said at once, not once the command is done, which for a format on save
    -- (vim.lsp.buf.format in a BufWritePre) is after the save: the bridge would have let the edit go
    -- without its word (it holds edits for their word only until a save)
    senders[buf]({ uri = vim.uri_from_bufnr(buf), version = tick, origin = origin, detail = detail })
  elseif origin then
    table.insert(pending, { buf = buf, tick = tick, origin = origin, detail = detail })
    if live then last = origin end
  elseif buf == api.nvim_get_current_buf() then
    table.insert(unsure, { buf = buf, tick = tick, seq = vim.fn.changenr(), pressed = live and pressed or nil })
  end
  if not scheduled then
    scheduled = true
    vim.schedule(flush)
  end
end

--- Label the buffer's edits from now on; `send(params)` sends one codetape/origin.
function M.attach(buf, send)
  if senders[buf] then
    senders[buf] = send
    return
  end
  senders[buf] = send
  -- on_reload keeps the callbacks attached when the buffer is read again from disk (`:checktime` after
  -- another program wrote the file, `:e!`): without it Neovim detaches them, and every later change
  -- would go unlabelled (the reload itself is no change of the developer's: nothing to label)
  api.nvim_buf_attach(buf, false, { on_lines = on_lines, on_reload = function() end,
    on_detach = function() senders[buf] = nil end })
  local group = api.nvim_create_augroup('codetape-origins-' .. buf, { clear = true })
  api.nvim_create_autocmd('InsertCharPre', { group = group, buffer = buf,
    callback = function() typed = typed_key and not untyped end })
  api.nvim_create_autocmd('CompleteDone', { group = group, buffer = buf, callback = function()
    local item = vim.v.completed_item
    asked = nil
    if type(item) ~= 'table' or (item.word or '') == '' then return end
    local lsp = type(item.user_data) == 'table' and type(item.user_data.nvim) == 'table'
      and item.user_data.nvim.lsp ~= nil
    accepted = 'nvim:CompleteDone' .. (lsp and ' lsp' or '')
  end })
end

function M.detach(buf)
  senders[buf] = nil
  pcall(api.nvim_del_augroup_by_name, 'codetape-origins-' .. buf)
end

-- `f` with `flag` set while it runs (errors pass through).
local function while_running(f, set)
  return function(...)
    local restore = set(true)
    local result = { pcall(f, ...) }
    set(false, restore)
    if not result[1] then error(result[2], 0) end
    return (table.unpack or unpack)(result, 2)
  end
end

local REQUESTS = { format = 'format', formatting = 'format', formatting_sync = 'format',
  range_formatting = 'format', rename = 'rename', code_action = 'code_action' }

--- Install the global evidence once: vim.on_key, vim.paste, the LSP requests and the edits they apply.
function M.setup()
  if M.installed then return end
  M.installed = true
  vim.on_key(on_key, api.nvim_create_namespace('codetape-origins'))
  vim.paste = while_running(vim.paste, function(on) pasting = on end)
  for name, origin in pairs(REQUESTS) do
    local request = vim.lsp.buf[name]
    if request then
      vim.lsp.buf[name] = function(...)
        asked = { origin = origin, detail = 'nvim:vim.lsp.buf.' .. name, ['until'] = uv.now() + ASKED_MS }
        return request(...)
      end
    end
  end
  local util = vim.lsp.util
  for _, name in ipairs({ 'apply_text_edits', 'apply_workspace_edit' }) do
    util[name] = while_running(util[name], function(on, was)
      if not on then
        applying = was
        return nil
      end
      local outer = applying
      if not applying and asked and asked['until'] >= uv.now() then
        applying = asked
      elseif not applying and accepted then -- an accepted LSP item's additionalTextEdits
        applying = { origin = 'completion', detail = accepted }
      end
      return outer
    end)
  end
end

return M
