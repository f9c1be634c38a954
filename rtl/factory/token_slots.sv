// The token factory's slots, cycle for cycle hls TokenSlots
// (hls/factory/token_slots.hpp): Slots token slots (token_slot.sv) take each
// row beat of up to Lanes decoded bf16 weights (the ANS decoder's row
// stream) and multiply-accumulate every weight with their own activation,
// exactly; one fp32 result beat (a word per slot) leaves per matrix row.
//
//   run registers  rows, cols, period, slots latched by the start pulse,
//                  which also checks them with lanes, source and block
//                  (error Config: done at once) and reads every bank at
//                  address 0. source (0 the ANS lanes, 1 the MX source) and
//                  block (MX: weights a scale covers) are only checked here:
//                  source must be 0 or 1, and for 1 block must be nonzero
//                  (the MX source, mx_source.sv, latches it; token_factory
//                  the source). act_half (the banks are read from
//                  BankDepth/2 on, so that the other half can be written
//                  meanwhile; period at most BankDepth/2) is latched;
//                  source_bad_i (the source's own registers are bad) is a
//                  configuration error too
//   row in         a beat is taken (row_valid_i && row_ready_o) while busy
//                  when the result register is free or read at this edge;
//                  col is the column of lane 0's weight: lane k's is in the
//                  current row when col + k < cols, else it starts the next
//   activations    lane k's bank (activation_bank.sv) holds at address a the
//                  Slots activations of column (a*L + k) mod cols; the beats
//                  read addresses 0, 1, .. period-1, 0, .. (plus
//                  BankDepth/2 with act_half); the read is
//                  registered: the edge that takes a beat reads the next
//                  beat's word
//   stop           done when `rows` results have left, or at once with
//                  error Operand (an operand of a taken beat is inf, NaN or
//                  too large) or Lane (lane_error_i, while busy; it overrides
//                  an Operand error of the same edge)
//   counters       busy cycles, busy cycles without a beat offered, beats
//                  refused (result register full), weights taken, and
//                  weights times slots in use; 48 bits each, cleared by start
//
// Port widths: rows 24 bits (hls kRowBits), cols and block FactoryColBits,
// period $clog2(BankDepth+1), lanes $clog2(Lanes+2) and slots
// $clog2(Slots+2) (so that a value one above the largest legal one, or the
// all-ones value the engine drives for a value that does not fit, reads as a
// bad configuration), source SourceBits = 2 (1 would do for the two sources;
// 2 and 3 are rejected as the hls model rejects source > 1; block's 2^ColBits
// and up, which the hls model rejects, do not fit the port). Lane and slot
// buses are flat vectors: lane k at [k*Width +: Width], slot b at
// [b*Width +: Width].
`include "ws_assert.svh"
module token_slots #(
  parameter int Lanes     = 8,
  parameter int Slots     = 16,
  parameter int BankDepth = 256,
  parameter int RowBits      = 24,
  parameter int PeriodBits   = $clog2(BankDepth + 1),
  parameter int LaneCntBits  = $clog2(Lanes + 2),
  parameter int SlotCntBits  = $clog2(Slots + 2),
  parameter int SourceBits   = 2,
  parameter int AddrBits     = BankDepth > 1 ? $clog2(BankDepth) : 1,
  parameter int LaneIdxBits  = Lanes > 1 ? $clog2(Lanes) : 1,
  parameter int CounterBits  = 48
) (
  input  logic                            clk_i,
  input  logic                            rst_ni,
  // run registers, latched at the start pulse
  input  logic                            start_i,
  input  logic [RowBits-1:0]              rows_i,
  input  logic [ws_pkg::FactoryColBits-1:0] cols_i,
  input  logic [PeriodBits-1:0]           period_i,
  input  logic [LaneCntBits-1:0]          lanes_i,
  input  logic [SlotCntBits-1:0]          slots_i,
  input  logic [SourceBits-1:0]           source_i,  // checked only
  input  logic [ws_pkg::FactoryColBits-1:0] block_i, // checked only
  input  logic                            act_half_i,
  input  logic                            source_bad_i,
  // activation bank write port
  input  logic                            act_we_i,
  input  logic [LaneIdxBits-1:0]          act_lane_i,
  input  logic [AddrBits-1:0]             act_addr_i,
  input  logic [Slots*16-1:0]             act_data_i,
  // the row stream of decoded weights
  input  logic                            row_valid_i,
  output logic                            row_ready_o,
  input  logic [Lanes-1:0]                row_mask_i,
  input  logic [Lanes*16-1:0]             row_words_i,
  input  logic                            lane_error_i,  // an ANS lane stopped with an error
  // the result stream
  output logic                            result_valid_o,
  input  logic                            result_ready_i,
  output logic [Slots*32-1:0]             result_data_o,
  // status
  output logic                            busy_o,
  output logic                            done_o,
  output ws_pkg::factory_error_e          error_o,
  output logic [CounterBits-1:0]          busy_cycles_o,
  output logic [CounterBits-1:0]          stall_input_o,
  output logic [CounterBits-1:0]          stall_output_o,
  output logic [CounterBits-1:0]          weights_o,
  output logic [CounterBits-1:0]          macs_o
);
  localparam int ColBits     = ws_pkg::FactoryColBits;
  localparam int ShiftBits   = $clog2(ws_pkg::FactoryExpMax - ws_pkg::FactoryExpMin);
  localparam int AccBits     = ws_pkg::FactoryAccBits;
  localparam int WeightBits  = $clog2(Lanes + 1);  // weights in a beat: 0 .. Lanes
  localparam int ActBits     = Slots * 16;

  `WS_ASSERT_STATIC(g_lanes, Lanes >= 1 && Lanes <= ws_pkg::MaxLanes, "token_slots: Lanes must be 1..MaxLanes")
  `WS_ASSERT_STATIC(g_slots, Slots >= 1, "token_slots: Slots must be at least 1")
  `WS_ASSERT_STATIC(g_bank_depth, BankDepth >= 1 && (1 << AddrBits) >= BankDepth && PeriodBits >= AddrBits &&
                                  (1 << PeriodBits) > BankDepth,
                    "token_slots: BankDepth must be at least 1 and the address and period widths must hold it")
  `WS_ASSERT_STATIC(g_widths, RowBits >= 1 && RowBits <= CounterBits && (1 << LaneCntBits) > Lanes + 1 &&
                              (1 << SlotCntBits) > Slots + 1 && (1 << LaneIdxBits) >= Lanes,
                    "token_slots: the register widths must hold their largest value and one above")
  `WS_ASSERT_STATIC(g_source, SourceBits >= 1, "token_slots: SourceBits must be at least 1")
  `WS_ASSERT_STATIC(g_cols, Lanes < (1 << ColBits), "token_slots: a row must be able to hold Lanes weights")

  // ---------------------------------------------------------------- registers
  logic                          busy_q, done_q, result_valid_q;
  ws_pkg::factory_error_e        error_q;
  logic [ColBits-1:0]            col_q, cols_q;
  logic [AddrBits-1:0]           address_q;
  logic [PeriodBits-1:0]         period_q;
  logic                          act_half_q;
  logic [RowBits-1:0]            rows_q, rows_out_q;
  logic [SlotCntBits-1:0]        slots_q;
  logic [CounterBits-1:0]        busy_cycles_q, stall_input_q, stall_output_q, weights_q, macs_q;

  // ---------------------------------------------------------------- the beat
  logic                  ready, take, row_ends, operand_error;
  logic [WeightBits-1:0] weights;
  logic [ColBits:0]      col_sum;
  logic [Lanes-1:0]      current;

  assign ready = busy_q && (!result_valid_q || result_ready_i);
  assign take  = row_valid_i && ready;

  always_comb begin
    weights = '0;
    for (int k = 0; k < Lanes; k++) weights = weights + WeightBits'(row_mask_i[k]);
  end
  assign col_sum  = {1'b0, col_q} + (ColBits + 1)'(weights);
  assign row_ends = col_sum >= {1'b0, cols_q};
  for (genvar k = 0; k < Lanes; k++) begin : g_current
    assign current[k] = {1'b0, col_q} + (ColBits + 1)'(k) < {1'b0, cols_q};
  end

  // The weights, decoded once for every slot.
  logic [Lanes-1:0]           w_negative, w_error;
  logic [Lanes*8-1:0]         w_sig;
  logic [Lanes*ShiftBits-1:0] w_shift;
  for (genvar k = 0; k < Lanes; k++) begin : g_weight
    bf16_operand #(.ShiftBits(ShiftBits)) u_weight (
      .bf16_i     (row_words_i[k*16 +: 16]),
      .negative_o (w_negative[k]),
      .sig_o      (w_sig[k*8 +: 8]),
      .shift_o    (w_shift[k*ShiftBits +: ShiftBits]),
      .error_o    (w_error[k])
    );
  end

  // ---------------------------------------------------------------- banks
  logic                  bank_re, act_half_d;
  logic [AddrBits-1:0]   address_d, bank_raddr;
  logic [Lanes*ActBits-1:0] act_word;  // the banks' read registers, lane k at [k*ActBits +: ActBits]

  assign bank_re    = start_i || take;
  assign bank_raddr = act_half_d ? address_d + AddrBits'(BankDepth / 2) : address_d;
  for (genvar k = 0; k < Lanes; k++) begin : g_bank
    activation_bank #(.Depth(BankDepth), .Width(ActBits), .AddrBits(AddrBits)) u_bank (
      .clk_i,
      .we_i    (act_we_i && act_lane_i == LaneIdxBits'(k)),
      .waddr_i (act_addr_i),
      .wdata_i (act_data_i),
      .re_i    (bank_re),
      .raddr_i (bank_raddr),
      .rdata_o (act_word[k*ActBits +: ActBits])
    );
  end

  // ---------------------------------------------------------------- slots
  logic [Slots-1:0] act_error;
  for (genvar b = 0; b < Slots; b++) begin : g_slot
    logic [Lanes*16-1:0] act;  // slot b's activation of each lane
    for (genvar k = 0; k < Lanes; k++) begin : g_lane
      assign act[k*16 +: 16] = act_word[k*ActBits + b*16 +: 16];
    end
    token_slot #(.Lanes(Lanes), .ShiftBits(ShiftBits), .AccBits(AccBits)) u_slot (
      .clk_i,
      .start_i,
      .take_i       (take),
      .row_ends_i   (row_ends),
      .mask_i       (row_mask_i),
      .current_i    (current),
      .w_negative_i (w_negative),
      .w_sig_i      (w_sig),
      .w_shift_i    (w_shift),
      .act_i        (act),
      .act_error_o  (act_error[b]),
      .result_o     (result_data_o[b*32 +: 32])
    );
  end
  assign operand_error = |(w_error & row_mask_i) || |act_error;

  // ---------------------------------------------------------------- control
  logic                   bad_config;
  logic                   busy_d, done_d, result_valid_d;
  ws_pkg::factory_error_e error_d;
  logic [ColBits-1:0]     col_d, cols_d;
  logic [PeriodBits-1:0]  period_d, address_next;
  logic [RowBits-1:0]     rows_d, rows_out_d;
  logic [SlotCntBits-1:0] slots_d;
  logic [CounterBits-1:0] busy_cycles_d, stall_input_d, stall_output_d, weights_d, macs_d;

  assign bad_config = rows_i == '0 || lanes_i == '0 || 32'(lanes_i) > Lanes || 32'(cols_i) < 32'(lanes_i) ||
                      period_i == '0 || 32'(period_i) > BankDepth || slots_i == '0 || 32'(slots_i) > Slots ||
                      32'(source_i) > 1 || (32'(source_i) == 1 && block_i == '0) ||
                      (act_half_i && 32'(period_i) > BankDepth / 2) || source_bad_i;
  assign address_next = PeriodBits'(address_q) + PeriodBits'(1);
  // weights times slots in use: a narrow multiplier
  logic [WeightBits+SlotCntBits-1:0] beat_macs;
  assign beat_macs = (WeightBits + SlotCntBits)'(weights) * (WeightBits + SlotCntBits)'(slots_q);

  always_comb begin
    busy_d         = busy_q;
    done_d         = done_q;
    error_d        = error_q;
    result_valid_d = result_valid_q && !result_ready_i;
    col_d          = col_q;
    address_d      = address_q;
    rows_out_d     = rows_out_q;
    cols_d         = cols_q;
    rows_d         = rows_q;
    period_d       = period_q;
    act_half_d     = act_half_q;
    slots_d        = slots_q;
    busy_cycles_d  = busy_cycles_q;
    stall_input_d  = stall_input_q;
    stall_output_d = stall_output_q;
    weights_d      = weights_q;
    macs_d         = macs_q;

    if (busy_q) begin
      busy_cycles_d = busy_cycles_q + CounterBits'(1);
      if (!row_valid_i) stall_input_d = stall_input_q + CounterBits'(1);
      if (row_valid_i && !ready) stall_output_d = stall_output_q + CounterBits'(1);
    end
    if (take) begin
      if (row_ends) begin
        result_valid_d = 1'b1;
        rows_out_d     = rows_out_q + RowBits'(1);
        col_d          = ColBits'(col_sum - {1'b0, cols_q});
      end else begin
        col_d = ColBits'(col_sum);
      end
      weights_d = weights_q + CounterBits'(weights);
      macs_d    = macs_q + CounterBits'(beat_macs);
      address_d = address_next == period_q ? '0 : AddrBits'(address_next);
      if (operand_error && error_q == ws_pkg::FactoryErrNone) error_d = ws_pkg::FactoryErrOperand;
    end
    if (busy_q && lane_error_i) error_d = ws_pkg::FactoryErrLane;
    if (busy_q && (error_d != ws_pkg::FactoryErrNone || (rows_out_d == rows_q && !result_valid_d))) begin
      busy_d = 1'b0;
      done_d = 1'b1;
    end

    if (start_i) begin
      busy_d         = !bad_config;
      done_d         = bad_config;
      error_d        = ws_pkg::FactoryErrNone;
      if (bad_config) error_d = ws_pkg::FactoryErrConfig;
      result_valid_d = 1'b0;
      col_d          = '0;
      address_d      = '0;
      rows_out_d     = '0;
      rows_d         = rows_i;
      cols_d         = cols_i;
      period_d       = period_i;
      act_half_d     = act_half_i;
      slots_d        = slots_i;
      busy_cycles_d  = '0;
      stall_input_d  = '0;
      stall_output_d = '0;
      weights_d      = '0;
      macs_d         = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q         <= 1'b0;
      done_q         <= 1'b0;
      error_q        <= ws_pkg::FactoryErrNone;
      result_valid_q <= 1'b0;
      col_q          <= '0;
      address_q      <= '0;
      rows_out_q     <= '0;
      rows_q         <= '0;
      cols_q         <= '0;
      period_q       <= '0;
      act_half_q     <= 1'b0;
      slots_q        <= '0;
      busy_cycles_q  <= '0;
      stall_input_q  <= '0;
      stall_output_q <= '0;
      weights_q      <= '0;
      macs_q         <= '0;
    end else begin
      busy_q         <= busy_d;
      done_q         <= done_d;
      error_q        <= error_d;
      result_valid_q <= result_valid_d;
      col_q          <= col_d;
      address_q      <= address_d;
      rows_out_q     <= rows_out_d;
      rows_q         <= rows_d;
      cols_q         <= cols_d;
      period_q       <= period_d;
      act_half_q     <= act_half_d;
      slots_q        <= slots_d;
      busy_cycles_q  <= busy_cycles_d;
      stall_input_q  <= stall_input_d;
      stall_output_q <= stall_output_d;
      weights_q      <= weights_d;
      macs_q         <= macs_d;
    end
  end

  assign row_ready_o    = ready;
  assign result_valid_o = result_valid_q;
  assign busy_o         = busy_q;
  assign done_o         = done_q;
  assign error_o        = error_q;
  assign busy_cycles_o  = busy_cycles_q;
  assign stall_input_o  = stall_input_q;
  assign stall_output_o = stall_output_q;
  assign weights_o      = weights_q;
  assign macs_o         = macs_q;

`ifndef SYNTHESIS
  // The run keeps the hls model's invariants; the result stream keeps the
  // stream rules (a start abandons a waiting beat).
  `WS_ASSERT(!busy_q || col_q < cols_q, "token_slots: col out of its row")
  `WS_ASSERT(!busy_q || PeriodBits'(address_q) < period_q, "token_slots: bank address out of the period")
  `WS_ASSERT(!(busy_q && done_q), "token_slots: busy and done")
  stream_checker #(.Width(Slots * 32)) u_result_check (
    .clk_i, .rst_ni, .clear_i (start_i), .valid_i (result_valid_o), .ready_i (result_ready_i),
    .data_i (result_data_o)
  );
`endif
endmodule
