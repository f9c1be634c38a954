// Lanes ANS decoder lanes behind one row output, cycle for cycle the hls
// model hls/ans/ans_decoder.hpp (AnsDecoder::cycle). Each clock, when every
// lane that still has words (has_more) holds one, and at least one does, a
// row leaves: out_mask_o marks the lanes in it (the last rows of a tensor may
// be partial) and every lane in it pops its word when out_ready_i is high.
// Weight r*Lanes + k of a tensor is lane k's word in row r. The table and the
// configuration registers (ws_pkg::ans_cfg_t) go to all lanes at once; lane k
// decodes cfg_count_i[k] symbols (0: the lane stays idle). out_words_o of a
// lane outside out_mask_o holds that lane's last word (the model reports 0
// there).
//
// Lane buses are flat vectors, lane k at [k*Width +: Width]: yosys 0.23
// reads no multi-dimensional packed arrays and Icarus 11 no arrays of a
// typedef in a port, and both must read this module.
`include "ws_assert.svh"
module ans_decoder #(
  parameter int Lanes        = 8,
  parameter int PatternWidth = 16,
  parameter int WindowWords  = PatternWidth > 16 ? 4 : 2,
  parameter int HistoryDepth = 64,
  parameter int CountWidth   = ws_pkg::LaneCountWidth
) (
  input  logic                                         clk_i,
  input  logic                                         rst_ni,
  input  ws_pkg::ans_cfg_t                             cfg_i,
  input  logic [Lanes*CountWidth-1:0]                  cfg_count_i,
  input  logic                                         table_we_i,
  input  logic [ws_pkg::TableLogMax-1:0]               table_addr_i,
  input  logic [PatternWidth+ws_pkg::TableCtrlBits-2:0] table_data_i,
  input  logic                                         start_i,
  input  logic [Lanes-1:0]                             in_valid_i,
  output logic [Lanes-1:0]                             in_ready_o,
  input  logic [Lanes*ws_pkg::StreamWordBits-1:0]      in_word_i,
  input  logic [Lanes-1:0]                             in_last_i,
  output logic                                         out_valid_o,
  input  logic                                         out_ready_i,
  output logic [Lanes-1:0]                             out_mask_o,
  output logic [Lanes*PatternWidth-1:0]                out_words_o,
  output logic                                         busy_o,
  output logic [Lanes*ws_pkg::LaneErrorWidth-1:0]      lane_error_o,
  output logic [Lanes-1:0]                             stall_input_o,
  output logic [Lanes-1:0]                             stall_refill_o,
  output logic [Lanes-1:0]                             stall_output_o,
  output logic [Lanes-1:0]                             decoded_o
);
  localparam int WordBits  = ws_pkg::StreamWordBits;
  localparam int ErrorBits = ws_pkg::LaneErrorWidth;

  `WS_ASSERT_STATIC(g_lanes, Lanes >= 1 && Lanes <= ws_pkg::MaxLanes, "ans_decoder: Lanes must be 1..MaxLanes")

  logic [Lanes-1:0] lane_valid, lane_has_more, lane_ok;
  logic             row_taken;

  for (genvar k = 0; k < Lanes; k++) begin : g_lane
    ws_pkg::lane_error_e error;
    ans_lane #(
      .PatternWidth (PatternWidth),
      .WindowWords  (WindowWords),
      .HistoryDepth (HistoryDepth),
      .CountWidth   (CountWidth)
    ) u_lane (
      .clk_i,
      .rst_ni,
      .cfg_i,
      .cfg_count_i     (cfg_count_i[k*CountWidth +: CountWidth]),
      .table_we_i,
      .table_addr_i,
      .table_data_i,
      .start_i,
      .in_valid_i      (in_valid_i[k]),
      .in_ready_o      (in_ready_o[k]),
      .in_word_i       (in_word_i[k*WordBits +: WordBits]),
      .in_last_i       (in_last_i[k]),
      .out_valid_o     (lane_valid[k]),
      .out_ready_i     (row_taken),
      .out_word_o      (out_words_o[k*PatternWidth +: PatternWidth]),
      .has_more_o      (lane_has_more[k]),
      .error_o         (error),
      .stall_input_o   (stall_input_o[k]),
      .stall_refill_o  (stall_refill_o[k]),
      .stall_output_o  (stall_output_o[k]),
      .decoded_o       (decoded_o[k])
    );
    assign lane_error_o[k*ErrorBits +: ErrorBits] = error;
    assign lane_ok[k] = error == ws_pkg::LaneErrNone;
  end

  // A row is complete when no lane that will still produce a word lacks one.
  assign out_mask_o  = lane_valid;
  assign out_valid_o = ~|(lane_has_more & ~lane_valid) && |lane_valid;
  assign row_taken   = out_valid_o && out_ready_i;
  assign busy_o      = |(lane_has_more & lane_ok);

`ifndef SYNTHESIS
  // The row stream keeps the stream rules (a restart abandons a waiting row).
  // Only the lanes in the row carry data: an idle lane's word is undefined
  // (X under Icarus until its first symbol).
  logic [Lanes*PatternWidth-1:0] row_words;
  for (genvar k = 0; k < Lanes; k++) begin : g_row_words
    assign row_words[k*PatternWidth +: PatternWidth] = out_mask_o[k] ? out_words_o[k*PatternWidth +: PatternWidth] : '0;
  end
  stream_checker #(.Width(Lanes * (PatternWidth + 1))) u_out_check (
    .clk_i, .rst_ni, .clear_i (start_i), .valid_i (out_valid_o), .ready_i (out_ready_i),
    .data_i ({out_mask_o, row_words})
  );
`endif
endmodule
