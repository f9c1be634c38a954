// Checks the valid/ready rules of one stream at every rising clock edge out of
// reset: a beat offered and not taken is offered again, with the same data,
// at the next edge (no valid dropped, data stable while it waits); valid and
// ready are never X or Z, nor is data while valid (4-state simulators).
// clear_i (a restart) abandons a waiting beat: at an edge where it is high the
// beat may be withdrawn, and after it nothing waits.
// Assume = 1 marks the environment's side of a stream: a formal proof takes
// the rules as assumptions there; simulation checks them all the same.
// It only checks and drives nothing; instantiate it under `ifndef SYNTHESIS.
`include "ws_assert.svh"
module stream_checker #(
  parameter int Width  = 1,
  parameter bit Assume = 1'b0
) (
  input logic             clk_i,
  input logic             rst_ni,
  input logic             clear_i,
  input logic             valid_i,
  input logic             ready_i,
  input logic [Width-1:0] data_i
);
`ifndef SYNTHESIS
  logic             waiting_q;  // a beat was offered and not taken at the last edge
  logic [Width-1:0] data_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) waiting_q <= 1'b0;
    else         waiting_q <= valid_i && !ready_i && !clear_i;
  end
  always_ff @(posedge clk_i) begin
    data_q <= data_i;
  end

  if (Assume) begin : g_environment
    `WS_ASSUME(!waiting_q || clear_i || valid_i, "valid dropped before its beat was taken")
    `WS_ASSUME(!waiting_q || clear_i || data_i == data_q, "data changed while its beat waited")
  end else begin : g_design
    `WS_ASSERT(!waiting_q || clear_i || valid_i, "valid dropped before its beat was taken")
    `WS_ASSERT(!waiting_q || clear_i || data_i == data_q, "data changed while its beat waited")
  end
  `WS_ASSERT_KNOWN(valid_i, "valid is unknown")
  `WS_ASSERT_KNOWN(ready_i, "ready is unknown")
  `WS_ASSERT_KNOWN_IF(valid_i, data_i, "data is unknown while valid")
`endif
endmodule
