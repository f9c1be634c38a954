// Formal harness for ans_lane (yosys-smtbmc, bounded): every input free, the
// table RAM's contents unconstrained, reset held in the first cycle. The
// assumptions inside the lane hold the environment to its side: the input
// word stream keeps the stream rules, the registers are legal at start_i and
// static while the lane works, the table's entries stay inside the table and
// keep the table word's rules (keep_lo <= keep_hi <= the lane's widest kept
// bit, no sign on a REPEAT), whatever they place where.
// What is proven, for every table and every stream: the output stream keeps
// the stream rules (a word offered and not taken stays, unchanged), no word
// is taken after the stream's last, the bit buffer never holds more words
// than its window, and nothing is decoded after an error.
module ans_lane_formal #(
  parameter int CountWidth = 4
) (
  input logic                                   clk_i,
  input logic                                   rst_ni,
  input ws_pkg::ans_cfg_t                       cfg_i,
  input logic [CountWidth-1:0]                  cfg_count_i,
  input logic                                   table_we_i,
  input logic [ws_pkg::TableLogMax-1:0]         table_addr_i,
  input logic [16+ws_pkg::TableCtrlBits-2:0]    table_data_i,
  input logic                                   start_i,
  input logic                                   in_valid_i,
  input logic [ws_pkg::StreamWordBits-1:0]      in_word_i,
  input logic                                   in_last_i,
  input logic                                   out_ready_i
);
  logic started_q = 1'b0;
  always_ff @(posedge clk_i) started_q <= 1'b1;
  always_comb if (!started_q) assume (!rst_ni);

  ans_lane #(
    .PatternWidth (16),
    .WindowWords  (2),
    .HistoryDepth (4),
    .CountWidth   (CountWidth)
  ) dut (
    .clk_i, .rst_ni, .cfg_i, .cfg_count_i, .table_we_i, .table_addr_i, .table_data_i, .start_i,
    .in_valid_i, .in_ready_o (), .in_word_i, .in_last_i,
    .out_valid_o (), .out_ready_i, .out_word_o (), .has_more_o (), .error_o (),
    .stall_input_o (), .stall_refill_o (), .stall_output_o (), .decoded_o ()
  );
endmodule
