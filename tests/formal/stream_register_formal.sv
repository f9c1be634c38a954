// Formal harness for stream_register (yosys-smtbmc): every input free, reset
// held in the first cycle. The stream_checker instances inside the register
// assume the producer keeps the stream rules and assert that the register's
// output does; this harness adds that no beat is lost, duplicated or
// reordered: the beats taken in minus the beats given out is the register's
// one slot (0 or 1), out_valid says whether it is full, and a full slot
// holds the last beat taken in.
`include "ws_assert.svh"
module stream_register_formal #(
  parameter int Width = 4
) (
  input logic             clk_i,
  input logic             rst_ni,
  input logic             in_valid_i,
  input logic [Width-1:0] in_data_i,
  input logic             out_ready_i
);
  logic             in_ready, out_valid;
  logic [Width-1:0] out_data;

  stream_register #(.Width(Width)) dut (
    .clk_i, .rst_ni,
    .in_valid_i, .in_ready_o (in_ready), .in_data_i,
    .out_valid_o (out_valid), .out_ready_i, .out_data_o (out_data)
  );

  logic started_q = 1'b0;
  always_ff @(posedge clk_i) started_q <= 1'b1;
  always_comb if (!started_q) assume (!rst_ni);

  logic [1:0]       held_q;     // beats taken in minus beats given out
  logic [Width-1:0] last_in_q;  // the last beat taken in
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) held_q <= '0;
    else         held_q <= held_q + 2'(in_valid_i && in_ready) - 2'(out_valid && out_ready_i);
  end
  always_ff @(posedge clk_i) begin
    if (in_valid_i && in_ready) last_in_q <= in_data_i;
  end

  `WS_ASSERT(held_q <= 2'd1, "more beats in the register than its one slot")
  `WS_ASSERT(out_valid == (held_q == 2'd1), "out_valid disagrees with the beats held")
  `WS_ASSERT(!out_valid || out_data == last_in_q, "the beat given out is not the last one taken in")
endmodule
