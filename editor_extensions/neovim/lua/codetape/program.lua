-- The codetape program when setup() names none: `codetape` on PATH, else where its installer put it (a
-- Neovim started from a desktop never read ~/.bashrc, so its PATH may lack that directory).
local M = {}

--- The directories installers put commands in, absolute ones each once: uv's tool bin directory in uv's
--- order ($UV_TOOL_BIN_DIR, $XDG_BIN_HOME, $XDG_DATA_HOME/../bin), pipx's $PIPX_BIN_DIR, and ~/.local/bin
--- (the default of pip --user, pipx and uv). `getenv` reads a variable (os.getenv).
function M.install_dirs(getenv, home)
  local function set(value) return value ~= nil and value ~= '' and value or nil end
  local data = set(getenv('XDG_DATA_HOME'))
  local candidates = { set(getenv('UV_TOOL_BIN_DIR')), set(getenv('XDG_BIN_HOME')), data and data .. '/../bin',
    set(getenv('PIPX_BIN_DIR')), set(home) and home .. '/.local/bin' }
  local dirs, seen = {}, {}
  for i = 1, 5 do -- (a nil among them ends ipairs)
    local dir = candidates[i]
    if dir and dir:sub(1, 1) == '/' then
      dir = vim.fn.simplify(dir):gsub('(.)/+$', '%1')
      if not seen[dir] then
        seen[dir] = true
        table.insert(dirs, dir)
      end
    end
  end
  return dirs
end

--- The codetape command: its path on PATH or in an install directory; else nil and the directories looked
--- in after PATH.
function M.find(getenv, home)
  local on_path = vim.fn.exepath('codetape')
  if on_path ~= '' then return on_path end
  local dirs = M.install_dirs(getenv, home)
  for _, dir in ipairs(dirs) do
    if vim.fn.executable(dir .. '/codetape') == 1 then return dir .. '/codetape' end
  end
  return nil, dirs
end

return M
