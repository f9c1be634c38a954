// The token factory's second weight path, cycle for cycle hls MxSource
// (hls/factory/mx_source.hpp): MXFP4 weights read raw, without ANS, as row
// beats like the ANS decoder's (valid/ready, a prefix mask, bf16 words), from
// two streams (golden/factory/mx_stream.hpp) on the first two lane ports:
//   code stream   one word per beat, code k in bits [4k, 4k + 4)
//   scale stream  four E8M0 scales a word, one per block, the first in the
//                 low byte
//
//   beats    a beat never crosses a block: at column col of a row it has
//            min(Lanes, block end - col) weights (out_mask_o a prefix), where
//            blocks end every `block` columns and at the row's end; a beat
//            leaves (out_valid_o) when the code word register is full and,
//            at a block's first beat, a scale is at hand
//   codes    the code word register takes the next word (code_ready_o) when
//            it is empty or its beat leaves at this edge: beats leave one a
//            clock, and no beat depends on the input port within the clock
//   words    each code through the E2M1 float decoder (float_unpack, finite
//            only), its exponent plus the scale's makes the bf16 word: exact
//            in the factory's window [2^FactoryExpMin, 2^FactoryExpMax), the
//            signed 0 below it, NaN (0x7FC0) above it or for the NaN scale
//            0xFF (the slots then stop with an operand error). Words of lanes
//            outside the mask are not cleared (the hls model reports 0
//            there; the slots look at the mask only)
//   scales   the current block's scale is a register loaded at the block's
//            first beat from the scale word register, its bytes used in
//            order; an empty word register takes the next word whenever one
//            is offered (scale_ready_o), so a block start waits only when the
//            scale words arrive late
//   run      start_i latches rows, cols and block and makes the source
//            active when enable_i (the run's source register reads MX) and
//            rows, cols and block are nonzero, as the hls start; the source
//            goes idle after the last beat of the last row. While idle it
//            offers nothing and takes nothing (all outputs 0)
//
// Invariants: 0 <= col < cols and block_left < block while active;
// scales_left <= 4.
`include "ws_assert.svh"
module mx_source #(
  parameter int Lanes   = 8,
  parameter int RowBits = 24,
  parameter int ColBits = ws_pkg::FactoryColBits
) (
  input  logic                              clk_i,
  input  logic                              rst_ni,
  // the start pulse and the run registers
  input  logic                              start_i,
  input  logic                              enable_i,  // the run reads the MX source
  input  logic [RowBits-1:0]                rows_i,
  input  logic [ColBits-1:0]                cols_i,
  input  logic [ColBits-1:0]                block_i,
  // the code stream (lane port 0)
  input  logic                              code_valid_i,
  output logic                              code_ready_o,
  input  logic [ws_pkg::StreamWordBits-1:0] code_word_i,
  output logic                              code_stall_o,  // active, no code word offered
  // the scale stream (lane port 1)
  input  logic                              scale_valid_i,
  output logic                              scale_ready_o,
  input  logic [ws_pkg::StreamWordBits-1:0] scale_word_i,
  // the row beats
  output logic                              out_valid_o,
  input  logic                              out_ready_i,
  output logic [Lanes-1:0]                  out_mask_o,
  output logic [Lanes*16-1:0]               out_words_o
);
  localparam int WordBits      = ws_pkg::StreamWordBits;
  localparam int CodeBits      = 4;                      // E2M1
  localparam int ScalesPerWord = WordBits / 8;           // E8M0 scales a scale word
  localparam int ScaleCntBits  = $clog2(ScalesPerWord + 1);
  localparam int ScaleIdxBits  = $clog2(ScalesPerWord);
  localparam int CountBits     = $clog2(Lanes + 1);      // weights in a beat: 0 .. Lanes
  localparam int ExpBits       = 10;                     // code exponent + scale: -1 .. 256, signed
  localparam logic signed [ExpBits-1:0] MinBiased = ExpBits'(ws_pkg::FactoryExpMin + 127);
  localparam logic signed [ExpBits-1:0] MaxBiased = ExpBits'(ws_pkg::FactoryExpMax + 127);
  localparam logic [15:0] NanWord = 16'h7FC0;

  `WS_ASSERT_STATIC(g_lanes, Lanes >= 2 && Lanes * CodeBits <= WordBits,
                    "mx_source: Lanes must be 2.. (a beat's codes fill one word; scales use lane 1's port)")
  `WS_ASSERT_STATIC(g_widths, RowBits >= 1 && ColBits >= 1 && Lanes < (1 << ColBits) && ScalesPerWord == 4,
                    "mx_source: the column width must hold Lanes, a scale word four scales")

  // ---------------------------------------------------------------- registers
  logic                    active_q;
  logic [RowBits-1:0]      rows_left_q;
  logic [ColBits-1:0]      cols_q, block_q;
  logic [ColBits-1:0]      col_q;         // the next beat's first column
  logic [ColBits-1:0]      block_left_q;  // weights of the current block still to come (0: a block starts)
  logic [7:0]              scale_q;       // the current block's scale
  logic [WordBits-1:0]     scale_word_q;
  logic [ScaleCntBits-1:0] scales_left_q; // unused scales in scale_word_q, used from the low byte up
  logic [WordBits-1:0]     code_q;        // the next beat's codes
  logic                    code_valid_q;

  // ---------------------------------------------------------------- the beat
  logic                    block_start, scale_ok, take, row_end;
  logic [ColBits-1:0]      cols_rest, span;
  logic [CountBits-1:0]    count;
  logic [ColBits:0]        col_next;
  logic [ScaleIdxBits-1:0] scale_index;
  logic [7:0]              beat_scale;

  assign block_start = block_left_q == '0;
  assign cols_rest   = cols_q - col_q;
  // weights left in the beat's block: a new block's (block or the row's rest) or the current one's
  assign span        = !block_start ? block_left_q : block_q < cols_rest ? block_q : cols_rest;
  assign count       = span < ColBits'(Lanes) ? CountBits'(span) : CountBits'(Lanes);
  assign col_next    = {1'b0, col_q} + (ColBits + 1)'(count);
  assign row_end     = col_next == {1'b0, cols_q};
  assign scale_ok    = !block_start || scales_left_q != '0;
  assign scale_index = ScaleIdxBits'(ScaleCntBits'(ScalesPerWord) - scales_left_q);
  assign beat_scale  = block_start ? 8'(scale_word_q >> {scale_index, 3'b000}) : scale_q;

  assign out_valid_o   = active_q && scale_ok && code_valid_q;
  assign take          = out_valid_o && out_ready_i;
  assign code_ready_o  = active_q && (!code_valid_q || take);
  assign code_stall_o  = active_q && !code_valid_q && !code_valid_i;
  assign scale_ready_o = active_q && scales_left_q == '0;

  for (genvar k = 0; k < Lanes; k++) begin : g_lane
    logic [ws_pkg::NumClassWidth-1:0] code_class;
    logic                             sign;
    logic signed [3:0]                code_exp;
    logic [1:0]                       code_sig;
    logic signed [ExpBits-1:0]        biased;  // the bf16 biased exponent: code exponent + scale
    logic                             below, above, nan;
    logic [15:0]                      word;

    float_unpack #(.E(2), .M(1), .Flavor(2)) u_code (
      .bits_i  (code_q[k*CodeBits +: CodeBits]),
      .class_o (code_class),
      .sign_o  (sign),
      .exp_o   (code_exp),
      .sig_o   (code_sig)
    );
    assign biased = $signed({{(ExpBits - 4){code_exp[3]}}, code_exp}) + $signed({{(ExpBits - 8){1'b0}}, beat_scale});
    assign below  = code_class == ws_pkg::ClassZero || biased < MinBiased;
    assign above  = biased >= MaxBiased;
    assign nan    = beat_scale == 8'hFF || (!below && above);

    assign word = nan ? NanWord : below ? {sign, 15'b0} : {sign, biased[7:0], code_sig[0], 6'b0};
    assign out_words_o[k*16 +: 16] = word;
    assign out_mask_o[k] = CountBits'(k) < count;

    // The hidden bit is 1 for every nonzero code; a word's exponent in the window fits 8 bits.
    logic unused_code;
    assign unused_code = ^{code_sig[1], biased[ExpBits-1:8]};
  end

  if (Lanes * CodeBits < WordBits) begin : g_unused_nibbles
    logic unused_nibbles;
    assign unused_nibbles = ^code_q[WordBits-1:Lanes*CodeBits];
  end

  // ---------------------------------------------------------------- control
  logic                    active_d;
  logic [RowBits-1:0]      rows_left_d;
  logic [ColBits-1:0]      cols_d, block_d, col_d, block_left_d;
  logic [7:0]              scale_d;
  logic [WordBits-1:0]     scale_word_d;
  logic [ScaleCntBits-1:0] scales_left_d;
  logic [WordBits-1:0]     code_d;
  logic                    code_valid_d;

  always_comb begin
    active_d      = active_q;
    rows_left_d   = rows_left_q;
    cols_d        = cols_q;
    block_d       = block_q;
    col_d         = col_q;
    block_left_d  = block_left_q;
    scale_d       = scale_q;
    scale_word_d  = scale_word_q;
    scales_left_d = scales_left_q;
    code_d        = code_q;
    code_valid_d  = code_valid_q;

    if (code_ready_o && code_valid_i) begin
      code_d       = code_word_i;
      code_valid_d = 1'b1;
    end else if (take) begin
      code_valid_d = 1'b0;
    end
    // An empty word register and a word offered (never at a block start that takes a scale).
    if (scale_ready_o && scale_valid_i) begin
      scale_word_d  = scale_word_i;
      scales_left_d = ScaleCntBits'(ScalesPerWord);
    end
    if (take) begin
      if (block_start) begin
        scale_d       = beat_scale;
        scales_left_d = scales_left_q - ScaleCntBits'(1);
      end
      block_left_d = span - ColBits'(count);
      col_d        = ColBits'(col_next);
      if (row_end) begin
        col_d        = '0;
        block_left_d = '0;
        rows_left_d  = rows_left_q - RowBits'(1);
        active_d     = rows_left_q != RowBits'(1);
      end
    end

    if (start_i) begin
      active_d      = enable_i && rows_i != '0 && cols_i != '0 && block_i != '0;
      rows_left_d   = rows_i;
      cols_d        = cols_i;
      block_d       = block_i;
      col_d         = '0;
      block_left_d  = '0;
      scales_left_d = '0;
      code_valid_d  = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q      <= 1'b0;
      rows_left_q   <= '0;
      cols_q        <= '0;
      block_q       <= '0;
      col_q         <= '0;
      block_left_q  <= '0;
      scale_q       <= '0;
      scale_word_q  <= '0;
      scales_left_q <= '0;
      code_q        <= '0;
      code_valid_q  <= 1'b0;
    end else begin
      active_q      <= active_d;
      rows_left_q   <= rows_left_d;
      cols_q        <= cols_d;
      block_q       <= block_d;
      col_q         <= col_d;
      block_left_q  <= block_left_d;
      scale_q       <= scale_d;
      scale_word_q  <= scale_word_d;
      scales_left_q <= scales_left_d;
      code_q        <= code_d;
      code_valid_q  <= code_valid_d;
    end
  end

`ifndef SYNTHESIS
  // The hls model's invariants; the beats keep the stream rules (a start
  // abandons a waiting beat; only the lanes in the beat carry data).
  `WS_ASSERT(!active_q || col_q < cols_q, "mx_source: col out of its row")
  `WS_ASSERT(!active_q || block_left_q < block_q, "mx_source: more of a block left than a block")
  `WS_ASSERT(32'(scales_left_q) <= ScalesPerWord, "mx_source: more scales left than a word holds")
  `WS_ASSERT(!take || !block_start || !(scale_ready_o && scale_valid_i),
             "mx_source: a scale used while the word register loads")
  logic [Lanes*16-1:0] beat_words;
  for (genvar k = 0; k < Lanes; k++) begin : g_check
    assign beat_words[k*16 +: 16] = out_mask_o[k] ? out_words_o[k*16 +: 16] : 16'b0;
  end
  stream_checker #(.Width(Lanes * 17)) u_out_check (
    .clk_i, .rst_ni, .clear_i (start_i), .valid_i (out_valid_o), .ready_i (out_ready_i),
    .data_i ({out_mask_o, beat_words})
  );
`endif
endmodule
