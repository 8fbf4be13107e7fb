-- One scripted Neovim session against one language server (tests/e2e/neovim/test_neovim_servers.py): open the
-- file, type non-ASCII mid-line, wait for the diagnostics of the typed text, ask hover and completion at
-- fixed places, save, stop the server. What Neovim received is written as JSON to CONFIG.output.
-- Run as: nvim --headless --clean -S servers_session.lua, with CODETAPE_E2E_SESSION naming the config.
local CFG = vim.fn.json_decode(table.concat(vim.fn.readfile(vim.env.CODETAPE_E2E_SESSION), '\n'))
local out = { timings = {} }
local WAIT = CFG.wait_ms -- how long any one reply may take (a busy machine's, not a typical one)
local raw = {} -- the diagnostics as the server sent them, the last of each way (pushed, pulled)
local started = vim.uv.hrtime()
local function mark(what) table.insert(out.timings, { what, (vim.uv.hrtime() - started) / 1e6 }) end
local function finish(ok, why)
  out.outcome = ok and 'ok' or ('fail: ' .. why)
  vim.fn.writefile({ vim.fn.json_encode(out) }, CFG.output)
  vim.cmd(ok and 'qa!' or 'cq')
end
local function check(ok, why) if not ok then finish(false, why) end end
vim.cmd('filetype on')
vim.opt.autoindent = false
vim.opt.swapfile = false
vim.cmd('edit ' .. vim.fn.fnameescape(CFG.file))
local buf = vim.api.nvim_get_current_buf()
local uri = vim.uri_from_bufnr(buf)
local capabilities = vim.lsp.protocol.make_client_capabilities()
if CFG.offset_encoding then capabilities.offsetEncoding = { 'utf-8', 'utf-16' } end -- as nvim-lspconfig's clangd
local handlers = { -- keep the diagnostics as they came, then let Neovim's own handlers take them
  ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
    if result and result.uri == uri then raw.published = result.diagnostics end
    return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
  end,
  ['textDocument/diagnostic'] = function(err, result, ctx, config)
    if result and result.kind == 'full' then raw.pulled = result.items end
    return vim.lsp.diagnostic.on_diagnostic(err, result, ctx, config)
  end,
}
local function on_init(client, result) -- nvim-lspconfig's clangd: count as clangd answered
  if CFG.offset_encoding and result.offsetEncoding then client.offset_encoding = result.offsetEncoding end
end
local id = vim.lsp.start({ name = 'server', cmd = CFG.cmd, root_dir = CFG.root, capabilities = capabilities,
  settings = CFG.settings, handlers = handlers, on_init = on_init, flags = { debounce_text_changes = 0 } },
  { bufnr = buf })
check(id ~= nil, 'the client did not start')
local client = vim.lsp.get_client_by_id(id)
check(vim.wait(WAIT, function() return client.initialized end, 20), 'the server did not initialize')
mark('initialized')
out.offset_encoding = client.offset_encoding
local sync = client.server_capabilities.textDocumentSync -- does the server ask for didSave?
out.saves = type(sync) == 'table' and sync.save ~= nil and sync.save ~= false

-- (0-based row, byte column) of `text` + `offset` bytes in the current text of row `line`
local function at(where)
  local row = where.line
  local text = vim.api.nvim_buf_get_lines(buf, row, row + 1, true)[1]
  local start = text:find(where.text, 1, true)
  check(start ~= nil, ('%q is not on line %d: %q'):format(where.text, row, text))
  return row, start - 1 + (where.offset or 0)
end
local function place(where)
  local row, col = at(where)
  vim.api.nvim_win_set_cursor(0, { row + 1, col })
end
local function keys(k)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(k, true, false, true), 'xt', false)
end
local function ask(method, extra)
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  for key, value in pairs(extra or {}) do params[key] = value end
  local reply, err = client:request_sync(method, params, WAIT, buf)
  check(reply ~= nil, method .. ': no answer (' .. tostring(err) .. ')')
  return { err = reply.err, result = reply.result }
end

place(CFG.edit)
keys('i' .. CFG.edit.typed .. '<Esc>')
-- The diagnostic that only the whole typed text puts there: at its place (shifted by `skew` bytes where
-- the server counts columns its own way), its message containing `message`.
local row, col = at(CFG.diagnostic)
col = col + CFG.diagnostic.skew
local function arrived()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.lnum == row and d.col == col and d.message:find(CFG.diagnostic.message, 1, true) then return true end
  end
  return false
end
check(vim.wait(WAIT, arrived, 20), ('no diagnostic %q at %d:%d after typing; got %s'):format(
  CFG.diagnostic.message, row, col, vim.inspect(vim.diagnostic.get(buf))))
mark('diagnostics')
out.raw = vim.deepcopy(raw) -- (what came with the awaited set: a server may publish again on save)
out.diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(out.diagnostics, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
    message = d.message, severity = d.severity, source = d.source, code = d.code })
end
place(CFG.hover)
out.hover = ask('textDocument/hover')
mark('hover')
place(CFG.completion)
out.completion = ask('textDocument/completion', { context = { triggerKind = 1 } })
mark('completion')
vim.cmd('silent write')
vim.lsp.stop_client(id)
check(vim.wait(WAIT, function() return vim.lsp.get_client_by_id(id) == nil end, 20),
  'the server did not stop')
mark('stopped')
finish(true, '')
