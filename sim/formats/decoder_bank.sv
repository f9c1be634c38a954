// Verification wrapper: every numeric decoder configuration the cross-check
// tests cover, behind one valid/ready port and a select input, so that a
// single Verilator model serves them all. Outputs are widened: the exponent
// sign-extended to 16 bits, the significand zero-extended to 32 bits.
// Change select_i only while no beat is in flight.
module decoder_bank (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [3:0]  select_i,
  input  logic        in_valid_i,
  output logic        in_ready_o,
  input  logic [31:0] in_bits_i,
  input  logic [5:0]  in_n_i,     // variable-precision decoders only
  input  logic [1:0]  in_es_i,    // variable-precision decoders only
  output logic        out_valid_o,
  input  logic        out_ready_i,
  output logic [1:0]  out_class_o,
  output logic        out_sign_o,
  output logic [15:0] out_exp_o,
  output logic [31:0] out_sig_o
);
  // Configurations, by select value:
  //   0..4   posit_decoder (N, ES) = (8,0) (8,2) (16,1) (16,2) (32,2)
  //   5, 6   posit_var_decoder (NMax, ESMax) = (16,3) (32,3)
  //   7..14  float_decoder e4m3 e5m2 e2m1 e2m3 e3m2 fp16 bf16 fp32
  localparam int NumPosit = 5;
  localparam int NumVar   = 2;
  localparam int NumFloat = 8;
  localparam int NumUnits = NumPosit + NumVar + NumFloat;

  function automatic int posit_n(int i);   return i < 2 ? 8 : (i < 4 ? 16 : 32); endfunction
  function automatic int posit_es(int i);  return i == 0 ? 0 : (i == 2 ? 1 : 2);  endfunction
  function automatic int var_nmax(int i);  return i == 0 ? 16 : 32;                endfunction
  function automatic int float_e(int i);
    case (i) 0: return 4; 1: return 5; 2: return 2; 3: return 2; 4: return 3; 5: return 5; default: return 8; endcase
  endfunction
  function automatic int float_m(int i);
    case (i) 0: return 3; 1: return 2; 2: return 1; 3: return 3; 4: return 2; 5: return 10; 6: return 7;
      default: return 23; endcase
  endfunction
  function automatic int float_flavor(int i);
    case (i) 0: return 1; 2, 3, 4: return 2; default: return 0; endcase
  endfunction

  logic [NumUnits-1:0] unit_in_valid, unit_in_ready, unit_out_valid, unit_out_ready;
  logic [1:0]          unit_class [NumUnits];
  logic                unit_sign  [NumUnits];
  logic [15:0]         unit_exp   [NumUnits];
  logic [31:0]         unit_sig   [NumUnits];

  for (genvar u = 0; u < NumUnits; u++) begin : g_select
    assign unit_in_valid[u]  = in_valid_i && select_i == 4'(u);
    assign unit_out_ready[u] = out_ready_i && select_i == 4'(u);
  end

  for (genvar i = 0; i < NumPosit; i++) begin : g_posit
    localparam int N = posit_n(i);
    localparam int ES = posit_es(i);
    localparam int ExpWidth = $clog2(N) + ES + 1;
    localparam int SigWidth = N - 2 - ES;
    logic signed [ExpWidth-1:0] exp_narrow;
    logic [SigWidth-1:0]        sig_narrow;
    posit_decoder #(.N(N), .ES(ES)) u_decoder (
      .clk_i, .rst_ni,
      .in_valid_i  (unit_in_valid[i]), .in_ready_o (unit_in_ready[i]), .in_bits_i (in_bits_i[N-1:0]),
      .out_valid_o (unit_out_valid[i]), .out_ready_i (unit_out_ready[i]),
      .out_class_o (unit_class[i]), .out_sign_o (unit_sign[i]), .out_exp_o (exp_narrow), .out_sig_o (sig_narrow)
    );
    assign unit_exp[i] = 16'(exp_narrow);
    assign unit_sig[i] = 32'(sig_narrow);
  end

  for (genvar i = 0; i < NumVar; i++) begin : g_var
    localparam int NMax = var_nmax(i);
    localparam int U = NumPosit + i;
    localparam int ExpWidth = $clog2(NMax) + 3 + 1;
    logic signed [ExpWidth-1:0] exp_narrow;
    logic [NMax-3:0]            sig_narrow;
    posit_var_decoder #(.NMax(NMax), .ESMax(3)) u_decoder (
      .clk_i, .rst_ni,
      .in_valid_i  (unit_in_valid[U]), .in_ready_o (unit_in_ready[U]), .in_bits_i (in_bits_i[NMax-1:0]),
      .in_n_i      (in_n_i[$clog2(NMax+1)-1:0]), .in_es_i (in_es_i),
      .out_valid_o (unit_out_valid[U]), .out_ready_i (unit_out_ready[U]),
      .out_class_o (unit_class[U]), .out_sign_o (unit_sign[U]), .out_exp_o (exp_narrow), .out_sig_o (sig_narrow)
    );
    assign unit_exp[U] = 16'(exp_narrow);
    assign unit_sig[U] = 32'(sig_narrow);
  end

  for (genvar i = 0; i < NumFloat; i++) begin : g_float
    localparam int E = float_e(i);
    localparam int M = float_m(i);
    localparam int U = NumPosit + NumVar + i;
    logic signed [E+1:0] exp_narrow;
    logic [M:0]          sig_narrow;
    float_decoder #(.E(E), .M(M), .Flavor(float_flavor(i))) u_decoder (
      .clk_i, .rst_ni,
      .in_valid_i  (unit_in_valid[U]), .in_ready_o (unit_in_ready[U]), .in_bits_i (in_bits_i[E+M:0]),
      .out_valid_o (unit_out_valid[U]), .out_ready_i (unit_out_ready[U]),
      .out_class_o (unit_class[U]), .out_sign_o (unit_sign[U]), .out_exp_o (exp_narrow), .out_sig_o (sig_narrow)
    );
    assign unit_exp[U] = 16'(exp_narrow);
    assign unit_sig[U] = 32'(sig_narrow);
  end

  always_comb begin
    in_ready_o  = unit_in_ready[select_i];
    out_valid_o = unit_out_valid[select_i];
    out_class_o = unit_class[select_i];
    out_sign_o  = unit_sign[select_i];
    out_exp_o   = unit_exp[select_i];
    out_sig_o   = unit_sig[select_i];
  end
endmodule
