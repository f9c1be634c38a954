// Run-time variable-precision posit decoder: each beat carries its own width
// in_n_i (2..NMax) and exponent size in_es_i (0..ESMax), so one instance
// serves mixed-precision blocks. The pattern sits in the low in_n_i bits;
// higher bits are ignored. Appending zeros does not change a posit's value, so
// the pattern is left-aligned to NMax bits and decoded as an NMax-bit posit.
module posit_var_decoder #(
  parameter int NMax  = 16,
  parameter int ESMax = 3
) (
  input  logic                               clk_i,
  input  logic                               rst_ni,
  input  logic                               in_valid_i,
  output logic                               in_ready_o,
  input  logic [NMax-1:0]                    in_bits_i,
  input  logic [$clog2(NMax+1)-1:0]          in_n_i,
  input  logic [1:0]                         in_es_i,
  output logic                               out_valid_o,
  input  logic                               out_ready_i,
  output logic [ws_pkg::NumClassWidth-1:0]   out_class_o,
  output logic                               out_sign_o,
  output logic signed [$clog2(NMax)+ESMax:0] out_exp_o,
  output logic [NMax-3:0]                    out_sig_o
);
  localparam int ExpWidth  = $clog2(NMax) + ESMax + 1;
  localparam int DataWidth = ws_pkg::NumClassWidth + 1 + ExpWidth + NMax - 2;
  localparam int NWidth    = $clog2(NMax + 1);

  logic [NMax-1:0]            aligned;
  logic [ws_pkg::NumClassWidth-1:0] class_c;
  logic                       sign_c;
  logic signed [ExpWidth-1:0] exp_c;
  logic [NMax-3:0]            sig_c;

  assign aligned = in_bits_i << (NWidth'(NMax) - in_n_i);

  posit_unpack #(.N(NMax), .ESMax(ESMax)) u_unpack (
    .bits_i  (aligned),
    .es_i    (in_es_i),
    .class_o (class_c),
    .sign_o  (sign_c),
    .exp_o   (exp_c),
    .sig_o   (sig_c)
  );

  stream_register #(.Width(DataWidth)) u_output (
    .clk_i,
    .rst_ni,
    .in_valid_i,
    .in_ready_o,
    .in_data_i   ({class_c, sign_c, exp_c, sig_c}),
    .out_valid_o,
    .out_ready_i,
    .out_data_o  ({out_class_o, out_sign_o, out_exp_o, out_sig_o})
  );
endmodule
