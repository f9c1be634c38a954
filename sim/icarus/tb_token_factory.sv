// Icarus testbench: runs one token factory job (rtl/factory/token_factory.sv)
// on golden-written vectors (sim/factory/factory_vectors.hpp, written by
// ws_factory_vectors): the table, then every activation bank word through the
// write ports, the start pulse with the ANS registers, lane counts and run
// registers, then the lane words with random idle cycles on every lane's
// input and random back-pressure on the result stream, and checks every
// result beat (the words of the slots in use) against expected.hex. Stops
// with PASS (and the cycle count), or with FAIL and a non-zero exit at the
// first mismatch (seed, row, slot, expected, actual), on a factory or lane
// error, or when no result leaves for 10000 cycles.
// Plusargs: +vectors=DIR (required), +seed=N (default 1), +stall=P (percent
// of cycles a lane holds its next word back and the result is not taken,
// each drawn apart; default 25, 0: no stalls).
// Before the first clock it prints "RUN", at the edge that takes the start
// pulse "START", and flushes each time, so that a caller can time the run
// apart from reading the files and loading the table and banks.
// Vector files (one hex value a line): config.hex = lanes K, the ANS cfg
// register, table words, rows, cols, period, lanes, slots, built slots,
// results, K symbol counts, K word counts; table.hex; lane<k>.hex;
// banks.hex (lane-major, then address: Slots*16-bit words, slot b at
// [b*16 +: 16]); expected.hex (fp32 bits, result r*slots + b).
module tb_token_factory #(
  parameter int Lanes     = 8,
  parameter int Slots     = 16,
  parameter int BankDepth = 256
);
  // Icarus 11 resolves a package's types only after an import has brought
  // each of them into a scope: this one does it for the whole design.
  import ws_pkg::*;
  table_ctrl_t    unused_table_ctrl;
  lane_error_e    unused_lane_error;
  ans_cfg_t       unused_ans_cfg;
  factory_error_e unused_factory_error;

  localparam int CountWidth  = LaneCountWidth;
  localparam int TableWidth  = 16 + TableCtrlBits - 1;
  localparam int ErrorBits   = LaneErrorWidth;
  localparam int RowBits     = 24;
  localparam int PeriodBits  = $clog2(BankDepth + 1);
  localparam int LaneCntBits = $clog2(Lanes + 2);
  localparam int SlotCntBits = $clog2(Slots + 2);
  localparam int AddrBits    = BankDepth > 1 ? $clog2(BankDepth) : 1;
  localparam int LaneIdxBits = Lanes > 1 ? $clog2(Lanes) : 1;
  localparam int MaxWords    = 1 << 15;  // per lane
  localparam int MaxResults  = 1 << 20;

  logic clk = 1'b0;
  logic rst_n = 1'b0;

  ans_cfg_t                          cfg = '0;
  logic [Lanes*CountWidth-1:0]       cfg_count = '0;
  logic                              table_we = 1'b0;
  logic [TableLogMax-1:0]            table_addr = '0;
  logic [TableWidth-1:0]             table_data = '0;
  logic [Lanes-1:0]                  in_valid = '0, in_ready, in_last = '0;
  logic [Lanes*StreamWordBits-1:0]   in_word = '0;
  logic [Lanes*ErrorBits-1:0]        lane_error;
  logic [Lanes-1:0]                  stall_input, stall_refill, stall_output, decoded;
  logic                              start = 1'b0;
  logic [RowBits-1:0]                rows_r = '0;
  logic [FactoryColBits-1:0]         cols_r = '0;
  logic [PeriodBits-1:0]             period_r = '0;
  logic [LaneCntBits-1:0]            lanes_r = '0;
  logic [SlotCntBits-1:0]            slots_r = '0;
  logic                              act_we = 1'b0;
  logic [LaneIdxBits-1:0]            act_lane = '0;
  logic [AddrBits-1:0]               act_addr = '0;
  logic [Slots*16-1:0]               act_data = '0;
  logic                              result_valid, result_ready = 1'b0;
  logic [Slots*32-1:0]               result_data;
  logic                              busy, done;
  factory_error_e                    error;
  logic [47:0]                       busy_cycles, stall_input_count, stall_output_count, weights_count, macs;

  token_factory #(
    .Lanes     (Lanes),
    .Slots     (Slots),
    .BankDepth (BankDepth)
  ) dut (
    .clk_i                (clk),
    .rst_ni               (rst_n),
    .cfg_i                (cfg),
    .cfg_count_i          (cfg_count),
    .table_we_i           (table_we),
    .table_addr_i         (table_addr),
    .table_data_i         (table_data),
    .in_valid_i           (in_valid),
    .in_ready_o           (in_ready),
    .in_word_i            (in_word),
    .in_last_i            (in_last),
    .lane_error_o         (lane_error),
    .stall_input_o        (stall_input),
    .stall_refill_o       (stall_refill),
    .stall_output_o       (stall_output),
    .decoded_o            (decoded),
    .start_i              (start),
    .rows_i               (rows_r),
    .cols_i               (cols_r),
    .period_i             (period_r),
    .lanes_i              (lanes_r),
    .slots_i              (slots_r),
    .source_i             (2'd0),  // the ANS lanes
    .block_i              (FactoryColBits'(0)),  // MX only
    .act_half_i           (1'b0),  // the banks' lower half
    .act_we_i             (act_we),
    .act_lane_i           (act_lane),
    .act_addr_i           (act_addr),
    .act_data_i           (act_data),
    .result_valid_o       (result_valid),
    .result_ready_i       (result_ready),
    .result_data_o        (result_data),
    .busy_o               (busy),
    .done_o               (done),
    .error_o              (error),
    .busy_cycles_o        (busy_cycles),
    .stall_input_count_o  (stall_input_count),
    .stall_output_count_o (stall_output_count),
    .weights_o            (weights_count),
    .macs_o               (macs)
  );

  always #5 clk = ~clk;

  localparam int HeadValues   = 10;  // config.hex: the values before the K symbol counts
  localparam int MaxFileLanes = 64;  // config.hex holds HeadValues + 2K values
  localparam int ConfigValues = HeadValues + 2 * MaxFileLanes;
  logic [63:0]           config_mem [ConfigValues];
  logic [TableWidth-1:0] table_mem [1 << TableLogMax];
  logic [31:0]           stream_mem [Lanes * MaxWords];
  logic [Slots*16-1:0]   bank_mem [Lanes * BankDepth];
  logic [31:0]           expected_mem [MaxResults];

  integer seed = 1;   // as given, printed
  integer stall = 25; // percent
  integer rng_state;  // advanced by $random
  integer lanes_used, table_words, rows, cols, period, job_lanes, slots, built_slots, results;
  integer lane_count [Lanes];
  integer lane_words [Lanes];
  integer sent [Lanes];
  integer row = 0, cycles = 0, idle = 0, ended = 0;
  logic   running = 1'b0;
  string  dir;

  function automatic logic draw_go();  // true but `stall` percent of the time
    return (($random(rng_state) & 32'h7fffffff) % 100) >= stall;
  endfunction

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
    if (!$value$plusargs("stall=%d", stall)) stall = 25;
    rng_state = seed;
    read_config({dir, "/config.hex"});
    lanes_used  = int'(config_mem[0]);
    table_words = int'(config_mem[2]);
    rows        = int'(config_mem[3]);
    cols        = int'(config_mem[4]);
    period      = int'(config_mem[5]);
    job_lanes   = int'(config_mem[6]);
    slots       = int'(config_mem[7]);
    built_slots = int'(config_mem[8]);
    results     = int'(config_mem[9]);
    if (lanes_used < 1 || lanes_used > Lanes || job_lanes != lanes_used || slots < 1 || slots > Slots ||
        built_slots != Slots || period < 1 || period > BankDepth || results != rows * slots ||
        results > MaxResults || table_words > (1 << TableLogMax)) begin
      $display("FAIL seed %0d: %0d lanes (run %0d), %0d slots of %0d built, period %0d, %0d results do not fit",
               seed, lanes_used, job_lanes, slots, built_slots, period, results);
      $display("     the testbench (Lanes %0d, Slots %0d, BankDepth %0d)", Lanes, Slots, BankDepth);
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
    $readmemh({dir, "/table.hex"}, table_mem, 0, table_words - 1);
    $readmemh({dir, "/banks.hex"}, bank_mem, 0, job_lanes * period - 1);
    $readmemh({dir, "/expected.hex"}, expected_mem, 0, results - 1);
    $display("seed %0d, stall %0d%%, %0d rows x %0d cols in %0d lanes, %0d slots, period %0d, from %s",
             seed, stall, rows, cols, lanes_used, slots, period, dir);
    $display("RUN");
    $fflush;

    repeat (2) @(posedge clk);
    rst_n <= 1'b1;
    // The table, one word a cycle; the banks, one word a cycle; then the
    // registers and the start pulse.
    for (int u = 0; u < table_words; u++) begin
      table_we   <= 1'b1;
      table_addr <= TableLogMax'(u);
      table_data <= table_mem[u];
      @(posedge clk);
    end
    table_we <= 1'b0;
    for (int k = 0; k < job_lanes; k++) begin
      for (int a = 0; a < period; a++) begin
        act_we   <= 1'b1;
        act_lane <= LaneIdxBits'(k);
        act_addr <= AddrBits'(a);
        act_data <= bank_mem[k * period + a];
        @(posedge clk);
      end
    end
    act_we   <= 1'b0;
    cfg      <= config_mem[1][AnsCfgBits-1:0];
    for (int k = 0; k < Lanes; k++) cfg_count[k*CountWidth +: CountWidth] <= CountWidth'(lane_count[k]);
    rows_r   <= RowBits'(rows);
    cols_r   <= FactoryColBits'(cols);
    period_r <= PeriodBits'(period);
    lanes_r  <= LaneCntBits'(job_lanes);
    slots_r  <= SlotCntBits'(slots);
    start    <= 1'b1;
    @(posedge clk);
    start   <= 1'b0;
    running <= 1'b1;
    $display("START");
    $fflush;
  end

  // Producers: each lane holds valid and its word until taken, and idles at
  // random between words. Consumer: drops ready at random; checks each
  // result beat on the clock edge that takes it.
  always @(posedge clk) begin
    if (running) begin
      cycles <= cycles + 1;
      for (int k = 0; k < Lanes; k++) begin
        if (lane_error[k*ErrorBits +: ErrorBits] != LaneErrNone) begin
          $display("FAIL seed %0d: lane %0d stopped with error %0d after %0d rows",
                   seed, k, lane_error[k*ErrorBits +: ErrorBits], row);
          $fatal(1);
        end
      end
      if (error != FactoryErrNone) begin
        $display("FAIL seed %0d: the factory stopped with error %0d after %0d rows", seed, error, row);
        $fatal(1);
      end
      if (!busy && row < rows) begin
        $display("FAIL seed %0d: the factory stopped (done %0d) after %0d of %0d rows", seed, done, row, rows);
        $fatal(1);
      end
      if (result_valid && result_ready) begin
        if (row >= rows) begin
          $display("FAIL seed %0d: a result beat after the last row (%0d)", seed, rows);
          $fatal(1);
        end
        for (int b = 0; b < slots; b++) begin
          if (result_data[b*32 +: 32] !== expected_mem[row * slots + b]) begin
            $display("FAIL seed %0d row %0d slot %0d: expected %h, actual %h", seed, row, b,
                     expected_mem[row * slots + b], result_data[b*32 +: 32]);
            $fatal(1);
          end
        end
        row = row + 1;
        idle <= 0;
      end else begin
        idle <= idle + 1;
        if (idle >= 10000) begin
          $display("FAIL seed %0d: hang, no result for 10000 cycles after %0d of %0d rows", seed, row, rows);
          $fatal(1);
        end
      end
      // The end: every row checked and the factory done without an error.
      if (row == rows && done && !busy) begin
        ended = ended + 1;
        if (ended > 2) begin
          if (weights_count != 48'(rows) * 48'(cols) || macs != 48'(rows) * 48'(cols) * 48'(slots)) begin
            $display("FAIL seed %0d: counters weights %0d macs %0d, expected %0d and %0d", seed, weights_count,
                     macs, rows * cols, rows * cols * slots);
            $fatal(1);
          end
          $display("PASS %0d rows x %0d slots, %0d busy cycles, %0d cycles from the start, %0d clocks simulated in all",
                   rows, slots, busy_cycles, cycles + 1, $time / 10);
          $finish;
        end
      end
      for (int k = 0; k < Lanes; k++) begin
        if (in_valid[k] && in_ready[k]) sent[k] = sent[k] + 1;
        if (!in_valid[k] || in_ready[k]) begin
          in_valid[k] <= sent[k] < lane_words[k] && (stall == 0 || draw_go());
          in_word[k*StreamWordBits +: StreamWordBits] <= stream_mem[k * MaxWords + (sent[k] < lane_words[k] ? sent[k] : 0)];
          in_last[k] <= sent[k] == lane_words[k] - 1;
        end
      end
      result_ready <= stall == 0 || draw_go();
    end
  end
endmodule
