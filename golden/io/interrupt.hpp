// What a SIGINT or SIGTERM leaves behind: nothing. Temporary output files are
// registered while they exist; on either signal the handler deletes every
// registered file and ends the process with 128 + the signal number (130,
// 143), as shells report a command they interrupted. The handler only calls
// async-signal-safe functions (unlink, write, _exit) on fixed buffers.
#pragma once

#include <string>

namespace ws::golden {

// Installs the handlers; call once, early in main().
void install_interrupt_cleanup();

// A temporary file the handler deletes. Returns a slot for forget_temp_file,
// or -1 when every slot is taken (the file then simply is not cleaned up).
int register_temp_file(const std::string& path);
void forget_temp_file(int slot);

}  // namespace ws::golden
