// Combinational posit decode of an N-bit pattern with a run-time exponent
// size es_i <= ESMax, into the unpacked form (class, sign, exponent,
// significand with the hidden bit on top). Steps: two's complement to a
// magnitude, regime run by a leading-zero count, shift out regime and
// terminator, split exponent bits from the fraction.
module posit_unpack #(
  parameter int N     = 16,
  parameter int ESMax = 1
) (
  input  logic [N-1:0]                    bits_i,
  input  logic [1:0]                      es_i,
  output logic [1:0]                      class_o,
  output logic                            sign_o,
  output logic signed [$clog2(N)+ESMax:0] exp_o,
  output logic [N-3:0]                    sig_o
);
  localparam int BodyWidth    = N - 1;  // the bits after the sign
  localparam int ExpWidth     = $clog2(N) + ESMax + 1;
  localparam int CountWidth   = $clog2(BodyWidth + 1);
  localparam int EsFieldWidth = ESMax > 0 ? ESMax : 1;
  localparam logic [1:0] ClassZero = 2'd0, ClassFinite = 2'd1, ClassNaN = 2'd3;

  logic                       sign, regime_bit, is_zero, is_nar;
  logic [BodyWidth-1:0]       magnitude, run_bits, rest;
  logic [N-4:0]               fraction;
  logic [CountWidth-1:0]      run;
  logic [EsFieldWidth-1:0]    exponent_field;
  logic signed [ExpWidth-1:0] regime, exponent;

  assign sign       = bits_i[N-1];
  assign is_zero    = bits_i == '0;
  assign is_nar     = sign && bits_i[N-2:0] == '0;
  assign magnitude  = sign ? -bits_i[N-2:0] : bits_i[N-2:0];
  assign regime_bit = magnitude[BodyWidth-1];
  assign run_bits   = regime_bit ? ~magnitude : magnitude;

  leading_zero_count #(.Width(BodyWidth)) u_regime_run (
    .bits_i  (run_bits),
    .count_o (run)
  );

  assign rest     = (magnitude << run) << 1;  // drop the regime and its terminator
  assign fraction = rest[BodyWidth-1:2] << es_i;  // rest[1:0] is always 0: run >= 1

  if (ESMax > 0) begin : g_exponent_field
    logic [EsFieldWidth-1:0] top_bits;
    assign top_bits       = rest[BodyWidth-1 -: EsFieldWidth];
    assign exponent_field = top_bits >> (2'(ESMax) - es_i);
  end else begin : g_no_exponent_field
    assign exponent_field = '0;
  end

  assign regime   = regime_bit ? ExpWidth'(run) - ExpWidth'(1) : -(ExpWidth'(run));
  assign exponent = (regime <<< es_i) | ExpWidth'(exponent_field);

  always_comb begin
    class_o = ClassFinite;
    sign_o  = sign;
    exp_o   = exponent;
    sig_o   = {1'b1, fraction};
    if (is_zero || is_nar) begin
      class_o = is_zero ? ClassZero : ClassNaN;
      exp_o   = '0;
      sig_o   = '0;
    end
  end
endmodule
