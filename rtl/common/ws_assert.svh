// Assertion macros: one spelling for every tool the project runs the RTL on.
//   Simulation (Verilator with --assert, Icarus) checks them and prints the
//   instance and the message of each failure; yosys-smtbmc proves them
//   (read_verilog -formal defines FORMAL); synthesis leaves them out (yosys
//   defines SYNTHESIS).
//   `WS_ASSERT_STATIC(name, cond, msg)   parameter legality, at elaboration
//   `WS_ASSERT(cond, msg)                every rising clk_i edge out of reset (rst_ni high)
//   `WS_ASSUME(cond, msg)                the same; an assumption in a formal proof
//   `WS_ASSERT_KNOWN(sig, msg)           no X or Z bit after reset (4-state simulators)
//   `WS_ASSERT_KNOWN_IF(cond, sig, msg)  the same while cond holds
// The cycle macros expect clk_i and rst_ni in scope.
`ifndef WS_ASSERT_SVH
`define WS_ASSERT_SVH

`ifdef __ICARUS__
// Icarus 11 runs no system task at elaboration: the check runs at time 0.
`define WS_ASSERT_STATIC(name, cond, msg) \
  initial begin : name \
    if (!(cond)) $fatal(1, "%m: %s", msg); \
  end
`else
`define WS_ASSERT_STATIC(name, cond, msg) \
  if (!(cond)) begin : name \
    $error(msg); \
  end
`endif

`ifdef SYNTHESIS
`define WS_ASSERT(cond, msg)
`define WS_ASSUME(cond, msg)
`define WS_ASSERT_KNOWN(sig, msg)
`define WS_ASSERT_KNOWN_IF(cond, sig, msg)
`elsif FORMAL
// yosys reads no action blocks; X does not exist in a formal model.
`define WS_ASSERT(cond, msg) always @(posedge clk_i) if (rst_ni) assert (cond);
`define WS_ASSUME(cond, msg) always @(posedge clk_i) if (rst_ni) assume (cond);
`define WS_ASSERT_KNOWN(sig, msg)
`define WS_ASSERT_KNOWN_IF(cond, sig, msg)
`else
`define WS_ASSERT(cond, msg) \
  always @(posedge clk_i) if (rst_ni) assert (cond) else $error("%m: %s", msg);
`define WS_ASSUME(cond, msg) `WS_ASSERT(cond, msg)
`define WS_ASSERT_KNOWN(sig, msg) `WS_ASSERT(!$isunknown(sig), msg)
`define WS_ASSERT_KNOWN_IF(cond, sig, msg) `WS_ASSERT(!(cond) || !$isunknown(sig), msg)
`endif

`endif  // WS_ASSERT_SVH
