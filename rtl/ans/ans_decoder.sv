// Lanes ANS decoder lanes behind one row output, cycle for cycle the hls
// model hls/ans/ans_decoder.hpp (AnsDecoder::cycle). Each clock, when every
// lane that still has words (has_more) holds one, and at least one does, a
// row leaves: out_mask_o marks the lanes in it (the last rows of a tensor may
// be partial) and every lane in it pops its word when out_ready_i is high.
// Weight r*Lanes + k of a tensor is lane k's word in row r. The table and the
// configuration registers go to all lanes at once; lane k decodes
// cfg_count_i[k*CountWidth +: CountWidth] symbols (0: the lane stays idle).
// out_words_o of a lane outside out_mask_o holds that lane's last word (the
// model reports 0 there).
module ans_decoder #(
  parameter int Lanes        = 8,
  parameter int PatternWidth = 16,
  parameter int WindowWords  = PatternWidth > 16 ? 4 : 2,
  parameter int HistoryDepth = 64,
  parameter int CountWidth   = 32
) (
  input  logic                              clk_i,
  input  logic                              rst_ni,
  input  logic [5:0]                        cfg_pattern_bits_i,
  input  logic [3:0]                        cfg_table_log_i,
  input  logic [4:0]                        cfg_raw_bits_i,
  input  logic [4:0]                        cfg_low_bits_i,
  input  logic                              cfg_repeat_i,
  input  logic [4:0]                        cfg_repeat_raw_bits_i,
  input  logic [$clog2(HistoryDepth+1)-1:0] cfg_repeat_distance_i,
  input  logic [Lanes*CountWidth-1:0]       cfg_count_i,
  input  logic                              table_we_i,
  input  logic [11:0]                       table_addr_i,
  input  logic [PatternWidth+15:0]          table_data_i,
  input  logic                              start_i,
  input  logic [Lanes-1:0]                  in_valid_i,
  output logic [Lanes-1:0]                  in_ready_o,
  input  logic [Lanes*32-1:0]               in_word_i,
  input  logic [Lanes-1:0]                  in_last_i,
  output logic                              out_valid_o,
  input  logic                              out_ready_i,
  output logic [Lanes-1:0]                  out_mask_o,
  output logic [Lanes*PatternWidth-1:0]     out_words_o,
  output logic                              busy_o,
  output logic [Lanes*2-1:0]                lane_error_o,
  output logic [Lanes-1:0]                  stall_input_o,
  output logic [Lanes-1:0]                  stall_refill_o,
  output logic [Lanes-1:0]                  stall_output_o,
  output logic [Lanes-1:0]                  decoded_o
);
  logic [Lanes-1:0] lane_valid, lane_has_more, lane_ok;
  logic             row_taken;

  for (genvar k = 0; k < Lanes; k++) begin : g_lane
    ans_lane #(
      .PatternWidth (PatternWidth),
      .WindowWords  (WindowWords),
      .HistoryDepth (HistoryDepth),
      .CountWidth   (CountWidth)
    ) u_lane (
      .clk_i,
      .rst_ni,
      .cfg_pattern_bits_i,
      .cfg_table_log_i,
      .cfg_raw_bits_i,
      .cfg_low_bits_i,
      .cfg_repeat_i,
      .cfg_repeat_raw_bits_i,
      .cfg_repeat_distance_i,
      .cfg_count_i     (cfg_count_i[k*CountWidth +: CountWidth]),
      .table_we_i,
      .table_addr_i,
      .table_data_i,
      .start_i,
      .in_valid_i      (in_valid_i[k]),
      .in_ready_o      (in_ready_o[k]),
      .in_word_i       (in_word_i[k*32 +: 32]),
      .in_last_i       (in_last_i[k]),
      .out_valid_o     (lane_valid[k]),
      .out_ready_i     (row_taken),
      .out_word_o      (out_words_o[k*PatternWidth +: PatternWidth]),
      .has_more_o      (lane_has_more[k]),
      .error_o         (lane_error_o[k*2 +: 2]),
      .stall_input_o   (stall_input_o[k]),
      .stall_refill_o  (stall_refill_o[k]),
      .stall_output_o  (stall_output_o[k]),
      .decoded_o       (decoded_o[k])
    );
    assign lane_ok[k] = lane_error_o[k*2 +: 2] == 2'd0;
  end

  // A row is complete when no lane that will still produce a word lacks one.
  assign out_mask_o  = lane_valid;
  assign out_valid_o = ~|(lane_has_more & ~lane_valid) && |lane_valid;
  assign row_taken   = out_valid_o && out_ready_i;
  assign busy_o      = |(lane_has_more & lane_ok);
endmodule
