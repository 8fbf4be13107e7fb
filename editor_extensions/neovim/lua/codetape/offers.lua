-- What Insert mode completion offered (issue 40): once a completion menu closes, `codetape/offer`
-- {uri, version, range, detail, provider, items, more, decision, taken} for it, in the buffer's text then
-- (schemas/messages.py OfferParams; the bridge records an `offer` step, schemas/steps/offer.py).
--
-- The menu's items come from complete_info() at CompleteDonePre (the first MAX_ITEMS of them, each its
-- `word`, what it inserts); at CompleteDone an item was taken when v:completed_item has a word and the
-- text before the caret ends with it (with <C-y>, with <C-n>/<C-p> and typing on; <C-e> restores what was
-- typed: not taken). `range` is then the taken word's place, else the caret. `provider` is the completion's
-- mode (`keyword`, `omni vim.lsp.omnifunc`, ...). An item is an AI's when its `kind` or `menu` names an AI
-- assistant (AI: a source such as a Copilot completion source says so there); the menu itself is not
-- marked as an AI's. Inline (ghost text) suggestions of AI plugins draw virtual text Neovim does not
-- report: they are not seen here.
local M = {}
local api = vim.api

local MAX_ITEMS = 16 -- the bridge keeps as many (schemas/steps/offer.py MAX_ITEMS)
local AI = { 'copilot', 'tabnine', 'codeium', 'windsurf', 'supermaven', 'cody', 'fittencode', 'codegpt' }

local senders = {} -- buf -> function(params)
local shown -- { buf, info }: the menu that is closing (CompleteDonePre)

local function ai_item(item)
  local said = (tostring(item.kind or '') .. ' ' .. tostring(item.menu or '')):lower()
  for _, name in ipairs(AI) do
    if said:find(name, 1, true) then return true end
  end
  return false
end

local function provider(mode)
  if mode == 'omni' and vim.bo.omnifunc == 'v:lua.vim.lsp.omnifunc' then return 'omni vim.lsp.omnifunc' end
  return mode ~= '' and mode or nil
end

local function closed(buf)
  local seen = shown
  shown = nil
  local send = senders[buf]
  if not seen or seen.buf ~= buf or not send then return end
  local items = type(seen.info.items) == 'table' and seen.info.items or {}
  if #items == 0 then return end
  local completed = vim.v.completed_item
  local word = type(completed) == 'table' and completed.word or ''
  local row, col = unpack(api.nvim_win_get_cursor(0))
  local before = api.nvim_get_current_line():sub(1, col)
  local taken
  if word ~= '' and #word <= #before and before:sub(-#word) == word then
    local selected = (seen.info.selected or -1) + 1
    if items[selected] and items[selected].word == word then
      taken = selected
    else
      for i, item in ipairs(items) do
        if item.word == word then taken = i break end
      end
    end
  end
  local keep = math.min(#items, MAX_ITEMS)
  local out = {}
  for i = 1, keep do out[i] = { text = items[i].word or '', ai = ai_item(items[i]) } end
  if taken and taken > keep then -- the one taken is sent in the last place
    out[keep] = { text = items[taken].word or '', ai = ai_item(items[taken]) }
    taken = keep
  end
  local start = taken and col - #word or col
  -- `version`: the buffer's changedtick, the didChange version the range is in (the client may send that
  -- didChange after this: the bridge waits for it)
  send({ uri = vim.uri_from_bufnr(buf), version = api.nvim_buf_get_changedtick(buf), row = row - 1,
    from = start, to = col, detail = 'nvim:CompleteDone',
    provider = provider(seen.info.mode or ''), items = out, more = #items - keep,
    decision = taken and 'accepted' or 'not_taken', taken = taken and taken - 1 or nil })
end

--- Report the buffer's completion menus; `send(params)` turns row/from/to (bytes) into a range and sends.
function M.attach(buf, send)
  senders[buf] = send
  local group = api.nvim_create_augroup('codetape-offers-' .. buf, { clear = true })
  api.nvim_create_autocmd('CompleteDonePre', { group = group, buffer = buf, callback = function()
    shown = { buf = buf, info = vim.fn.complete_info({ 'items', 'selected', 'mode' }) }
  end })
  api.nvim_create_autocmd('CompleteDone', { group = group, buffer = buf, callback = function() closed(buf) end })
end

function M.detach(buf)
  senders[buf] = nil
  pcall(api.nvim_del_augroup_by_name, 'codetape-offers-' .. buf)
end

return M
