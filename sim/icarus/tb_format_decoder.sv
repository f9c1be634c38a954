// Icarus testbench: streams golden-written vectors (weightstream format
// --vectors) through one posit_decoder or float_decoder with random stalls on
// both sides, and stops with a non-zero exit at the first mismatch, printing
// seed, index, pattern, expected and actual.
// Plusargs: +vectors=FILE (required), +seed=N (default 1).
// Kind 0: posit_decoder #(N, ES); kind 1: float_decoder #(E, M, Flavor).
module tb_format_decoder #(
  parameter int Kind   = 0,
  parameter int N      = 16,
  parameter int ES     = 1,
  parameter int E      = 4,
  parameter int M      = 3,
  parameter int Flavor = 1
);
  localparam int Bits     = Kind == 0 ? N : 1 + E + M;
  localparam int ExpWidth = Kind == 0 ? $clog2(N) + ES + 1 : E + 2;
  localparam int SigWidth = Kind == 0 ? (N - 2 - ES > 1 ? N - 2 - ES : 1) : M + 1;

  logic clk = 1'b0;
  logic rst_n = 1'b0;
  logic in_valid = 1'b0, in_ready, out_valid, out_ready = 1'b0;
  logic [Bits-1:0]     in_bits = '0;
  logic [ws_pkg::NumClassWidth-1:0] out_class;
  logic                out_sign;
  logic [ExpWidth-1:0] out_exp;
  logic [SigWidth-1:0] out_sig;

  if (Kind == 0) begin : g_posit
    posit_decoder #(.N(N), .ES(ES)) dut (
      .clk_i (clk), .rst_ni (rst_n),
      .in_valid_i (in_valid), .in_ready_o (in_ready), .in_bits_i (in_bits),
      .out_valid_o (out_valid), .out_ready_i (out_ready),
      .out_class_o (out_class), .out_sign_o (out_sign), .out_exp_o (out_exp), .out_sig_o (out_sig)
    );
  end else begin : g_float
    float_decoder #(.E(E), .M(M), .Flavor(Flavor)) dut (
      .clk_i (clk), .rst_ni (rst_n),
      .in_valid_i (in_valid), .in_ready_o (in_ready), .in_bits_i (in_bits),
      .out_valid_o (out_valid), .out_ready_i (out_ready),
      .out_class_o (out_class), .out_sign_o (out_sign), .out_exp_o (out_exp), .out_sig_o (out_sig)
    );
  end

  always #5 clk = ~clk;

  // Vectors: pattern, class, sign, exponent (16-bit two's complement), significand.
  localparam int MaxVectors = 1 << 20;
  logic [31:0] v_pattern [MaxVectors];
  logic [ws_pkg::NumClassWidth-1:0] v_class [MaxVectors];
  logic        v_sign    [MaxVectors];
  logic [15:0] v_exp     [MaxVectors];
  logic [31:0] v_sig     [MaxVectors];
  integer count = 0;

  task automatic load_vectors(input string path);
    integer fd, fields;
    logic [31:0] pattern, cls, sign, expo, sig;
    fd = $fopen(path, "r");
    if (fd == 0) begin
      $display("FAIL cannot open vectors %s", path);
      $fatal(1);
    end
    while (!$feof(fd) && count < MaxVectors) begin
      fields = $fscanf(fd, "%h %h %h %h %h\n", pattern, cls, sign, expo, sig);
      if (fields == 5) begin
        v_pattern[count] = pattern;
        v_class[count]   = cls[1:0];
        v_sign[count]    = sign[0];
        v_exp[count]     = expo[15:0];
        v_sig[count]     = sig;
        count = count + 1;
      end
    end
    $fclose(fd);
  endtask

  integer seed = 1;       // as given, printed
  integer rng_state;      // advanced by $random
  integer sent = 0, received = 0, cycles = 0;
  string  path;

  initial begin
    if (!$value$plusargs("vectors=%s", path)) begin
      $display("FAIL no +vectors=FILE given");
      $fatal(1);
    end
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    rng_state = seed;
    load_vectors(path);
    $display("seed %0d, %0d vectors from %s", seed, count, path);
    repeat (2) @(posedge clk);
    rst_n = 1'b1;
  end

  // Producer: holds valid and data until taken; idles at random between beats.
  // Consumer: drops ready at random. Checks on the clock edge of each handshake.
  always @(posedge clk) begin
    if (rst_n) begin
      cycles <= cycles + 1;
      if (out_valid && out_ready) begin
        if (out_class !== v_class[received] || out_sign !== v_sign[received] ||
            $signed(out_exp) !== $signed(v_exp[received]) || 32'(out_sig) !== v_sig[received]) begin
          $display("FAIL seed %0d index %0d pattern %h: expected class %0d sign %0d exp %0d sig %h, actual class %0d sign %0d exp %0d sig %h",
                   seed, received, v_pattern[received], v_class[received], v_sign[received],
                   $signed(v_exp[received]), v_sig[received], out_class, out_sign, $signed(out_exp), out_sig);
          $fatal(1);
        end
        received <= received + 1;
        if (received + 1 == count) begin
          $display("PASS %0d vectors, %0d cycles", count, cycles + 1);
          $finish;
        end
      end
      if (in_valid && in_ready) sent = sent + 1;
      if (!in_valid || in_ready) begin
        in_valid <= sent < count && ($random(rng_state) & 3) != 0;
        in_bits  <= v_pattern[sent][Bits-1:0];
      end
      out_ready <= ($random(rng_state) & 3) != 0;
      if (cycles > 64 * count + 64) begin
        $display("FAIL seed %0d: hang after %0d of %0d beats", seed, received, count);
        $fatal(1);
      end
    end
  end
endmodule
