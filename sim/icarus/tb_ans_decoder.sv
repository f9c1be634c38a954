// Icarus testbench: decodes one tensor's golden-written vectors
// (weightstream sim X.wsc --write-vectors DIR --tensor NAME --width W) with
// ans_decoder, random idle cycles on every lane's input and random
// back-pressure on the row output, and checks every row (mask and words)
// against expected.hex. Stops with PASS, or with FAIL and a non-zero exit at
// the first mismatch (seed, weight index, lane, expected, actual), on a lane
// error, or when no row leaves for 10000 cycles.
// Plusargs: +vectors=DIR (required), +seed=N (default 1).
// Vector files (one hex value a line): config.hex = lanes K, table_log,
// pattern_bits, repeat, repeat_distance, weights N, K symbol counts, K word
// counts; table.hex (each word says where its symbol's raw bits go);
// lane<k>.hex; expected.hex (weight r*K + k is lane k's word in row r).
module tb_ans_decoder #(
  parameter int Lanes        = 4,   // >= the tensor's lane count
  parameter int PatternWidth = 16,
  parameter int HistoryDepth = 64
);
  // Icarus 11 resolves a package's types only after an import has brought
  // each of them into a scope: this one does it for the whole design.
  import ws_pkg::*;
  table_ctrl_t unused_table_ctrl;
  lane_error_e unused_lane_error;

  localparam int CountWidth = LaneCountWidth;
  localparam int TableWidth = PatternWidth + TableCtrlBits - 1;
  localparam int ErrorBits  = LaneErrorWidth;
  localparam int MaxWords   = 1 << 16;  // per lane
  localparam int MaxWeights = 1 << 20;

  logic clk = 1'b0;
  logic rst_n = 1'b0;

  ans_cfg_t                       cfg = '0;
  logic [Lanes*CountWidth-1:0]    cfg_count = '0;
  logic                           table_we = 1'b0;
  logic [TableLogMax-1:0]         table_addr = '0;
  logic [TableWidth-1:0]          table_data = '0;
  logic                           start = 1'b0;
  logic [Lanes-1:0]               in_valid = '0, in_ready, in_last = '0;
  logic [Lanes*StreamWordBits-1:0] in_word = '0;
  logic                           out_valid, out_ready = 1'b0;
  logic [Lanes-1:0]               out_mask;
  logic [Lanes*PatternWidth-1:0]  out_words;
  logic                           busy;
  logic [Lanes*ErrorBits-1:0]     lane_error;
  logic [Lanes-1:0]               stall_input, stall_refill, stall_output, decoded;

  ans_decoder #(
    .Lanes        (Lanes),
    .PatternWidth (PatternWidth),
    .HistoryDepth (HistoryDepth),
    .CountWidth   (CountWidth)
  ) dut (
    .clk_i                 (clk),
    .rst_ni                (rst_n),
    .cfg_i                 (cfg),
    .cfg_count_i           (cfg_count),
    .table_we_i            (table_we),
    .table_addr_i          (table_addr),
    .table_data_i          (table_data),
    .start_i               (start),
    .in_valid_i            (in_valid),
    .in_ready_o            (in_ready),
    .in_word_i             (in_word),
    .in_last_i             (in_last),
    .out_valid_o           (out_valid),
    .out_ready_i           (out_ready),
    .out_mask_o            (out_mask),
    .out_words_o           (out_words),
    .busy_o                (busy),
    .lane_error_o          (lane_error),
    .stall_input_o         (stall_input),
    .stall_refill_o        (stall_refill),
    .stall_output_o        (stall_output),
    .decoded_o             (decoded)
  );

  always #5 clk = ~clk;

  localparam int HeadValues   = 6;   // config.hex: the values before the K symbol counts
  localparam int MaxFileLanes = 64;  // config.hex holds HeadValues + 2K values
  localparam int ConfigValues = HeadValues + 2 * MaxFileLanes;
  logic [63:0]              config_mem [ConfigValues];
  logic [TableWidth-1:0]    table_mem [1 << TableLogMax];
  logic [31:0]              stream_mem [Lanes * MaxWords];
  logic [31:0]              expected_mem [MaxWeights];

  integer seed = 1;   // as given, printed
  integer rng_state;  // advanced by $random
  integer lanes_used, weights;
  integer lane_count [Lanes];
  integer lane_words [Lanes];
  integer sent [Lanes];
  integer rows = 0, checked = 0, cycles = 0, idle = 0;
  integer index;
  logic   want;
  logic   running = 1'b0;
  string  dir;

  // config.hex has HeadValues + 2K lines; $readmemh would want their number up front.
  task automatic read_config(input string path);
    integer fd, n;
    logic [63:0] value;
    for (int i = 0; i < ConfigValues; i++) config_mem[i] = '0;
    fd = $fopen(path, "r");
    if (fd == 0) begin
      $display("FAIL cannot open %s", path);
      $fatal(1);
    end
    n = 0;
    while (!$feof(fd) && n < ConfigValues) begin
      if ($fscanf(fd, "%h\n", value) == 1) begin
        config_mem[n] = value;
        n = n + 1;
      end else begin
        n = ConfigValues;
      end
    end
    $fclose(fd);
  endtask

  initial begin
    if (!$value$plusargs("vectors=%s", dir)) begin
      $display("FAIL no +vectors=DIR given");
      $fatal(1);
    end
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    rng_state = seed;
    read_config({dir, "/config.hex"});
    lanes_used = int'(config_mem[0]);
    weights    = int'(config_mem[5]);
    if (lanes_used < 1 || lanes_used > Lanes || weights > MaxWeights) begin
      $display("FAIL seed %0d: %0d lanes, %0d weights do not fit the testbench (Lanes %0d)",
               seed, lanes_used, weights, Lanes);
      $fatal(1);
    end
    for (int k = 0; k < Lanes; k++) begin
      lane_count[k] = k < lanes_used ? int'(config_mem[HeadValues + k]) : 0;
      lane_words[k] = k < lanes_used ? int'(config_mem[HeadValues + lanes_used + k]) : 0;
      sent[k] = 0;
      if (lane_words[k] > MaxWords) begin
        $display("FAIL seed %0d: lane %0d has %0d words, more than %0d", seed, k, lane_words[k], MaxWords);
        $fatal(1);
      end
      if (lane_words[k] > 0)
        $readmemh({dir, "/lane", $sformatf("%0d", k), ".hex"}, stream_mem, k * MaxWords,
                  k * MaxWords + lane_words[k] - 1);
    end
    $readmemh({dir, "/table.hex"}, table_mem, 0, (1 << config_mem[1]) - 1);
    if (weights > 0) $readmemh({dir, "/expected.hex"}, expected_mem, 0, weights - 1);
    $display("seed %0d, %0d weights in %0d lanes, table log %0d, from %s",
             seed, weights, lanes_used, int'(config_mem[1]), dir);

    repeat (2) @(posedge clk);
    rst_n <= 1'b1;
    // The table, one word a cycle, then the registers and the start pulse.
    for (int u = 0; u < (1 << config_mem[1]); u++) begin
      table_we   <= 1'b1;
      table_addr <= TableLogMax'(u);
      table_data <= table_mem[u];
      @(posedge clk);
    end
    table_we            <= 1'b0;
    cfg.table_log       <= AnsCfgTableLogWidth'(config_mem[1]);
    cfg.pattern_bits    <= AnsCfgPatternBitsWidth'(config_mem[2]);
    cfg.repeat_enable   <= config_mem[3] != 0;
    cfg.repeat_distance <= AnsCfgRepeatDistanceWidth'(config_mem[4]);
    for (int k = 0; k < Lanes; k++) cfg_count[k*CountWidth +: CountWidth] <= CountWidth'(lane_count[k]);
    start <= 1'b1;
    @(posedge clk);
    start   <= 1'b0;
    running <= 1'b1;
  end

  // Producers: each lane holds valid and its word until taken, and idles at
  // random between words. Consumer: drops ready at random; checks each row
  // on the clock edge that takes it.
  always @(posedge clk) begin
    if (running) begin
      cycles <= cycles + 1;
      for (int k = 0; k < Lanes; k++) begin
        if (lane_error[k*ErrorBits +: ErrorBits] != LaneErrNone) begin
          $display("FAIL seed %0d: lane %0d stopped with error %0d after %0d rows",
                   seed, k, lane_error[k*ErrorBits +: ErrorBits], rows);
          $fatal(1);
        end
      end
      if (out_valid && out_ready) begin
        for (int k = 0; k < Lanes; k++) begin
          index = rows * lanes_used + k;
          want  = k < lanes_used && index < weights;
          if (out_mask[k] !== want) begin
            $display("FAIL seed %0d index %0d lane %0d: expected mask %0d, actual %0d",
                     seed, index, k, want, out_mask[k]);
            $fatal(1);
          end
          if (want && out_words[k*PatternWidth +: PatternWidth] !== PatternWidth'(expected_mem[index])) begin
            $display("FAIL seed %0d index %0d lane %0d: expected %h, actual %h", seed, index, k,
                     PatternWidth'(expected_mem[index]), out_words[k*PatternWidth +: PatternWidth]);
            $fatal(1);
          end
          if (want) checked = checked + 1;
        end
        rows = rows + 1;
        idle <= 0;
        if (checked == weights) begin
          $display("PASS %0d weights, %0d rows, %0d cycles, %0d clocks simulated in all", weights, rows,
                   cycles + 1, $time / 10);
          $finish;
        end
      end else begin
        idle <= idle + 1;
        if (idle >= 10000) begin
          $display("FAIL seed %0d: hang, no row for 10000 cycles after %0d of %0d weights",
                   seed, checked, weights);
          $fatal(1);
        end
      end
      for (int k = 0; k < Lanes; k++) begin
        if (in_valid[k] && in_ready[k]) sent[k] = sent[k] + 1;
        if (!in_valid[k] || in_ready[k]) begin
          in_valid[k] <= sent[k] < lane_words[k] && ($random(rng_state) & 3) != 0;
          in_word[k*StreamWordBits +: StreamWordBits] <= stream_mem[k * MaxWords + (sent[k] < lane_words[k] ? sent[k] : 0)];
          in_last[k] <= sent[k] == lane_words[k] - 1;
        end
      end
      out_ready <= ($random(rng_state) & 3) != 0;
    end
  end
endmodule
