#include "golden/io/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace ws::golden {
namespace {

constexpr int kSlots = 16;
constexpr size_t kPathBytes = 4096;

struct Slot {
  std::atomic<bool> used{false};   // claimed by a writer
  std::atomic<bool> ready{false};  // holds a complete path
  char path[kPathBytes] = {};
};
Slot slots[kSlots];

extern "C" void on_interrupt(int signal_number) {
  for (Slot& slot : slots) {
    if (slot.ready.load()) unlink(slot.path);
  }
  const char* message = signal_number == SIGINT ? "\nweightstream: interrupted; temporary files removed\n"
                                                : "\nweightstream: terminated; temporary files removed\n";
  [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, message, std::strlen(message));
  _exit(128 + signal_number);
}

}  // namespace

void install_interrupt_cleanup() {
  struct sigaction action = {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int register_temp_file(const std::string& path) {
  if (path.size() >= kPathBytes) return -1;
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (slots[i].used.compare_exchange_strong(expected, true)) {
      std::memcpy(slots[i].path, path.c_str(), path.size() + 1);
      slots[i].ready.store(true);
      return i;
    }
  }
  return -1;
}

void forget_temp_file(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  slots[slot].ready.store(false);
  slots[slot].used.store(false);
}

}  // namespace ws::golden
