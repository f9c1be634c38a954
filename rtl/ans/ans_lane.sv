// One tANS decoder lane, cycle for cycle the hls model hls/ans/ans_lane.hpp
// (AnsLane::cycle). Per clock it decodes one symbol when the bit buffer holds
// the symbol's bits and the output register is free:
//   lookup   entry_q = table[state]: the table RAM is read with the NEXT state
//            as its address, only when the state changes, so the RAM's address
//            register is the state register (no separate state flip-flops)
//   extract  two funnel shifters over the first buffer words: the raw field
//            from the read pointer, the state bits from the pointer plus the
//            raw field's width (raw_bits of the entry's kind)
//   advance  state = next_base + state bits; pointer += raw_bits + num_bits
//   merge    output = pattern bits | low raw bits | raw sign at bit
//            pattern_bits-1; a REPEAT takes the word repeat_distance lane
//            symbols back (history RAM) above its raw field
// The Init phase reads the first table_log bits as the state through the same
// datapath (no raw field; start_i clears entry_q, so next_base is 0 and
// num_bits is table_log).
//
// Table word (W = PatternWidth): [W-2:0] pattern bits, [W+2:W-1] num_bits,
// [W+14:W+3] next_base, [W+15] REPEAT (golden/codec/lane_setup.hpp).
//
// Limits the golden setup keeps (outside them the lane may differ from the
// model): raw_bits and repeat_raw_bits <= RawBitsMax (11 for W = 16: fp16's
// sign and 10 fraction bits; 24 for W = 32: fp32's), num_bits <= 12,
// raw_bits = low_bits + 1 (the sign above the low fraction bits),
// pattern_bits 16 or 32 and <= W, REPEAT entries with pattern bits 0, next
// state < 4096, the table written before start_i.
// start_i restarts the lane whatever it is doing; the inputs of that cycle
// are ignored. out_word_o keeps its last value while out_valid_o is low (the
// model's out_word(); undefined before the first symbol).
module ans_lane #(
  parameter int PatternWidth = 16,
  parameter int WindowWords  = 3,
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
  // With at most 32 bits a symbol, one dropped word a clock keeps the pointer
  // below 32; wider symbols can leave it up to (WindowWords-1)*32, as in the model.
  localparam int PtrWidth     = PeekBits > 32 ? $clog2((WindowWords - 1) * 32 + 1) : 5;
  localparam int PtrLimit     = PeekBits > 32 ? (WindowWords - 1) * 32 : 31;
  localparam int NeedWords    = (PtrLimit + PeekBits + 31) / 32;
  localparam int FunnelWords  = WindowWords < NeedWords ? WindowWords : NeedWords;
  localparam int FunnelIn     = FunnelWords * 32 < PtrLimit + PeekBits ? FunnelWords * 32 : PtrLimit + PeekBits;
  localparam int RawIn        = FunnelIn < PtrLimit + RawBitsMax ? FunnelIn : PtrLimit + RawBitsMax;
  localparam int StateShiftWidth = $clog2(PtrLimit + RawBitsMax + 1);
  localparam int WordsWidth   = $clog2(WindowWords + 1);
  localparam int SumWidth     = (PtrWidth > 6 ? PtrWidth : 6) + 1;
  localparam int CmpWidth     = WordsWidth + 5 > SumWidth ? WordsWidth + 5 : SumWidth;
  localparam int HistLog      = $clog2(HistoryDepth);
  localparam int DistWidth    = $clog2(HistoryDepth + 1);

  localparam logic [2:0] PhaseIdle  = 3'd0;
  localparam logic [2:0] PhaseInit  = 3'd1;
  localparam logic [2:0] PhaseRun   = 3'd2;
  localparam logic [2:0] PhaseDone  = 3'd3;
  localparam logic [2:0] PhaseError = 3'd4;

  localparam logic [1:0] ErrNone        = 2'd0;
  localparam logic [1:0] ErrStreamEnds  = 2'd1;
  localparam logic [1:0] ErrFinalState  = 2'd2;
  localparam logic [1:0] ErrRepeatEarly = 2'd3;

  // ---------------------------------------------------------------- registers
  logic [2:0]               phase_d, phase_q;
  logic [1:0]               error_d, error_q;
  logic [WordsWidth-1:0]    words_d, words_q;
  logic [PtrWidth-1:0]      pointer_d, pointer_q;
  logic                     last_taken_d, last_taken_q;
  logic [WindowWords*32-1:0] buf_d, buf_q;
  logic [CountWidth-1:0]    left_d, left_q;       // symbols still to decode, minus one
  logic [HistLog-1:0]       hist_wr_d, hist_wr_q; // produced mod HistoryDepth
  logic [DistWidth:0]       hist_rd_d, hist_rd_q; // produced - distance; top bit: still negative
  logic                     out_valid_d, out_valid_q;
  logic [W-1:0]             out_word_d, out_word_q;
  logic [TableBits-1:0]     entry_q;              // table[state]

  // ------------------------------------------------------------ table RAM
  logic [TableBits-1:0] table_mem [4096];
  logic                 state_en;
  logic [11:0]          state_d;

  always_ff @(posedge clk_i) begin
    if (table_we_i) table_mem[table_addr_i] <= table_data_i;
  end

  // Cleared by start_i, so that Init sees next_base 0, num_bits 0, no REPEAT.
  always_ff @(posedge clk_i) begin
    if (start_i)       entry_q <= '0;
    else if (state_en) entry_q <= table_mem[state_d];
  end

  // ------------------------------------------------------------ history RAM
  logic [W-1:0] hist_mem [HistoryDepth];
  logic         decode;
  logic [W-1:0] word;
  logic [W-1:0] above;

  always_ff @(posedge clk_i) begin
    if (decode) hist_mem[hist_wr_q] <= word;
  end
  assign above = hist_mem[hist_rd_q[HistLog-1:0]];

  // ------------------------------------------------------------ decode
  logic                 is_init, is_run, rep;
  logic [W-2:0]         high;
  logic [3:0]           num_bits;
  logic [11:0]          next_base;
  logic [4:0]           raw_eff;
  logic [3:0]           nbits_eff;
  logic [11:0]          base_eff;
  logic [5:0]           need;
  logic                 enough;
  logic [RawBitsMax-1:0] peek;  // the raw field and what follows it
  logic [11:0]          state_bits;
  logic [11:0]          state_mask;
  logic [11:0]          next_state;
  logic                 word_arrives, out_taken, out_free;
  logic                 starved, advance_init, try_decode, too_early, last_symbol;
  logic [SumWidth-1:0]  pointer_sum, pointer_next;
  logic                 drop;

  assign is_init   = phase_q == PhaseInit;
  assign is_run    = phase_q == PhaseRun;
  assign high      = entry_q[W-2:0];
  assign num_bits  = entry_q[W+2:W-1];
  assign next_base = entry_q[W+14:W+3];
  assign rep       = entry_q[W+15];

  // Init reads table_log state bits and no raw field; Run reads the entry's.
  assign raw_eff   = is_init ? 5'd0 : (rep ? cfg_repeat_raw_bits_i : cfg_raw_bits_i);
  assign nbits_eff = num_bits | (is_init ? cfg_table_log_i : 4'd0);
  assign base_eff  = next_base;
  assign need      = 6'(raw_eff) + 6'(nbits_eff);

  assign pointer_sum = SumWidth'(pointer_q) + SumWidth'(need);
  assign enough      = CmpWidth'({words_q, 5'd0}) >= CmpWidth'(pointer_sum);

  // The funnels: the raw field from the pointer, the state bits from the
  // pointer plus the raw field's width.
  logic [StateShiftWidth-1:0] state_shift;
  assign state_shift = StateShiftWidth'(pointer_q) + StateShiftWidth'(raw_eff);
  funnel_shift #(
    .InWidth    (RawIn),
    .OutWidth   (RawBitsMax),
    .ShiftWidth (PtrWidth)
  ) u_raw (
    .in_i    (buf_q[RawIn-1:0]),
    .shift_i (pointer_q),
    .out_o   (peek)
  );
  funnel_shift #(
    .InWidth    (FunnelIn),
    .OutWidth   (12),
    .ShiftWidth (StateShiftWidth)
  ) u_state_bits (
    .in_i    (buf_q[FunnelIn-1:0]),
    .shift_i (state_shift),
    .out_o   (state_bits)
  );
  assign state_mask = ~(12'hfff << nbits_eff);
  assign next_state = base_eff + (state_bits & state_mask);

  assign in_ready_o   = (words_q < WordsWidth'(WindowWords)) && !last_taken_q && (is_init || is_run);
  assign word_arrives = in_valid_i && in_ready_o;
  assign out_taken    = out_valid_q && out_ready_i;
  assign out_free     = !out_valid_q || out_taken;

  assign starved      = (is_init || is_run) && !enough;
  assign advance_init = is_init && enough;
  assign try_decode   = is_run && enough && out_free;
  assign too_early    = try_decode && rep && hist_rd_q[DistWidth];  // produced < distance
  assign decode       = try_decode && !too_early;
  // One decrementer serves the start (count - 1; a borrow: count 0) and each
  // symbol (left - 1; a borrow: this is the last symbol).
  logic [CountWidth-1:0] left_operand, left_less;
  logic                  left_borrow;
  assign left_operand = start_i ? cfg_count_i : left_q;
  assign {left_borrow, left_less} = {1'b0, left_operand} - {{CountWidth{1'b0}}, 1'b1};
  assign last_symbol  = left_borrow;

  assign state_en = advance_init || decode;
  assign state_d  = next_state;

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
    assign keep_mask[i] = {1'b0, keep_bits} > 6'(i);
    // pattern_bits is 16 or 32: the sign sits at bit 15 or bit 31.
    if ((i + 1) % 16 == 0) begin : g_sign
      assign sign_word[i] = sign && !rep && (W < 32 || cfg_pattern_bits_i == 6'(i + 1));
    end else begin : g_no_sign
      assign sign_word[i] = 1'b0;
    end
  end
  assign sign = 1'(peek >> cfg_low_bits_i);
  assign word = (W'(peek[RawBitsMax-1:0]) & keep_mask) | ({W{rep}} & above & ~keep_mask) |
                {1'b0, high} | sign_word;

  // The bit buffer: consume, drop a finished word, append the arriving word.
  assign pointer_next = state_en ? pointer_sum : SumWidth'(pointer_q);
  assign drop         = pointer_next >= SumWidth'(32);

  logic [WordsWidth-1:0] write_slot;
  assign write_slot = words_q - WordsWidth'(drop);

  for (genvar i = 0; i < WindowWords; i++) begin : g_slot
    logic        load_word;
    logic [31:0] shifted;
    assign load_word = word_arrives && write_slot == WordsWidth'(i);
    if (i + 1 < WindowWords) begin : g_shift
      assign shifted = drop ? buf_q[(i+1)*32 +: 32] : buf_q[i*32 +: 32];
    end else begin : g_top
      assign shifted = buf_q[i*32 +: 32];
    end
    assign buf_d[i*32 +: 32] = load_word ? in_word_i : shifted;
  end

  // produced - distance counts up; once it is no longer negative, its top bit stays 0.
  logic [DistWidth:0] hist_rd_inc;
  assign hist_rd_inc = {hist_rd_q[DistWidth] & ~(&hist_rd_q[DistWidth-1:0]),
                        hist_rd_q[DistWidth-1:0] + DistWidth'(1)};

  always_comb begin
    phase_d      = phase_q;
    error_d      = error_q;
    words_d      = words_q - WordsWidth'(drop) + WordsWidth'(word_arrives);
    pointer_d    = drop ? PtrWidth'(pointer_next - SumWidth'(32)) : PtrWidth'(pointer_next);
    last_taken_d = word_arrives ? in_last_i : last_taken_q;
    left_d       = decode ? left_less : left_q;
    hist_wr_d    = decode ? hist_wr_q + HistLog'(1) : hist_wr_q;
    hist_rd_d    = decode ? hist_rd_inc : hist_rd_q;
    out_valid_d  = decode || (out_valid_q && !out_taken);
    out_word_d   = decode ? word : out_word_q;

    if (starved && last_taken_q) begin
      phase_d = PhaseError;
      error_d = ErrStreamEnds;
    end
    if (advance_init) phase_d = PhaseRun;
    if (too_early) begin
      phase_d = PhaseError;
      error_d = ErrRepeatEarly;
    end
    if (decode && last_symbol) begin
      if (next_state != 12'd0) begin
        phase_d = PhaseError;
        error_d = ErrFinalState;
      end else begin
        phase_d = PhaseDone;
      end
    end

    if (start_i) begin
      phase_d      = left_borrow ? PhaseDone : PhaseInit;
      error_d      = ErrNone;
      words_d      = '0;
      pointer_d    = '0;
      last_taken_d = 1'b0;
      left_d       = left_less;
      hist_wr_d    = '0;
      hist_rd_d    = -{1'b0, cfg_repeat_distance_i};
      out_valid_d  = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      phase_q      <= PhaseIdle;
      error_q      <= ErrNone;
      words_q      <= '0;
      pointer_q    <= '0;
      last_taken_q <= 1'b0;
      out_valid_q  <= 1'b0;
    end else begin
      phase_q      <= phase_d;
      error_q      <= error_d;
      words_q      <= words_d;
      pointer_q    <= pointer_d;
      last_taken_q <= last_taken_d;
      out_valid_q  <= out_valid_d;
    end
  end

  always_ff @(posedge clk_i) begin
    buf_q      <= buf_d;
    left_q     <= left_d;
    hist_wr_q  <= hist_wr_d;
    hist_rd_q  <= hist_rd_d;
    out_word_q <= out_word_d;
  end

  assign out_valid_o    = out_valid_q;
  assign out_word_o     = out_word_q;
  assign has_more_o     = out_valid_q || is_init || is_run;
  assign error_o        = error_q;
  assign stall_input_o  = starved && !last_taken_q && !word_arrives;
  assign stall_refill_o = starved && !last_taken_q && word_arrives;
  assign stall_output_o = is_run && enough && !out_free;
  assign decoded_o      = decode;
endmodule
