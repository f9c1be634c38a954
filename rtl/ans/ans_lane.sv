// One tANS decoder lane, cycle for cycle the hls model hls/ans/ans_lane.hpp
// (AnsLane::cycle). Per clock it decodes one symbol when the bit buffer holds
// the symbol's bits and the output register is free:
//   lookup   entry_q = table[state]: the table RAM is read with the NEXT state
//            as its address, only when the state changes, so the RAM's address
//            register is the state register (no separate state flip-flops)
//   extract  two funnel shifters over the ring of buffer words: the raw field
//            from the read position, and from one bit below the state bits
//            (read position + raw_bits - 1 of the entry's kind) the raw sign
//            and the state bits
//   advance  state = next_base + state bits; pointer += raw_bits + num_bits
//   merge    output = pattern bits | low raw bits | raw sign at bit
//            pattern_bits-1; a REPEAT takes the word repeat_distance lane
//            symbols back (history RAM) above its raw field
// The Init phase reads the first table_log bits as the state through the same
// datapath (no raw field; start_i clears entry_q, so next_base is 0 and
// num_bits is table_log).
//
// Resources (what keeps a lane small):
//   bit buffer  WindowWords word slots used as a ring: an arriving word is
//               written into the free slot after the used ones and never
//               moves; the read position is {head slot, pointer into it}, and
//               the funnels rotate the ring (its first OutWidth-1 bits repeated
//               above its top), so a dropped word costs only head + 1
//   count       an up-counter of decoded symbols (reset by start_i, no load
//               multiplexer) compared with cfg_count_i; the lane is finished
//               when they are equal, and a finished lane in Run ends in Done or,
//               when the state after its last symbol (zero_q) was not 0, in
//               FinalState, both visible in the cycle after the last symbol as
//               in the model
//   history     a ring of repeat_distance words: the word read at the ring
//               pointer is the one written repeat_distance symbols before, and
//               the first wrap of the pointer says that there is one
//
// Table word (W = PatternWidth): [W-2:0] pattern bits, [W+2:W-1] num_bits,
// [W+14:W+3] next_base, [W+15] REPEAT (golden/codec/lane_setup.hpp).
//
// Limits the golden setup keeps (outside them the lane may differ from the
// model): raw_bits and repeat_raw_bits <= RawBitsMax (11 for W = 16: fp16's
// sign and 10 fraction bits; 24 for W = 32: fp32's), num_bits <= 12,
// raw_bits = low_bits + 1 (the sign above the low fraction bits),
// pattern_bits 16 or 32 and <= W, REPEAT entries with pattern bits 0, next
// state < 4096, 1 <= repeat_distance <= HistoryDepth when the table has
// REPEAT entries, the table written before start_i, and the cfg_* inputs
// static from start_i until the lane has no more words (has_more_o low).
// WindowWords is a power of two, at least 2, and at least 4 for W = 32 (a
// 36-bit symbol can span three words).
// start_i restarts the lane whatever it is doing; the inputs of that cycle
// are ignored. out_word_o keeps its last value while out_valid_o is low (the
// model's out_word(); undefined before the first symbol).
module ans_lane #(
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
  input  logic [CountWidth-1:0]             cfg_count_i,
  input  logic                              table_we_i,
  input  logic [11:0]                       table_addr_i,
  input  logic [PatternWidth+15:0]          table_data_i,
  input  logic                              start_i,
  input  logic                              in_valid_i,
  output logic                              in_ready_o,
  input  logic [31:0]                       in_word_i,
  input  logic                              in_last_i,
  output logic                              out_valid_o,
  input  logic                              out_ready_i,
  output logic [PatternWidth-1:0]           out_word_o,
  output logic                              has_more_o,
  output logic [1:0]                        error_o,
  output logic                              stall_input_o,
  output logic                              stall_refill_o,
  output logic                              stall_output_o,
  output logic                              decoded_o
);
  localparam int W            = PatternWidth;
  localparam int TableBits    = W + 16;
  localparam int RawBitsMax   = W > 16 ? 24 : W - 5;
  localparam int PeekBits     = RawBitsMax + 12;           // the most bits one symbol reads
  localparam int RingBits     = WindowWords * 32;
  localparam int RingLog      = $clog2(RingBits);
  localparam int HeadWidth    = RingLog - 5;
  // With at most 32 bits a symbol, one dropped word a clock keeps the pointer
  // below 32; wider symbols can leave it up to RingBits-32, as in the model.
  localparam int PtrMax       = PeekBits > 32 ? RingBits - 32 : 31;
  localparam int PtrWidth     = $clog2(PtrMax + 1);
  localparam int SumWidth     = $clog2(PtrMax + PeekBits + 1);
  localparam int WordsWidth   = $clog2(WindowWords + 1);
  localparam int CmpWidth     = WordsWidth + 5 > SumWidth ? WordsWidth + 5 : SumWidth;
  localparam int HistLog      = $clog2(HistoryDepth);
  localparam int DistWidth    = $clog2(HistoryDepth + 1);

  // Idle and Done behave alike: no words, no input.
  localparam logic [1:0] PhaseOff   = 2'd0;
  localparam logic [1:0] PhaseInit  = 2'd1;
  localparam logic [1:0] PhaseRun   = 2'd2;
  localparam logic [1:0] PhaseError = 2'd3;

  localparam logic [1:0] ErrNone        = 2'd0;
  localparam logic [1:0] ErrStreamEnds  = 2'd1;
  localparam logic [1:0] ErrFinalState  = 2'd2;
  localparam logic [1:0] ErrRepeatEarly = 2'd3;

  // ---------------------------------------------------------------- registers
  logic [1:0]               phase_d, phase_q;
  logic [1:0]               error_d, error_q;
  logic [WordsWidth-1:0]    words_d, words_q;
  logic [HeadWidth-1:0]     head_d, head_q;
  logic [PtrWidth-1:0]      pointer_d, pointer_q;
  logic                     last_taken_d, last_taken_q;
  logic [31:0]              slot_q [WindowWords];
  logic [CountWidth-1:0]    produced_q;           // symbols decoded since start_i
  logic                     zero_q;               // the state after the last symbol is 0
  logic [HistLog-1:0]       hist_ptr_q;           // history ring pointer, 0 .. repeat_distance-1
  logic                     hist_ok_q;            // produced >= repeat_distance
  logic                     out_valid_d, out_valid_q;
  logic [W-1:0]             out_word_q;
  logic [TableBits-1:0]     entry_q;              // table[state]

  // ------------------------------------------------------------ table RAM
  logic [TableBits-1:0] table_mem [4096];
  logic                 state_en;
  logic [11:0]          next_state;

  always_ff @(posedge clk_i) begin
    if (table_we_i) table_mem[table_addr_i] <= table_data_i;
  end

  // Cleared by start_i, so that Init sees next_base 0, num_bits 0, no REPEAT.
  always_ff @(posedge clk_i) begin
    if (start_i)       entry_q <= '0;
    else if (state_en) entry_q <= table_mem[next_state];
  end

  // ------------------------------------------------------------ history RAM
  // A ring of repeat_distance words: read and written at the same pointer.
  logic [W-1:0] hist_mem [HistoryDepth];
  logic         decode;
  logic [W-1:0] word;
  logic [W-1:0] above;

  always_ff @(posedge clk_i) begin
    if (decode) hist_mem[hist_ptr_q] <= word;
  end
  assign above = hist_mem[hist_ptr_q];

  // ------------------------------------------------------------ decode
  logic                 finished, is_init, is_run, rep;
  logic [W-2:0]         high;
  logic [3:0]           num_bits;
  logic [11:0]          next_base;
  logic [3:0]           nbits_eff;
  logic                 enough;
  logic [RawBitsMax-1:0] peek;  // the raw field and what follows it
  logic [11:0]          state_bits;
  logic [11:0]          state_mask;
  logic                 word_arrives, out_taken, out_free;
  logic                 starved, advance_init, try_decode, too_early;
  logic [SumWidth-1:0]  pointer_sum, pointer_next;
  logic                 drop;

  assign finished  = produced_q == cfg_count_i;
  assign is_init   = phase_q == PhaseInit && !finished;
  assign is_run    = phase_q == PhaseRun && !finished;
  assign high      = entry_q[W-2:0];
  assign num_bits  = entry_q[W+2:W-1];
  assign next_base = entry_q[W+14:W+3];
  assign rep       = entry_q[W+15];

  // Init reads table_log state bits and no raw field; Run reads the entry's.
  assign nbits_eff = num_bits | (is_init ? cfg_table_log_i : 4'd0);

  // Ring positions: the raw field at {head, pointer}; the state funnel one
  // bit below the state bits (at raw_eff - 1: low_bits for a normal symbol,
  // whose raw field ends in the sign), so that its bit 0 is the sign.
  logic [RingLog-1:0] raw_pos, state_pos, below_state, repeat_below;
  if (PtrWidth > 5) begin : g_wide_ptr
    assign raw_pos = {HeadWidth'(head_q + HeadWidth'(pointer_q[PtrWidth-1:5])), pointer_q[4:0]};
  end else begin : g_narrow_ptr
    assign raw_pos = {head_q, pointer_q};
  end
  assign repeat_below = RingLog'(cfg_repeat_raw_bits_i) - RingLog'(1);
  assign below_state  = is_init ? '1 : (rep ? repeat_below : RingLog'(cfg_low_bits_i));
  assign state_pos    = raw_pos + below_state;

  // pointer_sum = pointer + raw_eff + nbits_eff, the pointer after this symbol.
  if (PtrMax + PeekBits < RingBits) begin : g_end_from_ring
    // It fits the ring's positions: one more adder after state_pos, and the
    // words it crossed from the head.
    logic [RingLog-1:0] end_pos;
    assign end_pos     = state_pos + RingLog'(nbits_eff) + RingLog'(1);
    assign pointer_sum = SumWidth'({HeadWidth'(end_pos[RingLog-1:5] - head_q), end_pos[4:0]});
  end else begin : g_end_from_pointer
    logic [4:0]          raw_eff;
    logic [SumWidth-1:0] need;
    assign raw_eff     = is_init ? 5'd0 : (rep ? cfg_repeat_raw_bits_i : cfg_raw_bits_i);
    assign need        = SumWidth'(raw_eff) + SumWidth'(nbits_eff);
    assign pointer_sum = SumWidth'(pointer_q) + need;
  end
  assign enough = CmpWidth'({words_q, 5'd0}) >= CmpWidth'(pointer_sum);

  // The ring, with its low bits repeated above its top so that a funnel
  // shifter reads across the wrap.
  logic [RingBits-1:0] ring;
  logic [12:0]         state_window;  // [0]: the bit below the state bits
  for (genvar i = 0; i < WindowWords; i++) begin : g_ring
    assign ring[i*32 +: 32] = slot_q[i];
  end
  funnel_shift #(
    .InWidth    (RingBits + RawBitsMax - 1),
    .OutWidth   (RawBitsMax),
    .ShiftWidth (RingLog)
  ) u_raw (
    .in_i    ({ring[RawBitsMax-2:0], ring}),
    .shift_i (raw_pos),
    .out_o   (peek)
  );
  funnel_shift #(
    .InWidth    (RingBits + 12),
    .OutWidth   (13),
    .ShiftWidth (RingLog)
  ) u_state_bits (
    .in_i    ({ring[11:0], ring}),
    .shift_i (state_pos),
    .out_o   (state_window)
  );
  assign state_bits = state_window[12:1];
  assign state_mask = ~(12'hfff << nbits_eff);
  assign next_state = next_base + (state_bits & state_mask);

  assign in_ready_o   = (words_q < WordsWidth'(WindowWords)) && !last_taken_q && (is_init || is_run);
  assign word_arrives = in_valid_i && in_ready_o;
  assign out_taken    = out_valid_q && out_ready_i;
  assign out_free     = !out_valid_q || out_taken;

  assign starved      = (is_init || is_run) && !enough;
  assign advance_init = is_init && enough;
  assign try_decode   = is_run && enough && out_free;
  assign too_early    = try_decode && rep && !hist_ok_q;
  assign decode       = try_decode && !too_early;
  assign state_en     = advance_init || decode;

  // The merge: the output word of this symbol. A normal symbol keeps its low
  // raw bits (below low_bits; the raw field is the sign and those bits) and
  // puts the sign at bit pattern_bits-1; a REPEAT keeps repeat_raw_bits raw
  // bits and takes the rest from the history. REPEAT entries carry no pattern
  // bits, so both OR in the entry's.
  logic [4:0]   keep_bits;
  logic [W-1:0] keep_mask, sign_word;
  logic         sign;
  assign keep_bits = rep ? cfg_repeat_raw_bits_i : cfg_low_bits_i;
  for (genvar i = 0; i < W; i++) begin : g_merge
    assign keep_mask[i] = i < RawBitsMax && {1'b0, keep_bits} > 6'(i);
    // pattern_bits is 16 or 32: the sign sits at bit 15 or bit 31.
    if ((i + 1) % 16 == 0) begin : g_sign
      assign sign_word[i] = sign && !rep && (W < 32 || cfg_pattern_bits_i == 6'(i + 1));
    end else begin : g_no_sign
      assign sign_word[i] = 1'b0;
    end
  end
  assign sign = state_window[0];
  assign word = (W'(peek[RawBitsMax-1:0]) & keep_mask) | ({W{rep}} & above & ~keep_mask) |
                {1'b0, high} | sign_word;

  // The bit buffer: consume, drop a finished word, append the arriving word
  // in the free slot after the used ones.
  assign pointer_next = state_en ? pointer_sum : SumWidth'(pointer_q);
  assign drop         = pointer_next >= SumWidth'(32);

  logic [HeadWidth-1:0] write_slot;
  assign write_slot = HeadWidth'(head_q + HeadWidth'(words_q));
  always_ff @(posedge clk_i) begin
    for (int i = 0; i < WindowWords; i++) begin
      if (word_arrives && write_slot == HeadWidth'(i)) slot_q[i] <= in_word_i;
    end
  end

  // The history ring wraps after repeat_distance symbols.
  logic [DistWidth-1:0] hist_ptr_inc;
  logic                 hist_wrap;
  assign hist_ptr_inc = DistWidth'(hist_ptr_q) + DistWidth'(1);
  assign hist_wrap    = hist_ptr_inc == cfg_repeat_distance_i;

  always_ff @(posedge clk_i) begin
    if (start_i) begin
      produced_q <= '0;
      hist_ok_q  <= 1'b0;
    end else if (decode) begin
      produced_q <= produced_q + CountWidth'(1);
      hist_ok_q  <= hist_ok_q || hist_wrap;
    end
  end

  // Reset like the control registers; only start_i gives it meaning.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      hist_ptr_q <= '0;
    end else if (start_i) begin
      hist_ptr_q <= '0;
    end else if (decode) begin
      hist_ptr_q <= hist_wrap ? '0 : HistLog'(hist_ptr_inc);
    end
  end

  always_ff @(posedge clk_i) begin
    if (decode) begin
      zero_q     <= next_state == 12'd0;
      out_word_q <= word;
    end
  end

  always_comb begin
    phase_d      = phase_q;
    error_d      = error_q;
    words_d      = words_q;
    if (drop && !word_arrives) words_d = words_q - WordsWidth'(1);
    if (!drop && word_arrives) words_d = words_q + WordsWidth'(1);
    head_d       = head_q + HeadWidth'(drop);
    pointer_d    = drop ? PtrWidth'(pointer_next - SumWidth'(32)) : PtrWidth'(pointer_next);
    last_taken_d = word_arrives ? in_last_i : last_taken_q;
    out_valid_d  = decode || (out_valid_q && !out_taken);

    if (starved && last_taken_q) begin
      phase_d = PhaseError;
      error_d = ErrStreamEnds;
    end
    if (advance_init) phase_d = PhaseRun;
    if (too_early) begin
      phase_d = PhaseError;
      error_d = ErrRepeatEarly;
    end
    // Finished: Done, or FinalState after a last symbol that left a state other than 0.
    if (finished && (phase_q == PhaseInit || phase_q == PhaseRun)) begin
      if (phase_q == PhaseRun && !zero_q) begin
        phase_d = PhaseError;
        error_d = ErrFinalState;
      end else begin
        phase_d = PhaseOff;
      end
    end

    if (start_i) begin
      phase_d      = PhaseInit;
      error_d      = ErrNone;
      words_d      = '0;
      head_d       = '0;
      pointer_d    = '0;
      last_taken_d = 1'b0;
      out_valid_d  = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      phase_q      <= PhaseOff;
      error_q      <= ErrNone;
      words_q      <= '0;
      head_q       <= '0;
      pointer_q    <= '0;
      last_taken_q <= 1'b0;
      out_valid_q  <= 1'b0;
    end else begin
      phase_q      <= phase_d;
      error_q      <= error_d;
      words_q      <= words_d;
      head_q       <= head_d;
      pointer_q    <= pointer_d;
      last_taken_q <= last_taken_d;
      out_valid_q  <= out_valid_d;
    end
  end

  assign out_valid_o    = out_valid_q;
  assign out_word_o     = out_word_q;
  assign has_more_o     = out_valid_q || is_init || is_run;
  assign error_o        = (phase_q == PhaseRun && finished && !zero_q) ? ErrFinalState : error_q;
  assign stall_input_o  = starved && !last_taken_q && !word_arrives;
  assign stall_refill_o = starved && !last_taken_q && word_arrives;
  assign stall_output_o = is_run && enough && !out_free;
  assign decoded_o      = decode;
endmodule
