// One tANS decoder lane, cycle for cycle the hls model hls/ans/ans_lane.hpp
// (AnsLane::cycle). Per clock it decodes one symbol when the bit buffer holds
// the symbol's bits and the output register is free:
//   lookup   entry_q = table[state]: the table RAM is read with the NEXT state
//            as its address, only when the state changes, so the RAM's address
//            register is the state register (no separate state flip-flops)
//   extract  two funnel shifters over the ring of buffer words: peek from
//            raw_pos = read position - keep_lo, so that peek bit i is the raw
//            bit that lands at output bit i for i in [keep_lo, keep_hi) (the
//            bits below keep_lo are consumed ones, masked off); and from one
//            bit below the state bits (state_pos = raw_pos + keep_hi +
//            has_sign, the raw field's end) the raw field's last bit (the
//            sign when the entry has one) and the state bits. The raw field's
//            length is never formed or stored: has_sign is a carry in
//   advance  state = next_base + state bits; read position = state_pos + num_bits
//   merge    output = peek at [keep_lo, keep_hi) | the other bits from the
//            entry's pattern bits, or for a REPEAT from the word
//            repeat_distance lane symbols back (history RAM) | the sign at bit
//            pattern_bits-1 when the entry has one
// The Init phase reads the first table_log bits as the state through the same
// datapath (start_i clears entry_q: no raw field, next_base 0, and num_bits
// becomes table_log).
//
// Resources (what keeps a lane small):
//   bit buffer  WindowWords word slots used as a ring: word k of the stream
//               goes to slot k mod WindowWords and never moves. Two positions
//               count modulo two rings: rd_q, the stream bits consumed, and
//               wr_q, the words taken. The funnels read the ring at rd_q (its
//               first bits repeated above its top, so a field may cross the
//               wrap); a word whose bits are all consumed is free at once, so
//               there is no word count or drop logic, only the differences
//               wr_q - rd_q / 32 (words held) and end - 32 * wr_q (enough bits)
//   adders      on carry chains, each 6-input LUT taking one operand bit with
//               the logic in front of it (the state mask); the register
//               operand goes first, on the chain's DI input, written as
//               a - ~b - 1 because yosys's alumacc orders the operands of
//               a + b itself (but for state_pos, a sum of three: see there)
//   count       step_counter: an up-counter of decoded symbols compared with
//               cfg_count_i; the lane is finished when they are equal, and a
//               finished lane in Run ends in Done or, when the state after its
//               last symbol (zero_q) was not 0, in FinalState, both visible in
//               the cycle after the last symbol as in the model
//   history     a ring of repeat_distance words in LUT-RAM, read and written at
//               ring_pointer's pointer: the word read is the one written
//               repeat_distance symbols before, and the pointer's first wrap
//               says that there is one
//   hierarchy   funnel_shift, step_counter and ring_pointer are kept as modules
//               by synthesis (keep_hierarchy): flattened into the lane, ABC's
//               delay-first mapping duplicates logic across them
//
// Table word (W = PatternWidth): {ws_pkg::table_ctrl_t, pattern[W-2:0]}, the
// contract's layout (golden/contract/hw_contract.json), written by
// golden/codec/lane_setup.hpp. Registers: ws_pkg::ans_cfg_t.
//
// Limits the golden setup keeps (outside them the lane may differ from the
// model; the assertions at the end check each): keep_lo <= keep_hi <=
// RawBitsMax - 1 in every entry (RawBitsMax, the longest raw field, is 11 for
// W = 16: fp16's sign and 10 fraction bits; 24 for W = 32: fp32's), so that
// peek covers every kept bit; pattern_bits 16 or 32 and <= W, REPEAT entries
// with pattern bits 0, no sign and only with repeat_enable, next states
// inside the table, 1 <= repeat_distance <= HistoryDepth with
// repeat_enable (a table_slot not aligned to the table's size reads address
// state | table_slot * 2^TableSlotLog, as the model does: the token factory
// refuses it), the slots of the table RAM the lane reads (cfg_i.table_slot)
// written before start_i (others may be written while it decodes), and cfg_i and cfg_count_i static from start_i until the
// lane has no more words (has_more_o low). WindowWords is a power of two, at
// least 2, and at least 4 for W = 32 (a 36-bit symbol can span three words).
// start_i restarts the lane whatever it is doing; the inputs of that cycle
// are ignored. out_word_o keeps its last value while out_valid_o is low (the
// model's out_word(); undefined before the first symbol).
`include "ws_assert.svh"
module ans_lane #(
  parameter int PatternWidth = 16,
  parameter int WindowWords  = PatternWidth > 16 ? 4 : 2,
  parameter int HistoryDepth = 64,
  parameter int CountWidth   = ws_pkg::LaneCountWidth
) (
  input  logic                                         clk_i,
  input  logic                                         rst_ni,
  input  ws_pkg::ans_cfg_t                             cfg_i,
  input  logic [CountWidth-1:0]                        cfg_count_i,
  input  logic                                         table_we_i,
  input  logic [ws_pkg::TableLogMax-1:0]               table_addr_i,
  input  logic [PatternWidth+ws_pkg::TableCtrlBits-2:0] table_data_i,
  input  logic                                         start_i,
  input  logic                                         in_valid_i,
  output logic                                         in_ready_o,
  input  logic [ws_pkg::StreamWordBits-1:0]            in_word_i,
  input  logic                                         in_last_i,
  output logic                                         out_valid_o,
  input  logic                                         out_ready_i,
  output logic [PatternWidth-1:0]                      out_word_o,
  output logic                                         has_more_o,
  output ws_pkg::lane_error_e                          error_o,
  output logic                                         stall_input_o,
  output logic                                         stall_refill_o,
  output logic                                         stall_output_o,
  output logic                                         decoded_o
);
  localparam int W            = PatternWidth;
  localparam int TableLog     = ws_pkg::TableLogMax;
  localparam int TableBits    = W - 1 + ws_pkg::TableCtrlBits;
  localparam int RawBitsMax   = W > 16 ? 24 : W - 5;
  localparam int KeepWidth    = $clog2(RawBitsMax);  // holds keep_lo and keep_hi, 0 .. RawBitsMax - 1
  localparam int RingBits     = WindowWords * 32;
  localparam int RingLog      = $clog2(RingBits);
  // The read and write positions count modulo two rings: the words held
  // (0 .. WindowWords) and end - 32 * wr_q in words (-WindowWords .. 1, a
  // symbol reads at most 36 bits) fit their differences.
  localparam int PosWidth     = RingLog + 1;
  localparam int WrWidth      = PosWidth - 5;
  localparam int HistLog      = $clog2(HistoryDepth);
  localparam int DistWidth    = $clog2(HistoryDepth + 1);

  `WS_ASSERT_STATIC(g_pattern_width, PatternWidth == 16 || PatternWidth == 32,
                    "ans_lane: PatternWidth must be 16 or 32")
  `WS_ASSERT_STATIC(g_window_words, WindowWords >= (PatternWidth > 16 ? 4 : 2) && WindowWords <= 4 &&
                                    (WindowWords & (WindowWords - 1)) == 0,
                    "ans_lane: WindowWords must be 2 or 4 (4 for PatternWidth 32)")
  `WS_ASSERT_STATIC(g_history_depth, HistoryDepth >= 2 && HistoryDepth < (1 << ws_pkg::AnsCfgRepeatDistanceWidth),
                    "ans_lane: HistoryDepth must be at least 2 and fit the repeat_distance register")
  `WS_ASSERT_STATIC(g_count_width, CountWidth >= 1 && CountWidth <= ws_pkg::LaneCountWidth,
                    "ans_lane: CountWidth must be 1..LaneCountWidth")

  // ---------------------------------------------------------------- registers
  logic                     init_q, run_q;        // the phase: Init, Run, else off (Idle, Done, Error)
  ws_pkg::lane_error_e      error_q;
  logic [PosWidth-1:0]      rd_q;                 // read position: stream bits consumed
  logic [WrWidth-1:0]       wr_q;                 // write position: stream words taken
  logic                     last_taken_q;
  logic [31:0]              slot_q [WindowWords];
  logic                     zero_q;               // the state after the last symbol is 0
  logic                     out_valid_q;
  logic [W-1:0]             out_word_q;
  logic [TableBits-1:0]     entry_q;

  // ------------------------------------------------------------ table RAM
  logic [TableBits-1:0] table_mem [1 << TableLog];
  logic                 state_en;
  logic [TableLog-1:0]  next_state;
  logic [TableLog-1:0]  table_raddr;  // the state in the slot cfg_i.table_slot picks

  assign table_raddr = next_state | (TableLog'(cfg_i.table_slot) << ws_pkg::TableSlotLog);

  always_ff @(posedge clk_i) begin
    if (table_we_i) table_mem[table_addr_i] <= table_data_i;
  end

  always_ff @(posedge clk_i) begin
    if (start_i)       entry_q <= '0;
    else if (state_en) entry_q <= table_mem[table_raddr];
  end

  // ------------------------------------------------------------ history RAM
  logic [W-1:0]       hist_mem [HistoryDepth];
  logic [HistLog-1:0] hist_ptr;
  logic               hist_ok;              // repeat_distance symbols decoded since start_i
  logic               decode;
  logic [W-1:0] word;
  logic [W-1:0] above;

  always_ff @(posedge clk_i) begin
    if (decode) hist_mem[hist_ptr] <= word;
  end
  assign above = hist_mem[hist_ptr];

  // ------------------------------------------------------------ decode
  ws_pkg::table_ctrl_t             entry_ctrl;  // the table word: {ctrl, pattern bits}
  logic [W-2:0]                    high;
  logic                            finished, rep, has_sign;
  logic [ws_pkg::NumBitsWidth-1:0] num_bits, nbits_eff;
  logic [TableLog-1:0]             next_base;
  logic [KeepWidth-1:0]            keep_lo, keep_hi;
  logic [RawBitsMax-2:0]           peek;  // peek[i]: the raw bit for output bit i, i in [keep_lo, keep_hi)
  logic [TableLog:0]               state_window;
  logic [TableLog-1:0]             state_bits, state_mask, state_add;
  logic [PosWidth-1:0]             raw_pos, state_pos, end_pos;
  logic                 enough, word_arrives, out_taken, out_free;
  logic                 active, starved, advance_init, try_decode, too_early;

  step_counter #(
    .Width (CountWidth)
  ) u_count (
    .clk_i,
    .start_i,
    .step_i  (decode),
    .limit_i (cfg_count_i),
    .done_o  (finished)
  );
  assign active    = (init_q || run_q) && !finished;
  assign {entry_ctrl, high} = entry_q;
  assign num_bits  = entry_ctrl.num_bits;
  assign next_base = entry_ctrl.next_base;
  assign rep       = entry_ctrl.repeat_symbol;
  assign has_sign  = entry_ctrl.has_sign;
  // keep_hi <= RawBitsMax - 1 (an assumption below): the bits above KeepWidth are 0.
  assign keep_lo   = KeepWidth'(entry_ctrl.keep_lo);
  assign keep_hi   = KeepWidth'(entry_ctrl.keep_hi);

  // Init reads table_log state bits and no raw field (entry_q is clear).
  // raw_pos = rd - keep_lo (may point into consumed bits), state_pos = rd +
  // the raw field (the state bits), end_pos = the read position after this
  // symbol.
  assign nbits_eff = num_bits | (init_q ? cfg_i.table_log : '0);
  assign raw_pos   = rd_q - PosWidth'(keep_lo);
  // Written as a plain sum: measured 5 LUTs a lane fewer than the a - ~b - c
  // form the other adders take.
  assign state_pos = raw_pos + PosWidth'(keep_hi) + PosWidth'(has_sign);
  assign end_pos   = PosWidth'(nbits_eff) + state_pos;

  // Enough bits: end_pos <= 32 * wr_q.
  logic [WrWidth-1:0] end_words;
  assign end_words = end_pos[PosWidth-1:5] - wr_q;
  assign enough    = end_words[WrWidth-1] || (end_words == '0 && end_pos[4:0] == 5'd0);

  logic [RingBits-1:0] ring;
  for (genvar i = 0; i < WindowWords; i++) begin : g_ring
    assign ring[i*32 +: 32] = slot_q[i];
  end
  // The kept bits, from raw_pos (the ring's first bits repeated above its top,
  // so that the window may cross the wrap): every kept bit is below
  // keep_hi <= RawBitsMax - 1. A raw field's last bit, the sign, is read with
  // the state bits.
  funnel_shift #(
    .InWidth    (RingBits + RawBitsMax - 2),
    .OutWidth   (RawBitsMax - 1),
    .ShiftWidth (RingLog)
  ) u_raw (
    .in_i    ({ring[RawBitsMax-3:0], ring}),
    .shift_i (raw_pos[RingLog-1:0]),
    .out_o   (peek)
  );
  // From one bit below the state bits (the ring seen one bit up: bit 0 of the
  // funnel's input is the ring's top bit), so that bit 0 is the raw field's
  // last bit: the sign when the entry has one.
  funnel_shift #(
    .InWidth    (RingBits + TableLog),
    .OutWidth   (TableLog + 1),
    .ShiftWidth (RingLog)
  ) u_state_bits (
    .in_i    ({ring[TableLog-2:0], ring, ring[RingBits-1]}),
    .shift_i (state_pos[RingLog-1:0]),
    .out_o   (state_window)
  );
  assign state_bits = state_window[TableLog:1];
  assign state_mask = ~({TableLog{1'b1}} << nbits_eff);
  assign state_add  = state_bits & state_mask;
  assign next_state = next_base - ~state_add - TableLog'(1);  // next_base + state_add

  logic [WrWidth-1:0] words;
  assign words        = wr_q - rd_q[PosWidth-1:5];
  assign in_ready_o   = words < WrWidth'(WindowWords) && !last_taken_q && active;
  assign word_arrives = in_valid_i && in_ready_o;
  assign out_taken    = out_valid_q && out_ready_i;
  assign out_free     = !out_valid_q || out_taken;

  assign starved      = active && !enough;
  assign advance_init = init_q && !finished && enough;
  assign try_decode   = run_q && !finished && enough && out_free;
  assign too_early    = try_decode && rep && !hist_ok;
  assign decode       = try_decode && !too_early;
  assign state_en     = advance_init || decode;

  // The merge: the output word of this symbol. The kept bits [keep_lo,
  // keep_hi) come from peek, the others from the entry's pattern bits or, for
  // a REPEAT, from the history; the sign, when the entry has one, goes to bit
  // pattern_bits-1. A REPEAT entry has no pattern bits, so the history word
  // is ORed in rather than chosen (fewer LUTs).
  logic [W-1:0] keep_mask, sign_word;
  logic         sign;
  for (genvar i = 0; i < W; i++) begin : g_merge
    if (i < RawBitsMax - 1) begin : g_raw
      assign keep_mask[i] = keep_lo <= KeepWidth'(i) && keep_hi > KeepWidth'(i);
    end else begin : g_no_raw
      assign keep_mask[i] = 1'b0;
    end
    if ((i + 1) % 16 == 0) begin : g_sign
      assign sign_word[i] = sign && has_sign && (W < 32 || cfg_i.pattern_bits == 6'(i + 1));
    end else begin : g_no_sign
      assign sign_word[i] = 1'b0;
    end
  end
  assign sign = state_window[0];
  assign word = keep_mask & W'(peek) | ~keep_mask & ({1'b0, high} | above & {W{rep}}) | sign_word;

  // The bit buffer: an arriving word goes to slot wr mod WindowWords.
  always_ff @(posedge clk_i) begin
    for (int i = 0; i < WindowWords; i++) begin
      if (word_arrives && wr_q[RingLog-6:0] == (RingLog-5)'(i)) slot_q[i] <= in_word_i;
    end
  end

  always_ff @(posedge clk_i) begin
    if (start_i) begin
      rd_q <= '0;
    end else if (state_en) begin
      rd_q <= end_pos;
    end
  end
  always_ff @(posedge clk_i) begin
    if (start_i) begin
      wr_q <= '0;
    end else if (word_arrives) begin
      wr_q <= wr_q + WrWidth'(1);
    end
  end

  // The history ring wraps after repeat_distance symbols.
  ring_pointer #(
    .PtrWidth    (HistLog),
    .LengthWidth (DistWidth)
  ) u_hist_ptr (
    .clk_i,
    .start_i,
    .step_i   (decode),
    .length_i (DistWidth'(cfg_i.repeat_distance)),
    .ptr_o    (hist_ptr),
    .full_o   (hist_ok)
  );

  always_ff @(posedge clk_i) begin
    if (decode) begin
      zero_q     <= next_state == '0;
      out_word_q <= word;
    end
  end

  // Phase and error. Init and Run are one flip-flop each (neither: Idle, Done
  // or Error, told apart by error_q).
  logic init_d, run_d, out_valid_d, last_taken_d;
  ws_pkg::lane_error_e error_d;
  always_comb begin
    init_d       = init_q && !(finished || enough || last_taken_q);
    run_d        = advance_init || (run_q && !finished && !(starved && last_taken_q) && !too_early);
    error_d      = error_q;
    if (starved && last_taken_q) error_d = ws_pkg::LaneErrStreamEndsEarly;
    if (too_early) error_d = ws_pkg::LaneErrRepeatTooEarly;
    if (run_q && finished && !zero_q) error_d = ws_pkg::LaneErrFinalState;
    last_taken_d = word_arrives ? in_last_i : last_taken_q;
    out_valid_d  = decode || (out_valid_q && !out_taken);
    if (start_i) begin
      init_d       = 1'b1;
      run_d        = 1'b0;
      error_d      = ws_pkg::LaneErrNone;
      last_taken_d = 1'b0;
      out_valid_d  = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      init_q       <= 1'b0;
      run_q        <= 1'b0;
      error_q      <= ws_pkg::LaneErrNone;
      last_taken_q <= 1'b0;
      out_valid_q  <= 1'b0;
    end else begin
      init_q       <= init_d;
      run_q        <= run_d;
      error_q      <= error_d;
      last_taken_q <= last_taken_d;
      out_valid_q  <= out_valid_d;
    end
  end

  assign out_valid_o    = out_valid_q;
  assign out_word_o     = out_word_q;
  assign has_more_o     = out_valid_q || active;
  assign error_o        = (run_q && finished && !zero_q) ? ws_pkg::LaneErrFinalState : error_q;
  assign stall_input_o  = starved && !last_taken_q && !word_arrives;
  assign stall_refill_o = starved && !last_taken_q && word_arrives;
  assign stall_output_o = run_q && !finished && enough && !out_free;
  assign decoded_o      = decode;

  // ------------------------------------------------------------ checks
`ifndef SYNTHESIS
  // The stream rules: the producer's on the input (it may withdraw a word a
  // lane that stopped will never take), the lane's own on the output (a
  // restart abandons a waiting word).
  stream_checker #(.Width(ws_pkg::StreamWordBits + 1), .Assume(1'b1)) u_in_check (
    .clk_i, .rst_ni, .clear_i (start_i || !active), .valid_i (in_valid_i), .ready_i (in_ready_o), .data_i ({in_last_i, in_word_i})
  );
  stream_checker #(.Width(W)) u_out_check (
    .clk_i, .rst_ni, .clear_i (start_i), .valid_i (out_valid_o), .ready_i (out_ready_i), .data_i (out_word_o)
  );
  // The registers the host writes: legal at a start_i with symbols to decode,
  // static until the lane is done.
  ws_pkg::ans_cfg_t      cfg_at_start_q;
  logic [CountWidth-1:0] count_at_start_q;
  always_ff @(posedge clk_i) begin
    if (start_i) begin
      cfg_at_start_q   <= cfg_i;
      count_at_start_q <= cfg_count_i;
    end
  end
  `WS_ASSUME(!start_i || cfg_count_i == 0 || (cfg_i.table_log >= 4'(ws_pkg::TableLogMin) && cfg_i.table_log <= 4'(TableLog)),
             "cfg_i.table_log outside TableLogMin..TableLogMax")
  `WS_ASSUME(!start_i || cfg_count_i == 0 || ((cfg_i.pattern_bits == 6'd16 || cfg_i.pattern_bits == 6'd32) &&
                          cfg_i.pattern_bits <= 6'(W)), "cfg_i.pattern_bits is not 16 or 32 or is wider than the lane")
  `WS_ASSUME(!start_i || cfg_count_i == 0 || !cfg_i.repeat_enable || (cfg_i.repeat_distance >= 16'd1 &&
             cfg_i.repeat_distance <= 16'(HistoryDepth)), "cfg_i.repeat_distance outside 1..HistoryDepth")
  `WS_ASSUME(start_i || !has_more_o || (cfg_i == cfg_at_start_q && cfg_count_i == count_at_start_q),
             "configuration changed while the lane was busy")
  // The table, as golden writes it.
  `WS_ASSUME(!decode || !rep || cfg_i.repeat_enable, "a REPEAT table entry without cfg_i.repeat_enable")
  `WS_ASSUME(!state_en || (entry_ctrl.keep_lo <= entry_ctrl.keep_hi &&
                           32'(entry_ctrl.keep_hi) <= 32'(RawBitsMax - 1) && !(rep && (has_sign || high != '0))),
             "a table entry with keep_lo > keep_hi, keep_hi > RawBitsMax - 1, or a REPEAT with a sign or pattern bits")
  `WS_ASSUME(!state_en || (32'(next_state) >> cfg_i.table_log) == 0, "a table entry leads outside the table")
  // The lane's own rules.
  `WS_ASSERT(!(word_arrives && last_taken_q), "took a word after the stream's last")
  `WS_ASSERT(!(init_q || run_q) || words <= WrWidth'(WindowWords), "holds more words than its window")
  `WS_ASSERT(!decode || error_q == ws_pkg::LaneErrNone, "decoded after an error")
  `WS_ASSERT_KNOWN(has_more_o, "has_more_o is unknown")
  `WS_ASSERT_KNOWN(error_o, "error_o is unknown")
  `WS_ASSERT_KNOWN(({stall_input_o, stall_refill_o, stall_output_o}), "a stall output is unknown")
  `WS_ASSERT_KNOWN(decoded_o, "decoded_o is unknown")
`endif
endmodule
