// The token factory, cycle for cycle hls TokenFactory::cycle
// (hls/factory/token_factory.hpp): Lanes ANS decoder lanes of bf16 weights
// (ans_decoder.sv, PatternWidth 16), or the MX source (mx_source.sv: MXFP4
// code words on lane port 0, scale words on lane port 1) -> each row beat of
// weights broadcast -> Slots token slots (token_slots.sv) -> one fp32 result
// beat per matrix row (result_data_o, slot b at [b*32 +: 32]).
//
//   start_i      starts the decoder (cfg_i, cfg_count_i), the MX source and
//                the slots (the run registers rows_i .. block_i) at the same
//                edge
//   source       the run register source_i (latched at the start) picks the
//                weights: 0 the ANS lanes, 1 the MX source (2 and 3 are
//                configuration errors, with the ANS path wired as for 0).
//                The other path sees no input and no ready: in MX mode the
//                decoder's in_valid and in_last are 0 and its row ready 0,
//                and the lane outputs in_ready_o and stall_input_o are the
//                MX source's on lanes 0 (codes) and 1 (scales), 0 on the
//                others, stall_refill_o, stall_output_o and decoded_o 0;
//                lane_error_o is the decoder's in both modes
//   rows         the slots' ready is the source's row ready: a row is taken
//                when the source offers it and the slots are ready (busy,
//                and the result register free or read at this edge)
//   lane errors  a lane that has stopped with an error (the decoder's
//                lane_error_o, its registered state) stops the run with
//                error Lane
//   loads        the ANS table (cfg_i.table_slot: from table_slot *
//                2^TableSlotLog) and the activation banks (act_half_i: from
//                BankDepth/2) are read from a part of their RAM while other
//                parts may be written: the next jobs' loads overlap this one.
//                A table slot not a multiple of the table's size, or
//                act_half_i with a period above BankDepth/2, is a
//                configuration error
//   activations  act_we_i writes act_data_i (slot b's bf16 at [b*16 +: 16])
//                to lane act_lane_i's bank at act_addr_i: lane k's bank
//                holds at address a the activations of column (a*L + k) mod
//                cols, for period = cols / gcd(cols, L) addresses
//
// Widths of the run registers: rows 24 bits, cols and block FactoryColBits,
// period $clog2(BankDepth+1), lanes $clog2(Lanes+2), slots $clog2(Slots+2)
// (one above the largest legal value fits: a bad configuration), source
// SourceBits = 2 (one bit would select the two sources; two let the values
// 2 and 3 be rejected as the hls model rejects source > 1). Counters: 48
// bits. Lane buses are flat vectors, lane k at [k*Width +: Width], as
// ans_decoder's. Lanes: 2 .. 8 (mx_source: a beat's codes fill one stream
// word, the scales come on lane port 1).
`include "ws_assert.svh"
module token_factory #(
  parameter int Lanes     = 8,
  parameter int Slots     = 16,
  parameter int BankDepth = 256,
  parameter int RowBits     = 24,
  parameter int PeriodBits  = $clog2(BankDepth + 1),
  parameter int LaneCntBits = $clog2(Lanes + 2),
  parameter int SlotCntBits = $clog2(Slots + 2),
  parameter int SourceBits  = 2,
  parameter int AddrBits    = BankDepth > 1 ? $clog2(BankDepth) : 1,
  parameter int LaneIdxBits = Lanes > 1 ? $clog2(Lanes) : 1,
  parameter int CounterBits = 48
) (
  input  logic                                      clk_i,
  input  logic                                      rst_ni,
  // ANS decoder: configuration, table, lane streams
  input  ws_pkg::ans_cfg_t                          cfg_i,
  input  logic [Lanes*ws_pkg::LaneCountWidth-1:0]   cfg_count_i,
  input  logic                                      table_we_i,
  input  logic [ws_pkg::TableLogMax-1:0]            table_addr_i,
  input  logic [16+ws_pkg::TableCtrlBits-2:0]       table_data_i,
  input  logic [Lanes-1:0]                          in_valid_i,
  output logic [Lanes-1:0]                          in_ready_o,
  input  logic [Lanes*ws_pkg::StreamWordBits-1:0]   in_word_i,
  input  logic [Lanes-1:0]                          in_last_i,
  output logic [Lanes*ws_pkg::LaneErrorWidth-1:0]   lane_error_o,
  output logic [Lanes-1:0]                          stall_input_o,
  output logic [Lanes-1:0]                          stall_refill_o,
  output logic [Lanes-1:0]                          stall_output_o,
  output logic [Lanes-1:0]                          decoded_o,
  // the start pulse and the run registers
  input  logic                                      start_i,
  input  logic [RowBits-1:0]                        rows_i,
  input  logic [ws_pkg::FactoryColBits-1:0]         cols_i,
  input  logic [PeriodBits-1:0]                     period_i,
  input  logic [LaneCntBits-1:0]                    lanes_i,
  input  logic [SlotCntBits-1:0]                    slots_i,
  input  logic [SourceBits-1:0]                     source_i,  // 0 ANS lanes, 1 MX source
  input  logic [ws_pkg::FactoryColBits-1:0]         block_i,   // MX: weights a scale covers
  input  logic                                      act_half_i, // banks read from BankDepth/2 on
  // activation banks
  input  logic                                      act_we_i,
  input  logic [LaneIdxBits-1:0]                    act_lane_i,
  input  logic [AddrBits-1:0]                       act_addr_i,
  input  logic [Slots*16-1:0]                       act_data_i,
  // results
  output logic                                      result_valid_o,
  input  logic                                      result_ready_i,
  output logic [Slots*32-1:0]                       result_data_o,
  // status and counters
  output logic                                      busy_o,
  output logic                                      done_o,
  output ws_pkg::factory_error_e                    error_o,
  output logic [CounterBits-1:0]                    busy_cycles_o,
  output logic [CounterBits-1:0]                    stall_input_count_o,
  output logic [CounterBits-1:0]                    stall_output_count_o,
  output logic [CounterBits-1:0]                    weights_o,
  output logic [CounterBits-1:0]                    macs_o
);
  localparam int ErrorBits = ws_pkg::LaneErrorWidth;
  localparam int WordBits  = ws_pkg::StreamWordBits;

  `WS_ASSERT_STATIC(g_lanes, Lanes >= 1 && Lanes <= ws_pkg::MaxLanes, "token_factory: Lanes must be 1..MaxLanes")
  `WS_ASSERT_STATIC(g_slots, Slots >= 1, "token_factory: Slots must be at least 1")
  `WS_ASSERT_STATIC(g_bank_depth, BankDepth >= 1, "token_factory: BankDepth must be at least 1")

  // ---------------------------------------------------------------- the source register
  logic mx_mode_q, mx_mode_d;  // the run reads the MX source

  assign mx_mode_d = start_i ? source_i == SourceBits'(1) : mx_mode_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mx_mode_q <= 1'b0;
    end else begin
      mx_mode_q <= mx_mode_d;
    end
  end

  // ---------------------------------------------------------------- the ANS lanes
  logic                row_valid, row_ready, lane_error;
  logic [Lanes-1:0]    row_mask;
  logic [Lanes*16-1:0] row_words;
  logic                unused_decoder_busy;
  logic [Lanes-1:0]    dec_in_valid, dec_in_last, dec_in_ready;
  logic [Lanes-1:0]    dec_stall_input, dec_stall_refill, dec_stall_output, dec_decoded;
  logic                dec_valid, dec_ready;
  logic [Lanes-1:0]    dec_mask;
  logic [Lanes*16-1:0] dec_words;

  assign dec_in_valid = mx_mode_q ? '0 : in_valid_i;
  assign dec_in_last  = mx_mode_q ? '0 : in_last_i;
  assign dec_ready    = !mx_mode_q && row_ready;

  ans_decoder #(
    .Lanes        (Lanes),
    .PatternWidth (16)
  ) u_decoder (
    .clk_i,
    .rst_ni,
    .cfg_i,
    .cfg_count_i,
    .table_we_i,
    .table_addr_i,
    .table_data_i,
    .start_i,
    .in_valid_i     (dec_in_valid),
    .in_ready_o     (dec_in_ready),
    .in_word_i,
    .in_last_i      (dec_in_last),
    .out_valid_o    (dec_valid),
    .out_ready_i    (dec_ready),
    .out_mask_o     (dec_mask),
    .out_words_o    (dec_words),
    .busy_o         (unused_decoder_busy),
    .lane_error_o,
    .stall_input_o  (dec_stall_input),
    .stall_refill_o (dec_stall_refill),
    .stall_output_o (dec_stall_output),
    .decoded_o      (dec_decoded)
  );

  // ---------------------------------------------------------------- the MX source
  logic                mx_valid, mx_code_ready, mx_code_stall, mx_scale_ready;
  logic [Lanes-1:0]    mx_mask;
  logic [Lanes*16-1:0] mx_words;

  mx_source #(
    .Lanes   (Lanes),
    .RowBits (RowBits),
    .ColBits (ws_pkg::FactoryColBits)
  ) u_mx (
    .clk_i,
    .rst_ni,
    .start_i,
    .enable_i      (source_i == SourceBits'(1)),
    .rows_i,
    .cols_i,
    .block_i,
    .code_valid_i  (in_valid_i[0]),
    .code_ready_o  (mx_code_ready),
    .code_word_i   (in_word_i[0 +: WordBits]),
    .code_stall_o  (mx_code_stall),
    .scale_valid_i (in_valid_i[1]),
    .scale_ready_o (mx_scale_ready),
    .scale_word_i  (in_word_i[WordBits +: WordBits]),
    .out_valid_o   (mx_valid),
    .out_ready_i   (row_ready),  // active only in MX mode
    .out_mask_o    (mx_mask),
    .out_words_o   (mx_words)
  );

  // ---------------------------------------------------------------- the source mux
  always_comb begin
    row_valid      = dec_valid;
    row_mask       = dec_mask;
    row_words      = dec_words;
    in_ready_o     = dec_in_ready;
    stall_input_o  = dec_stall_input;
    stall_refill_o = dec_stall_refill;
    stall_output_o = dec_stall_output;
    decoded_o      = dec_decoded;
    if (mx_mode_q) begin
      row_valid      = mx_valid;
      row_mask       = mx_mask;
      row_words      = mx_words;
      in_ready_o     = Lanes'({mx_scale_ready, mx_code_ready});
      stall_input_o  = Lanes'(mx_code_stall);
      stall_refill_o = '0;
      stall_output_o = '0;
      decoded_o      = '0;
    end
  end

  // Any lane stopped with an error (the lanes' registered state).
  always_comb begin
    lane_error = 1'b0;
    for (int k = 0; k < Lanes; k++) begin
      lane_error = lane_error || lane_error_o[k*ErrorBits +: ErrorBits] != ws_pkg::LaneErrNone;
    end
  end

  token_slots #(
    .Lanes       (Lanes),
    .Slots       (Slots),
    .BankDepth   (BankDepth),
    .RowBits     (RowBits),
    .PeriodBits  (PeriodBits),
    .LaneCntBits (LaneCntBits),
    .SlotCntBits (SlotCntBits),
    .SourceBits  (SourceBits),
    .AddrBits    (AddrBits),
    .LaneIdxBits (LaneIdxBits),
    .CounterBits (CounterBits)
  ) u_slots (
    .clk_i,
    .rst_ni,
    .start_i,
    .rows_i,
    .cols_i,
    .period_i,
    .lanes_i,
    .slots_i,
    .source_i,
    .block_i,
    .act_half_i,
    // a table of log L above TableSlotLog starts at a multiple of its size
    .source_bad_i (source_i != SourceBits'(1) && ((32'(cfg_i.table_slot) << ws_pkg::TableSlotLog) &
                                                  ((32'd1 << cfg_i.table_log) - 32'd1)) != 0),
    .act_we_i,
    .act_lane_i,
    .act_addr_i,
    .act_data_i,
    .row_valid_i    (row_valid),
    .row_ready_o    (row_ready),
    .row_mask_i     (row_mask),
    .row_words_i    (row_words),
    .lane_error_i   (lane_error),
    .result_valid_o,
    .result_ready_i,
    .result_data_o,
    .busy_o,
    .done_o,
    .error_o,
    .busy_cycles_o,
    .stall_input_o  (stall_input_count_o),
    .stall_output_o (stall_output_count_o),
    .weights_o,
    .macs_o
  );
endmodule
